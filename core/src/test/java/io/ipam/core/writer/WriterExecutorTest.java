package io.ipam.core.writer;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.ThreadMXBean;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.internal.EngineIpam;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WriterExecutorTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

    private static final UUID A = new UUID(1, 1);

    @TempDir
    Path tmp;

    private static WriterExecutor executor(final Ipam ipam)
    {
        return ((EngineIpam)ipam).executor();
    }

    private static IpamConfig.Builder config(final WriterMode mode)
    {
        return IpamConfig.builder().writerMode(mode);
    }

    private static long writerThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().contains("ipam-writer") && t.isAlive()).count();
    }

    private static void joinAll(final List<Thread> threads) throws InterruptedException
    {
        for (final Thread t : threads)
        {
            t.join(60_000);
            assertFalse(t.isAlive(), "a caller was left waiting");
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerInternalUndoAndGoOnAfterAnyThrowable(final WriterMode mode)
    {
        try (Ipam ipam = Ipam.inMemory(config(mode).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final AtomicInteger seen = new AtomicInteger();
            executor(ipam).faultInjector(r ->
            {
                if (r.type == MessageTypes.ALLOCATE)
                {
                    final int n = seen.incrementAndGet();
                    if (n == 3)
                    {
                        throw new IllegalStateException("injected fault");
                    }
                    if (n == 4)
                    {
                        throw new StackOverflowError("injected");
                    }
                    if (n == 5)
                    {
                        throw new OutOfMemoryError("injected");
                    }
                }
            });
            ipam.allocate("s", A);
            ipam.allocate("s", A);
            for (int i = 0; i < 3; i++)
            {
                final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocate("s", A));
                assertEquals(ErrorCode.INTERNAL, ex.code());
            }
            ipam.allocate("s", A);
            assertEquals(3, ipam.subnet("s").allocated(), "the faulty requests changed nothing; others went on");
            final Map<String, Long> counters = executor(ipam).counters().snapshot();
            assertEquals(3L, counters.get("writer errors"));
            assertEquals(3L, counters.get("failures INTERNAL"));
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldUndoWhatABulkTookBeforeItFaulted(final WriterMode mode)
    {
        final AtomicInteger draws = new AtomicInteger();
        final AtomicBoolean armed = new AtomicBoolean();
        final RandomSource base = RandomSource.seeded(3);
        final IpamConfig cfg = config(mode).randomSource(() -> () ->
        {
            if (armed.get() && draws.incrementAndGet() == 40)
            {
                throw new OutOfMemoryError("injected in the middle of a bulk");
            }
            return base.nextLong();
        }).build();
        try (Ipam ipam = Ipam.inMemory(cfg))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            ipam.allocateBulk("s", A, 10);
            armed.set(true);
            assertEquals(ErrorCode.INTERNAL, assertThrows(IpamException.class,
                () -> ipam.allocateBulk("s", A, 100)).code());
            assertEquals(10, ipam.subnet("s").allocated(), "the addresses the bulk took before the fault are back");
            assertEquals(10, ipam.allocations(A).size());
            assertEquals(100, ipam.allocateBulk("s", A, 100).size());
        }
    }

    /**
     * Hundreds of callers while the random source throws {@code Error}s for a while: every caller gets an
     * answer, and what was answered as allocated is exactly what is held.
     */
    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerHundredsOfCallersWhileTheRandomSourceThrowsErrors(final WriterMode mode) throws Exception
    {
        final AtomicLong draws = new AtomicLong();
        final RandomSource base = RandomSource.seeded(5);
        final IpamConfig cfg = config(mode).randomSource(() -> () ->
        {
            final long n = draws.incrementAndGet();
            if (n > 2_000 && n < 6_000 && n % 3 == 0)
            {
                throw n % 2 == 0 ? new OutOfMemoryError("injected") : new StackOverflowError("injected");
            }
            return base.nextLong();
        }).build();
        try (Ipam ipam = Ipam.inMemory(cfg))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/12").build());
            final int callers = 300;
            final AtomicInteger ok = new AtomicInteger();
            final AtomicInteger internal = new AtomicInteger();
            final AtomicInteger other = new AtomicInteger();
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < callers; t++)
            {
                final UUID owner = new UUID(7, t);
                final Thread th = new Thread(() ->
                {
                    try
                    {
                        start.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                    for (int i = 0; i < 40; i++)
                    {
                        try
                        {
                            ipam.allocate("s", owner);
                            ok.incrementAndGet();
                        }
                        catch (final IpamException ex)
                        {
                            (ex.code() == ErrorCode.INTERNAL ? internal : other).incrementAndGet();
                        }
                    }
                });
                threads.add(th);
                th.start();
            }
            start.countDown();
            joinAll(threads);
            assertEquals(callers * 40, ok.get() + internal.get() + other.get(), "every call was answered");
            assertEquals(0, other.get());
            assertTrue(internal.get() > 0, "the injected errors reached callers as INTERNAL");
            assertEquals(ok.get(), ipam.subnet("s").allocated());
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerWhenTheClockThrows(final WriterMode mode)
    {
        final AtomicBoolean broken = new AtomicBoolean();
        final IpamConfig cfg = config(mode).clock(() ->
        {
            if (broken.get())
            {
                throw new OutOfMemoryError("injected clock failure");
            }
            return 1_000;
        }).build();
        try (Ipam ipam = Ipam.inMemory(cfg))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            broken.set(true);
            assertEquals(ErrorCode.INTERNAL, assertThrows(IpamException.class, () -> ipam.allocate("s", A)).code());
            broken.set(false);
            ipam.allocate("s", A);
            assertEquals(1, ipam.subnet("s").allocated());
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldFailWithOverloadedWhenTheWriterStalls(final WriterMode mode) throws Exception
    {
        final IpamConfig cfg = config(mode).ringCapacity(4096).requestTimeout(Duration.ofMillis(100)).build();
        try (Ipam ipam = Ipam.inMemory(cfg))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            final CountDownLatch release = new CountDownLatch(1);
            final AtomicBoolean stalled = new AtomicBoolean();
            // the writer stalls on one request, so everything behind it waits
            executor(ipam).faultInjector(r ->
            {
                if (stalled.compareAndSet(false, true))
                {
                    try
                    {
                        release.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
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
            final long deadline = System.currentTimeMillis() + 30_000;
            // caller-runs: the stalled request's own caller is the writer and waits on; dedicated: it times out too
            final int expected = mode == WriterMode.CALLER_RUNS ? 199 : 200;
            while (overloaded.get() < expected && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(executor(ipam).ringSize() <= 4096, "memory stays bounded by the ring");
            executor(ipam).faultInjector(null);
            release.countDown();
            joinAll(callers);
            assertEquals(expected, overloaded.get(), "everyone waiting on the stalled writer timed out");
            assertEquals(200 - expected, served.get());
            // a timed-out request may still have been applied: the ring held it
            assertTrue(ipam.subnet("s").allocated() >= 1);
            ipam.allocate("s", A);
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerEveryCallerAndLeakNoThreadOnClose(final WriterMode mode) throws Exception
    {
        final long before = writerThreads();
        final Ipam ipam = Ipam.inMemory(config(mode).build());
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
        assertEquals(before + (mode == WriterMode.DEDICATED ? 1 : 0), writerThreads(),
            "caller-runs starts no thread");
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
                        (ex.code() == ErrorCode.CLOSED ? closedErrors : otherErrors).incrementAndGet();
                        return;
                    }
                }
            });
            callers.add(caller);
            caller.start();
        }
        while (answered.get() < 10_000)
        {
            Thread.sleep(1);
        }
        ipam.close();
        joinAll(callers);
        assertEquals(8, closedErrors.get(), "every caller ends with CLOSED");
        assertEquals(0, otherErrors.get());
        assertEquals(before, writerThreads(), "no writer thread is left");
        assertEquals(ErrorCode.CLOSED, assertThrows(IpamException.class, () -> ipam.allocate("s", A)).code());
        ipam.close();
    }

    @Test
    void shouldPublishCountersForAnotherProcess()
    {
        final IpamConfig config = IpamConfig.builder().countersDir(tmp).build();
        try (Ipam ipam = Ipam.inMemory(config))
        {
            // LOWEST: the automatic pick is .2, so .200 is certainly free for the specific one
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST)
                .build());
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

    /**
     * Allocate and release through the executor, encoded commands in reply slots, and count the bytes each
     * thread allocated: the caller's, and in dedicated mode the writer's too.
     */
    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAllocateNothingOnEitherSide(final WriterMode mode)
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "10.0.0.0/16").build()));
        // steady state means the subnet holds something, as in ZeroAllocationTest
        for (int i = 0; i < 100; i++)
        {
            engine.allocate(h, 9, i, 0, AllocationTerms.NONE, OUT);
        }
        // a dedicated writer that spins (as for an embedder that gives it a core): this measures bytes, and a
        // parking writer would only make the run long; the change feed grows on demand up to its retention and
        // allocates nothing after that, so a small retention reaches that steady state within the warm-up
        final WriterExecutor executor = new WriterExecutor(engine,
            config(mode).idleStrategy(BusySpinIdleStrategy::new).changeRetention(1024).build(),
            null);
        try
        {
            final ThreadMXBean threads =
                (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long me = Thread.currentThread().getId();
            final long writerId = mode == WriterMode.DEDICATED ? Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains("ipam-writer")).findFirst().orElseThrow().getId() : me;
            long minCaller = Long.MAX_VALUE;
            long minWriter = Long.MAX_VALUE;
            for (int round = 0; round < 5; round++)
            {
                final long callerBefore = threads.getThreadAllocatedBytes(me);
                final long writerBefore = threads.getThreadAllocatedBytes(writerId);
                for (int i = 0; i < 20_000; i++)
                {
                    Reply r = executor.acquire();
                    encode(r, MessageTypes.ALLOCATE, h, 0, i);
                    executor.execute(r);
                    final long address = r.value;
                    assertEquals(0, r.code);
                    executor.release(r);
                    r = executor.acquire();
                    encode(r, MessageTypes.RELEASE, h, address, i);
                    executor.execute(r);
                    if (r.code != AllocatorEngine.RELEASED)
                    {
                        throw new AssertionError("release failed: " + r.code);
                    }
                    executor.release(r);
                }
                minCaller = Math.min(minCaller, threads.getThreadAllocatedBytes(me) - callerBefore);
                minWriter = Math.min(minWriter, threads.getThreadAllocatedBytes(writerId) - writerBefore);
            }
            // 40,000 requests at even 8 bytes each would be 320 KB; the measuring call itself costs a little
            assertTrue(minCaller < 256, "caller allocated " + minCaller + " bytes");
            assertTrue(minWriter < 256, "writer allocated " + minWriter + " bytes");
        }
        finally
        {
            executor.close();
        }
    }

    private static void encode(final Reply r, final int type, final int handle, final long address, final long lsb)
    {
        r.type = type;
        CommandHeader.encode(r.command, 0, 0);
        r.commandLength = HotCommandFlyweight.encode(r.command, 0, handle, 0, address, 1, lsb);
    }
}
