package io.ipam.core.writer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.internal.EngineIpam;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The asynchronous calls of an in-process writer: they return without waiting for the writer role, every callback
 * runs exactly once, after the batch hook (nothing is acknowledged before it is durable), and a command queued while
 * the role was held is served by the holder when it gives the role back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AsyncWriterTest
{
    private static final UUID A = new UUID(1, 1);
    /** The first throwable a chain's callback threw (a chain that stopped so is not a lost callback). */
    private static final AtomicReference<Throwable> THROWN = new AtomicReference<>();

    private static void encode(final Reply r, final int type, final int handle, final long address)
    {
        r.type = type;
        CommandHeader.encode(r.command, 0, 0);
        r.commandLength = HotCommandFlyweight.encode(r.command, 0, handle, 0, address, 1, 2);
    }

    @Test
    void shouldReturnAtOnceWhileTheRoleIsHeldAndBeServedByItsHolder() throws Exception
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "10.0.0.0/24").build()));
        final WriterExecutor executor = new WriterExecutor(engine,
            IpamConfig.builder().requestTimeout(Duration.ofSeconds(60)).build(), null);
        try
        {
            final CountDownLatch holding = new CountDownLatch(1);
            final CountDownLatch letGo = new CountDownLatch(1);
            final AtomicReference<Thread> holderThread = new AtomicReference<>();
            final Thread holder = new Thread(() -> executor.withRole(e ->
            {
                holderThread.set(Thread.currentThread());
                holding.countDown();
                try
                {
                    letGo.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }));
            holder.start();
            assertTrue(holding.await(30, TimeUnit.SECONDS));

            final CountDownLatch answered = new CountDownLatch(1);
            final AtomicReference<Thread> answeredOn = new AtomicReference<>();
            final AtomicInteger code = new AtomicInteger(Integer.MIN_VALUE);
            final Reply r = executor.acquire();
            encode(r, MessageTypes.ALLOCATE, h, 0);
            executor.executeAsync(r, answer ->
            {
                code.set(answer.code);
                answeredOn.set(Thread.currentThread());
                executor.release(answer);
                answered.countDown();
            });
            // returned while the role is still held: nothing was applied yet
            assertEquals(1, answered.getCount(), "answered while the writer role was held elsewhere");
            assertTrue(executor.ringSize() > 0, "the command waits in the ring");
            letGo.countDown();
            assertTrue(answered.await(30, TimeUnit.SECONDS), "the holder served the ring when it gave the role back");
            holder.join(30_000);
            assertEquals(AllocatorEngine.OK, code.get());
            assertSame(holderThread.get(), answeredOn.get(), "answered by the thread that held the role");
            assertEquals(1, engine.allocatedCount(h));
        }
        finally
        {
            executor.close();
        }
    }

    /** Remembers which addresses the store has made durable: only those may have been acknowledged. */
    private static final class RecordingStore implements Store
    {
        final Set<Long> pending = ConcurrentHashMap.newKeySet();
        final Set<Long> durable = ConcurrentHashMap.newKeySet();

        @Override
        public void onAllocated(final String subnetId, final long addressHi, final long address, final long ownerMsb,
            final long ownerLsb, final long timeMs, final int flags, final long keySerial)
        {
            pending.add(address);
        }

        @Override
        public void afterBatch()
        {
            durable.addAll(pending);
            pending.clear();
        }

        @Override
        public void close()
        {
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerEveryAsyncCallOnceAndOnlyOnceDurable(final WriterMode mode) throws Exception
    {
        final RecordingStore store = new RecordingStore();
        final IpamConfig config = IpamConfig.builder().writerMode(mode).randomSource(() -> RandomSource.seeded(3))
            .build();
        final int threads = 4;
        final int perThread = 5_000;
        final Set<String> addresses = ConcurrentHashMap.newKeySet();
        final AtomicInteger notDurable = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger twice = new AtomicInteger();
        try (Ipam ipam = Allocators.over(config, Allocators.newEngine(config, Long.MAX_VALUE), store))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            final List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final List<CompletableFuture<?>> mine = new ArrayList<>();
                final Thread caller = new Thread(() ->
                {
                    for (int i = 0; i < perThread; i++)
                    {
                        mine.add(ipam.allocateAsync("s", A).thenAccept(address ->
                        {
                            calls.incrementAndGet();
                            if (!store.durable.contains(addressValue(address)))
                            {
                                notDurable.incrementAndGet();
                            }
                            if (!addresses.add(address))
                            {
                                twice.incrementAndGet();
                            }
                        }));
                    }
                    CompletableFuture.allOf(mine.toArray(new CompletableFuture<?>[0])).join();
                });
                callers.add(caller);
                caller.start();
            }
            for (final Thread caller : callers)
            {
                caller.join(60_000);
                assertFalse(caller.isAlive());
            }
            assertEquals(threads * perThread, calls.get(), "every callback ran once");
            assertEquals(0, twice.get(), "an address was given twice");
            assertEquals(threads * perThread, addresses.size());
            assertEquals(0, notDurable.get(), "an answer went out before its batch was durable");
            assertEquals(threads * perThread, ipam.subnet("s").allocated());
            final List<CompletableFuture<Boolean>> releases = new ArrayList<>();
            for (final String address : addresses)
            {
                releases.add(ipam.releaseAsync("s", address));
            }
            for (final CompletableFuture<Boolean> f : releases)
            {
                assertTrue(f.get(30, TimeUnit.SECONDS));
            }
            assertEquals(0, ipam.subnet("s").allocated());
            final Throwable refused = assertThrows(Exception.class,
                () -> ipam.releaseAsync("s", "192.168.0.1").join()).getCause();
            assertEquals(ErrorCode.ADDRESS_INVALID, ((IpamException)refused).code(), refused.getMessage());
        }
    }

    /**
     * A callback runs on the applying thread after it gave the role back; one that calls the allocator again may take
     * the role there and publish other callers' answers from inside a callback. Chains of calls, each made from the
     * previous one's callback, on threads that contend for the role: every callback runs once.
     */
    @Test
    void shouldRunEveryCallbackOnceWhenCallbacksCallTheAllocator() throws Exception
    {
        final IpamConfig config = IpamConfig.builder().randomSource(() -> RandomSource.seeded(5)).build();
        final int threads = 4;
        final int chains = 300;
        final int depth = 20;
        final Set<String> addresses = ConcurrentHashMap.newKeySet();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger twice = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(threads * chains);
        // per chain, the links it still has to make once the one in flight is answered (0: ended), for the message
        final AtomicIntegerArray left = new AtomicIntegerArray(threads * chains);
        try (Ipam ipam = Allocators.over(config, Allocators.newEngine(config, Long.MAX_VALUE), null))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            final List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int first = t * chains;
                final Thread caller = new Thread(() ->
                {
                    for (int c = 0; c < chains; c++)
                    {
                        chain(ipam, first + c, depth, left, calls, twice, addresses, done);
                    }
                });
                callers.add(caller);
                caller.start();
            }
            if (!done.await(90, TimeUnit.SECONDS))
            {
                // what a lost callback left behind, to find it from one failure
                final StringBuilder stalled = new StringBuilder();
                for (int i = 0; i < left.length(); i++)
                {
                    if (left.get(i) != 0)
                    {
                        stalled.append(" chain ").append(i).append(" at ").append(left.get(i)).append(" left;");
                    }
                }
                for (final Thread caller : callers)
                {
                    stalled.append(' ').append(caller.getName()).append(' ').append(caller.getState()).append(';');
                }
                fail(done.getCount() + " chains never ended: a callback was lost (" + stalled + " calls " +
                    calls.get() + ", a callback threw " + THROWN.get() + ", writer: " +
                    ((EngineIpam)ipam).executor().describe() + ")");
            }
            for (final Thread caller : callers)
            {
                caller.join(30_000);
            }
            assertEquals(threads * chains * depth, calls.get(), "every callback ran once");
            assertEquals(0, twice.get(), "an address was given twice, or a callback ran twice");
            assertEquals(threads * chains * depth, ipam.subnet("s").allocated());
        }
    }

    private static void chain(final Ipam ipam, final int id, final int left, final AtomicIntegerArray lefts,
        final AtomicInteger calls, final AtomicInteger twice, final Set<String> addresses, final CountDownLatch done)
    {
        lefts.set(id, left);
        ipam.allocateAsync("s", A).whenComplete((address, failure) ->
        {
            try
            {
                calls.incrementAndGet();
                if (failure != null || !addresses.add(address))
                {
                    twice.incrementAndGet();
                }
                if (left > 1)
                {
                    chain(ipam, id, left - 1, lefts, calls, twice, addresses, done);
                }
                else
                {
                    lefts.set(id, 0);
                    done.countDown();
                }
            }
            catch (final Throwable t)
            {
                THROWN.compareAndSet(null, t); // the future would keep it to itself and the chain would just stop
                throw t;
            }
        });
    }

    /**
     * A callback that calls the allocator and finds the role free serves the ring there, so it takes other callers'
     * answers; their callbacks must run after it returns, not inside it. Otherwise a thread that keeps serving others
     * from its callbacks nests them without bound and runs out of stack: the {@code StackOverflowError} is swallowed
     * (by the callback's future or the writer's guard) and the answers still queued on that thread never reach their
     * callbacks ("N chains never ended"). Deterministic: the fault injector, on the writer under the role, has another
     * thread queue a command just before the ring is drained, so each link's command brings the next link's answer.
     * The chain runs on a thread with a small stack; nested, its links would need about a kilobyte each.
     */
    @Test
    void shouldNotRunCallbacksInsideTheCallbackThatServedThem() throws Exception
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(7), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "10.0.0.0/16").build()));
        final WriterExecutor executor = new WriterExecutor(engine,
            IpamConfig.builder().requestTimeout(Duration.ofSeconds(5)).build(), null);
        final ExecutorService helper = Executors.newSingleThreadExecutor();
        final int links = 2_000;
        final AtomicBoolean adopt = new AtomicBoolean();
        final AtomicInteger nesting = new AtomicInteger();
        final AtomicInteger maxNesting = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        final Consumer<Reply> release = executor::release;
        final AtomicReference<IntFunction<Consumer<Reply>>> link = new AtomicReference<>();
        link.set(n -> answer ->
        {
            maxNesting.accumulateAndGet(nesting.incrementAndGet(), Math::max);
            try
            {
                answered.incrementAndGet();
                executor.release(answer);
                if (n == links)
                {
                    ended.countDown();
                    return;
                }
                // this link's own command: applied here (the role is free), and while it is, the next link's
                // command is queued by another thread, so the drain after it takes the next link's answer
                final Reply own = executor.acquire();
                encode(own, MessageTypes.ALLOCATE, h, 0);
                adopt.set(true);
                executor.executeAsync(own, release);
            }
            finally
            {
                nesting.decrementAndGet();
            }
        });
        executor.faultInjector(command ->
        {
            if (adopt.getAndSet(false))
            {
                final int next = answered.get() + 1;
                try
                {
                    helper.submit(() ->
                    {
                        final Reply r = executor.acquire();
                        encode(r, MessageTypes.ALLOCATE, h, 0);
                        executor.executeAsync(r, link.get().apply(next)); // the role is held: queued, returns
                    }).get(30, TimeUnit.SECONDS);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        });
        try
        {
            final Thread chain = new Thread(null, () ->
            {
                final Reply first = executor.acquire();
                encode(first, MessageTypes.ALLOCATE, h, 0);
                executor.executeAsync(first, link.get().apply(1)); // the role is free: answered here
            }, "chain", 256 * 1024);
            chain.start();
            assertTrue(ended.await(30, TimeUnit.SECONDS), "the chain stopped after " + answered.get() + " of " +
                links + " links (callbacks nested " + maxNesting.get() + " deep)");
            chain.join(30_000);
            assertEquals(links, answered.get());
            assertTrue(maxNesting.get() <= 2, "callbacks ran inside one another, " + maxNesting.get() + " deep");
            assertEquals(2 * links - 1, engine.allocatedCount(h));
        }
        finally
        {
            helper.shutdownNow();
            executor.close();
        }
    }

    private static long addressValue(final String address)
    {
        long v = 0;
        for (final String part : address.split("\\."))
        {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }
}
