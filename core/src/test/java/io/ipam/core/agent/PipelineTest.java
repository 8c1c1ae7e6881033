package io.ipam.core.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.core.internal.EngineIpam;
import io.ipam.core.internal.HotRequest;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PipelineTest
{
    private static final UUID A = new UUID(1, 1);

    @TempDir
    Path tmp;

    private static PipelinedExecutor executor(final Ipam ipam)
    {
        return (PipelinedExecutor)((EngineIpam)ipam).executor();
    }

    private static long allocatorThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().contains("ipam-allocator") && t.isAlive()).count();
    }

    @Test
    void shouldKeepServingAfterAFault()
    {
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final AtomicInteger seen = new AtomicInteger();
            executor(ipam).agent().faultInjector(r ->
            {
                if (r.type == HotRequest.ALLOCATE && seen.incrementAndGet() == 3)
                {
                    throw new IllegalStateException("injected fault");
                }
            });
            ipam.allocate("s", A);
            ipam.allocate("s", A);
            final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocate("s", A));
            assertEquals(ErrorCode.INTERNAL, ex.code());
            ipam.allocate("s", A);
            assertEquals(3, ipam.subnet("s").allocated(), "the faulty request changed nothing; others went on");
            final Map<String, Long> counters = executor(ipam).counters().snapshot();
            assertEquals(1L, counters.get("writer errors"));
            assertEquals(1L, counters.get("failures INTERNAL"));
            // a command that throws something unexpected is a fault too
            assertEquals(ErrorCode.INTERNAL, assertThrows(IpamException.class,
                () -> executor(ipam).call(e -> { throw new ArithmeticException("boom"); })).code());
            assertEquals(2L, executor(ipam).counters().snapshot().get("writer errors"));
            ipam.allocate("s", A);
        }
    }

    @Test
    void shouldFailWithOverloadedWhenTheRingStaysFull()
    {
        final IpamConfig config = IpamConfig.builder().ringCapacity(4096).requestTimeout(Duration.ofMillis(50))
            .build();
        try (Ipam ipam = Ipam.inMemory(config))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            final CountDownLatch release = new CountDownLatch(1);
            // the writer stalls on the first request, so the ring fills up behind it
            executor(ipam).agent().faultInjector(r ->
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            final List<Thread> callers = new ArrayList<>();
            final AtomicInteger overloaded = new AtomicInteger();
            final AtomicInteger served = new AtomicInteger();
            for (int t = 0; t < 200; t++)
            {
                final Thread caller = new Thread(() ->
                {
                    try
                    {
                        ipam.allocate("s", A);
                        served.incrementAndGet();
                    }
                    catch (final IpamException ex)
                    {
                        if (ex.code() == ErrorCode.OVERLOADED)
                        {
                            overloaded.incrementAndGet();
                        }
                    }
                });
                callers.add(caller);
                caller.start();
            }
            final long deadline = System.currentTimeMillis() + 10_000;
            while (overloaded.get() == 0 && System.currentTimeMillis() < deadline)
            {
                Thread.onSpinWait();
            }
            assertTrue(overloaded.get() > 0, "a full ring must turn into OVERLOADED");
            assertTrue(executor(ipam).ring().size() <= 4096, "memory stays bounded by the ring");
            executor(ipam).agent().faultInjector(null);
            release.countDown();
            for (final Thread caller : callers)
            {
                try
                {
                    caller.join();
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
            assertEquals(200, overloaded.get() + served.get());
            assertEquals(served.get(), ipam.subnet("s").allocated());
            assertTrue(executor(ipam).counters().snapshot().get("back-pressure events") > 0);
        }
    }

    @Test
    void shouldAnswerEveryCallerAndLeakNoThreadOnClose() throws Exception
    {
        final long before = allocatorThreads();
        final IpamConfig config = IpamConfig.builder().idleStrategy(BusySpinIdleStrategy::new).build();
        final Ipam ipam = Ipam.inMemory(config);
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
        assertEquals(before + 1, allocatorThreads());
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger closedErrors = new AtomicInteger();
        final AtomicInteger otherErrors = new AtomicInteger();
        final List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 8; t++)
        {
            final Thread caller = new Thread(() ->
            {
                while (true)
                {
                    try
                    {
                        ipam.allocate("s", A);
                        answered.incrementAndGet();
                    }
                    catch (final IpamException ex)
                    {
                        if (ex.code() == ErrorCode.CLOSED)
                        {
                            closedErrors.incrementAndGet();
                            return;
                        }
                        otherErrors.incrementAndGet();
                        return;
                    }
                }
            });
            callers.add(caller);
            caller.start();
        }
        while (answered.get() < 10_000)
        {
            Thread.onSpinWait();
        }
        ipam.close();
        for (final Thread caller : callers)
        {
            caller.join(10_000);
            assertFalse(caller.isAlive(), "a caller was left waiting after close");
        }
        assertEquals(8, closedErrors.get(), "every caller ends with CLOSED");
        assertEquals(0, otherErrors.get());
        assertEquals(before, allocatorThreads(), "the allocator thread is gone");
        assertEquals(ErrorCode.CLOSED, assertThrows(IpamException.class, () -> ipam.allocate("s", A)).code());
        ipam.close();
    }

    @Test
    void shouldPublishCountersForAnotherProcess()
    {
        final IpamConfig config = IpamConfig.builder().countersDir(tmp).build();
        try (Ipam ipam = Ipam.inMemory(config))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final String a = ipam.allocate("s", A);
            ipam.allocate("s", "10.0.0.200", A);
            ipam.release("s", a);
            assertThrows(IpamException.class, () -> ipam.allocate("s", "10.0.0.200", A));
            // what a reader in another process sees: the file, mapped on its own
            final Map<String, Long> read = IpamCounters.read(tmp);
            assertEquals(ProcessHandle.current().pid(), read.get("pid"));
            assertEquals(2L, read.get("allocations"));
            assertEquals(1L, read.get("releases"));
            assertEquals(1L, read.get("failures ADDRESS_TAKEN"));
            assertTrue(read.get("requests") >= 5, read.toString());
            assertTrue(read.containsKey("queue depth"));
        }
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> IpamCounters.read(tmp.resolve("none"))).code());
    }

    @Test
    void shouldServeABatchInOneClaim()
    {
        try (Ipam ipam = Ipam.inMemory())
        {
            // random picks stay below .150, so the specific items above it are decided by the batch alone
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").pool("10.0.0.2", "10.0.0.150").build());
            final int n = 50;
            final int[] types = new int[n];
            final int[] handles = new int[n];
            final long[] addresses = new long[n];
            final int[] results = new int[n];
            final long[] out = new long[n];
            final int handle = executor(ipam).call(e -> e.handle("s"));
            for (int i = 0; i < n; i++)
            {
                types[i] = i < 40 ? HotRequest.ALLOCATE : HotRequest.ALLOCATE_SPECIFIC;
                handles[i] = handle;
                addresses[i] = 0x0A000000L + 200 + (i % 5);
            }
            executor(ipam).executeBatch(types, handles, addresses, 1, 1, 0, n, results, out);
            int ok = 0;
            int taken = 0;
            for (int i = 0; i < n; i++)
            {
                if (results[i] == 0)
                {
                    ok++;
                }
                else if (results[i] == -ErrorCode.ADDRESS_TAKEN.value())
                {
                    taken++;
                }
            }
            assertEquals(45, ok, "40 any and 5 distinct specific addresses");
            assertEquals(5, taken, "the repeated specific addresses are taken");
            assertEquals(45, ipam.subnet("s").allocated());
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> executor(ipam).executeBatch(types, handles, addresses, 1, 1, 0, 0, results, out)).code());
        }
    }

    @Test
    void shouldServeAsynchronousRequests() throws Exception
    {
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/28").build());
            final List<java.util.concurrent.CompletableFuture<String>> futures = new ArrayList<>();
            for (int i = 0; i < 13; i++)
            {
                futures.add(ipam.allocateAsync("s", A));
            }
            final java.util.Set<String> got = new java.util.HashSet<>();
            for (final java.util.concurrent.CompletableFuture<String> f : futures)
            {
                got.add(f.get(10, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(13, got.size(), "13 distinct addresses (a /28 has 13 in its default pool)");
            final java.util.concurrent.ExecutionException ex = assertThrows(
                java.util.concurrent.ExecutionException.class, () -> ipam.allocateAsync("s", A).get());
            assertEquals(ErrorCode.EXHAUSTED, ((IpamException)ex.getCause()).code());
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, ((IpamException)assertThrows(
                java.util.concurrent.ExecutionException.class, () -> ipam.allocateAsync("zz", A).get()).getCause())
                .code());
            final String one = got.iterator().next();
            assertTrue(ipam.releaseAsync("s", one).get());
            assertFalse(ipam.releaseAsync("s", one).get());
            // callbacks run off the writer's thread
            final String thread = ipam.allocateAsync("s", A).thenApply(a -> Thread.currentThread().getName()).get();
            assertFalse(thread.contains("ipam-allocator"), thread);
        }
    }

    @Test
    void shouldFailPendingAsynchronousRequestsOnClose() throws Exception
    {
        final Ipam ipam = Ipam.inMemory();
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
        final CountDownLatch stall = new CountDownLatch(1);
        executor(ipam).agent().faultInjector(r ->
        {
            try
            {
                stall.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        });
        // a hot request stalls the writer; async requests queue behind it
        final Thread blocked = new Thread(() ->
        {
            try
            {
                ipam.allocate("s", A);
            }
            catch (final IpamException ignore)
            {
                // CLOSED or served: either is fine here
            }
        });
        blocked.start();
        Thread.sleep(100);
        final List<java.util.concurrent.CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            futures.add(ipam.allocateAsync("s", A));
        }
        stall.countDown();
        executor(ipam).agent().faultInjector(null);
        ipam.close();
        blocked.join(10_000);
        for (final java.util.concurrent.CompletableFuture<String> f : futures)
        {
            assertTrue(f.isDone(), "every future is answered by close");
        }
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && t.getName().startsWith("ipam-completer")).count(), "no completer left");
    }

    @Test
    void shouldAllocateNothingOnEitherSideOfTheRing()
    {
        final io.ipam.core.engine.AllocatorEngine engine = new io.ipam.core.engine.AllocatorEngine(
            io.ipam.core.RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(io.ipam.core.engine.SubnetRules.plan(
            SubnetSpec.builder("s", "10.0.0.0/16").build()));
        // a chunk that empties completely drops its Roaring container and the next allocation makes a new one
        // (about 40 bytes); steady state means the subnet holds something, as in ZeroAllocationTest
        for (int i = 0; i < 100; i++)
        {
            engine.allocate(h, 9, i, 0);
        }
        final io.ipam.core.internal.HotSlots slots = new io.ipam.core.internal.HotSlots(4);
        final PipelinedExecutor executor = new PipelinedExecutor(engine, slots, IpamConfig.defaults(),
            IpamCounters.create(null), null);
        try
        {
            final HotRequest r = slots.acquire();
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            final long agentId = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains("ipam-allocator")).findFirst().orElseThrow().getId();
            final long me = Thread.currentThread().getId();
            long correlation = 0;
            for (int round = 0; round < 2; round++)
            {
                final long callerBefore = threads.getThreadAllocatedBytes(me);
                final long agentBefore = threads.getThreadAllocatedBytes(agentId);
                for (int i = 0; i < 100_000; i++)
                {
                    r.correlationId = ++correlation;
                    r.type = HotRequest.ALLOCATE;
                    r.handle = h;
                    r.ownerMsb = 1;
                    r.ownerLsb = i;
                    executor.execute(r);
                    r.correlationId = ++correlation;
                    r.type = HotRequest.RELEASE;
                    r.address = r.replyAddress;
                    executor.execute(r);
                    if (r.result != io.ipam.core.engine.AllocatorEngine.RELEASED)
                    {
                        throw new AssertionError("release failed: " + r.result);
                    }
                }
                final long callerBytes = threads.getThreadAllocatedBytes(me) - callerBefore;
                final long agentBytes = threads.getThreadAllocatedBytes(agentId) - agentBefore;
                if (round == 1)
                {
                    // the counter's own call costs a few hundred bytes at most; 200,000 requests would cost MBs
                    assertTrue(callerBytes < 1024, "caller allocated " + callerBytes + " bytes");
                    assertTrue(agentBytes < 1024, "agent allocated " + agentBytes + " bytes");
                }
            }
        }
        finally
        {
            executor.close();
        }
    }
}
