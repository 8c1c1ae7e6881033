package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

import io.ipam.core.Allocation;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 threads x 200,000 mixed operations through the facade, released together by a barrier; each thread
 * keeps its own books. At the end: no address has two owners, and every count equals the harness's own.
 */
class PipelineStressTest
{
    private static final int THREADS = 8;
    private static final int OPS = Integer.getInteger("ipam.stress.ops", 200_000);

    @Test
    void shouldNeverGiveOneAddressTwiceNorLoseOne() throws Exception
    {
        stress(IpamConfig.defaults(), OPS);
    }

    @Test
    void shouldHoldTheInvariantsWithADedicatedWriter() throws Exception
    {
        stress(IpamConfig.builder().writerMode(WriterMode.DEDICATED).build(), OPS / 2);
    }

    private static void stress(final IpamConfig config, final int ops) throws Exception
    {
        try (Ipam ipam = Ipam.inMemory(config))
        {
            ipam.createSubnet(SubnetSpec.builder("small", "10.0.0.0/26").build());   // contention and exhaustion
            ipam.createSubnet(SubnetSpec.builder("big", "10.1.0.0/16").build());
            ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
            final List<String> subnets = List.of("small", "big", "v6");
            final CyclicBarrier start = new CyclicBarrier(THREADS);
            final ConcurrentHashMap<String, UUID> taken = new ConcurrentHashMap<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Map<String, String>> books = new ArrayList<>();
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++)
            {
                final int id = t;
                final Map<String, String> mine = new HashMap<>();   // "subnet address" -> subnet
                books.add(mine);
                final Thread thread = new Thread(() ->
                {
                    final UUID owner = new UUID(77, id);
                    final SplittableRandom r = new SplittableRandom(id);
                    final List<String> held = new ArrayList<>();
                    try
                    {
                        start.await();
                        for (int i = 0; i < ops; i++)
                        {
                            final String subnet = subnets.get(r.nextInt(3));
                            if (!held.isEmpty() && r.nextInt(100) < 48)
                            {
                                final String key = held.remove(r.nextInt(held.size()));
                                final String[] f = key.split(" ");
                                // out of the shared book first: once released it may be handed out at once
                                taken.remove(key);
                                if (!ipam.release(f[0], f[1], owner))
                                {
                                    throw new AssertionError("my address was free: " + key);
                                }
                                mine.remove(key);
                            }
                            else
                            {
                                try
                                {
                                    final String address = ipam.allocate(subnet, owner);
                                    final String key = subnet + " " + address;
                                    final UUID previous = taken.putIfAbsent(key, owner);
                                    if (previous != null)
                                    {
                                        throw new AssertionError(key + " given to " + owner + " while " + previous +
                                            " holds it");
                                    }
                                    held.add(key);
                                    mine.put(key, subnet);
                                }
                                catch (final IpamException ex)
                                {
                                    if (ex.code() != ErrorCode.EXHAUSTED || !subnet.equals("small"))
                                    {
                                        throw ex;
                                    }
                                }
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "stress-" + t);
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("a caller failed", failure.get());
            }
            final Set<String> all = new HashSet<>();
            int expected = 0;
            for (int t = 0; t < THREADS; t++)
            {
                final List<Allocation> held = ipam.allocations(new UUID(77, t));
                assertEquals(books.get(t).size(), held.size(), "allocations of thread " + t);
                for (final Allocation a : held)
                {
                    assertTrue(books.get(t).containsKey(a.subnetId() + " " + a.address()), "unknown " + a);
                    assertTrue(all.add(a.subnetId() + " " + a.address()), "two owners: " + a);
                    assertEquals(Optional.of(new UUID(77, t)), ipam.owner(a.subnetId(), a.address()));
                }
                expected += books.get(t).size();
            }
            long counted = 0;
            for (final String s : subnets)
            {
                counted += ipam.subnet(s).allocated();
            }
            assertEquals(expected, counted, "subnet counts equal the harness's own");
            assertEquals(taken.size(), expected);
        }
    }
}
