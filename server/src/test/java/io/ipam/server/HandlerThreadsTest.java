package io.ipam.server;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.ipam.client.GrpcIpam;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where calls run (issue 25, item 2): address calls and batches on the transport thread that read them (no hand-off
 * to a pool and back), everything else and the snapshot's file work on the blocking pool; with
 * {@code hotCallsOnTransport(false)} (the default for a durable store that syncs every batch) all on the pool.
 */
@Timeout(60)
class HandlerThreadsTest
{
    private static final String POOL = "ipam-serve-";

    @TempDir
    Path tmp;

    /** The allocator's calls and the thread each last ran on. */
    private static Ipam recording(final Ipam real, final Map<String, String> threads)
    {
        return (Ipam)Proxy.newProxyInstance(Ipam.class.getClassLoader(), new Class<?>[] {Ipam.class},
            (proxy, method, args) ->
            {
                threads.put(method.getName(), Thread.currentThread().getName());
                try
                {
                    return method.invoke(real, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
            });
    }

    private static Map<String, String> run(final ServerContext context, final Path snap)
    {
        final Map<String, String> threads = new ConcurrentHashMap<>();
        final IpamServer server = IpamServer.start(context.listen(new InetSocketAddress("127.0.0.1", 0))
            .workerThreads(2), recording(Ipam.inMemory(IpamConfig.defaults()), threads), true);
        try (GrpcIpam client = GrpcIpam.connect(server.target()))
        {
            client.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final String a = client.allocate("s", new UUID(1, 1));
            assertTrue(client.release("s", a));
            client.allocate("s", "10.0.0.9", new UUID(1, 1));
            client.subnets();
            client.snapshot(snap);
        }
        finally
        {
            server.shutdown();
        }
        return threads;
    }

    @Test
    void shouldRunAddressCallsOnTheTransportAndTheRestOnThePool()
    {
        final Map<String, String> threads = run(new ServerContext(), tmp.resolve("a.snap"));
        for (final String hot : new String[] {"allocateAsync", "releaseAsync", "allocate"})
        {
            assertFalse(threads.get(hot).startsWith(POOL), hot + " ran on " + threads.get(hot));
        }
        for (final String blocking : new String[] {"createSubnet", "subnets", "snapshot"})
        {
            assertTrue(threads.get(blocking).startsWith(POOL), blocking + " ran on " + threads.get(blocking));
        }
    }

    @Test
    void shouldRunEverythingOnThePoolWhenAskedTo()
    {
        final ServerContext context = new ServerContext().hotCallsOnTransport(false);
        final Map<String, String> threads = run(context, tmp.resolve("b.snap"));
        for (final String any : new String[] {"allocateAsync", "releaseAsync", "allocate", "createSubnet", "subnets",
            "snapshot"})
        {
            assertTrue(threads.get(any).startsWith(POOL), any + " ran on " + threads.get(any));
        }
    }

    @Test
    void shouldKeepAStoreThatSyncsEveryBatchOffTheTransport()
    {
        assertTrue(new ServerContext().hotCallsOnTransport());
        assertTrue(new ServerContext().store(tmp.resolve("store")).hotCallsOnTransport());
        assertFalse(new ServerContext().store(tmp.resolve("store")).ipamConfig(IpamConfig.builder()
            .syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).build()).hotCallsOnTransport());
        assertEquals(true, new ServerContext().store(tmp.resolve("store")).ipamConfig(IpamConfig.builder()
            .syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).build()).hotCallsOnTransport(true).hotCallsOnTransport());
    }
}
