package io.ipam.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.proto.v1.IpamServiceGrpc;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a server test opens, closed newest first when the test ends (a JUnit extension: register it with
 * {@code @RegisterExtension}): servers on free loopback ports, each over a
 * fresh in-memory allocator, plaintext channels to them, and anything else handed to {@link #add}.
 */
final class ServerFixture implements AfterEachCallback
{
    /** An administrator's token ({@code TOKEN *}) in the tests' token files. */
    static final String ADMIN = "admin-token-0123456789";

    /** Tenant {@code tenant-a}'s token in the tests' token files. */
    static final String TENANT = "tenant-a-token-0123456789";

    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * @param c something to close when the test ends.
     * @param <T> its type.
     * @return it.
     */
    <T extends AutoCloseable> T add(final T c)
    {
        opened.add(c);
        return c;
    }

    /**
     * @return how many things were opened so far (a counter for unique names).
     */
    int opened()
    {
        return opened.size();
    }

    /**
     * @param context the server's settings; its listen address is replaced by a free loopback port.
     * @return the running server.
     */
    IpamServer start(final ServerContext context)
    {
        return add(IpamServer.start(context.listen(new InetSocketAddress("127.0.0.1", 0)).workerThreads(4),
            Ipam.inMemory(IpamConfig.defaults()), true));
    }

    /**
     * @param server a server of this test.
     * @return a plaintext channel to it.
     */
    ManagedChannel channel(final IpamServer server)
    {
        final ManagedChannel ch = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
        add(() ->
        {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        });
        return ch;
    }

    /**
     * @param ch    a channel.
     * @param token the bearer token, or null for none.
     * @return a blocking stub sending it.
     */
    static IpamServiceGrpc.IpamServiceBlockingStub stub(final ManagedChannel ch, final String token)
    {
        final IpamServiceGrpc.IpamServiceBlockingStub stub = IpamServiceGrpc.newBlockingStub(ch);
        if (token == null)
        {
            return stub;
        }
        final Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /**
     * Close everything opened, newest first.
     *
     * @param context the test that ends.
     * @throws Exception what a close threw.
     */
    @Override
    public void afterEach(final ExtensionContext context) throws Exception
    {
        for (int i = opened.size() - 1; i >= 0; i--)
        {
            opened.get(i).close();
        }
    }
}
