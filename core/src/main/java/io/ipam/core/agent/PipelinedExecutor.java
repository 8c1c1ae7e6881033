package io.ipam.core.agent;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.EngineExecutor;
import io.ipam.core.internal.HotRequest;
import io.ipam.core.internal.HotSlots;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Callers on any thread encode requests into a {@link ManyToOneRingBuffer} ({@code tryClaim}, write,
 * {@code commit}) and wait on their reply slot; one {@link AllocatorAgent} on its own thread drains the ring.
 * No locks anywhere on the path. A full ring is back-pressure: the caller retries until
 * {@link IpamConfig#requestTimeout()} and then fails with {@code OVERLOADED}. {@link #close()} stops the agent,
 * answers every request still in the ring with {@code CLOSED}, and joins the thread.
 */
public final class PipelinedExecutor implements EngineExecutor
{
    private static final Logger LOG = LoggerFactory.getLogger(PipelinedExecutor.class);
    private static final int COMMAND_SLOTS = 256;
    private static final int BATCH_SLOTS = 64;

    private final ManyToOneRingBuffer ring;
    private final HotSlots hotSlots;
    private final Slots.CommandSlot[] commandSlots = new Slots.CommandSlot[COMMAND_SLOTS];
    private final ManyToManyConcurrentArrayQueue<Slots.CommandSlot> freeCommands =
        new ManyToManyConcurrentArrayQueue<>(COMMAND_SLOTS);
    private final Slots.BatchSlot[] batchSlots = new Slots.BatchSlot[BATCH_SLOTS];
    private final ManyToManyConcurrentArrayQueue<Slots.BatchSlot> freeBatches =
        new ManyToManyConcurrentArrayQueue<>(BATCH_SLOTS);
    private final AllocatorAgent agent;
    private final AgentRunner runner;
    private final IpamCounters counters;
    private final long timeoutNs;
    private final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<Object[]> pendingAsync =
        new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(COMMAND_SLOTS);
    private Thread completer;
    private volatile boolean closed;
    private volatile boolean drained;

    /**
     * @param engine     the engine, owned by the agent from now on.
     * @param hotSlots   the facade's reply slots.
     * @param config     ring capacity, timeout, idle strategy.
     * @param counters   counters.
     * @param afterBatch run by the agent after each batch before replies go out (durable sync), or null.
     */
    public PipelinedExecutor(
        final AllocatorEngine engine,
        final HotSlots hotSlots,
        final IpamConfig config,
        final IpamCounters counters,
        final Runnable afterBatch)
    {
        this.hotSlots = hotSlots;
        this.counters = counters;
        this.timeoutNs = config.requestTimeout().toNanos();
        final ByteBuffer bytes = BufferUtil.allocateDirectAligned(
            config.ringCapacity() + RingBufferDescriptor.TRAILER_LENGTH, 64);
        ring = new ManyToOneRingBuffer(new UnsafeBuffer(bytes));
        for (int i = 0; i < COMMAND_SLOTS; i++)
        {
            commandSlots[i] = new Slots.CommandSlot(i);
            freeCommands.offer(commandSlots[i]);
        }
        for (int i = 0; i < BATCH_SLOTS; i++)
        {
            batchSlots[i] = new Slots.BatchSlot(i);
            freeBatches.offer(batchSlots[i]);
        }
        final ErrorHandler errors = t -> LOG.error("allocator writer fault", t);
        agent = new AllocatorAgent(engine, ring, hotSlots, commandSlots, batchSlots, counters, errors, afterBatch);
        runner = new AgentRunner(config.idleStrategy().get(), errors, null, agent);
        // a daemon: an embedder that forgets close() must not keep the JVM from exiting
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @return the agent (tests inject faults through it).
     */
    public AllocatorAgent agent()
    {
        return agent;
    }

    /**
     * @return the counters.
     */
    public IpamCounters counters()
    {
        return counters;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    private int claim(final int type, final int length)
    {
        long deadline = 0;
        int spins = 0;
        while (true)
        {
            checkOpen();
            final int index = ring.tryClaim(type, length);
            if (index > 0)
            {
                return index;
            }
            if (deadline == 0)
            {
                counters.backPressure.incrementRelease();
                deadline = System.nanoTime() + timeoutNs;
            }
            else if (System.nanoTime() - deadline > 0)
            {
                throw new IpamException(ErrorCode.OVERLOADED, "the request queue stayed full for " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
            }
            backOff(++spins);
        }
    }

    /**
     * How a caller waits for its reply: spin first (a reply usually comes within a microsecond or two), then
     * yield (on a small machine the writer may need this core), and park only after that: a park costs tens of
     * microseconds of timer slack on Linux, far more than the work being waited for.
     */
    private static void backOff(final int spins)
    {
        if (spins < 200)
        {
            Thread.onSpinWait();
        }
        else if (spins < 2_200)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(1_000);
        }
    }

    /**
     * Wait for a reply; true if it came, false if the executor closed without answering it.
     */
    private boolean await(final java.util.function.LongSupplier completed, final long correlationId)
    {
        int spins = 0;
        while (completed.getAsLong() != correlationId)
        {
            if (drained && completed.getAsLong() != correlationId)
            {
                return false;
            }
            backOff(++spins);
        }
        return true;
    }

    @Override
    public void execute(final HotRequest r)
    {
        final int index = claim(r.type, RequestDescriptor.HOT_LENGTH);
        final UnsafeBuffer b = (UnsafeBuffer)ring.buffer();
        b.putLong(index + RequestDescriptor.CORRELATION_ID_OFFSET, r.correlationId);
        b.putInt(index + RequestDescriptor.SLOT_OFFSET, r.slot);
        b.putInt(index + RequestDescriptor.HANDLE_OFFSET, r.handle);
        b.putLong(index + RequestDescriptor.ADDRESS_OFFSET, r.address);
        b.putLong(index + RequestDescriptor.OWNER_MSB_OFFSET, r.ownerMsb);
        b.putLong(index + RequestDescriptor.OWNER_LSB_OFFSET, r.ownerLsb);
        b.putLong(index + RequestDescriptor.TIME_OFFSET, r.timeMs);
        ring.commit(index);
        int spins = 0;
        while (r.completed != r.correlationId)
        {
            if (drained && r.completed != r.correlationId)
            {
                r.result = -ErrorCode.CLOSED.value();
                return;
            }
            backOff(++spins);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T call(final Function<AllocatorEngine, T> command)
    {
        checkOpen();
        Slots.CommandSlot slot;
        while ((slot = freeCommands.poll()) == null)
        {
            Thread.onSpinWait();
        }
        try
        {
            slot.command = command;
            slot.result = null;
            slot.error = null;
            final long correlationId = ring.nextCorrelationId();
            slot.correlationId = correlationId;
            final int index = claim(RequestDescriptor.COMMAND, RequestDescriptor.COMMAND_LENGTH);
            final UnsafeBuffer b = (UnsafeBuffer)ring.buffer();
            b.putLong(index + RequestDescriptor.CORRELATION_ID_OFFSET, correlationId);
            b.putInt(index + RequestDescriptor.SLOT_OFFSET, slot.index);
            ring.commit(index);
            final Slots.CommandSlot s = slot;
            if (!await(() -> s.completed, correlationId))
            {
                throw new IpamException(ErrorCode.CLOSED, "ipam closed before the request was served");
            }
            if (slot.error != null)
            {
                throw slot.error;
            }
            return (T)slot.result;
        }
        finally
        {
            slot.command = null;
            slot.result = null;
            freeCommands.offer(slot);
        }
    }

    @Override
    public <T> java.util.concurrent.CompletableFuture<T> submit(final Function<AllocatorEngine, T> command)
    {
        final java.util.concurrent.CompletableFuture<T> future = new java.util.concurrent.CompletableFuture<>();
        try
        {
            checkOpen();
            startCompleter();
            Slots.CommandSlot slot;
            while ((slot = freeCommands.poll()) == null)
            {
                Thread.onSpinWait();
            }
            slot.command = command;
            slot.result = null;
            slot.error = null;
            final long correlationId = ring.nextCorrelationId();
            slot.correlationId = correlationId;
            final int index;
            try
            {
                index = claim(RequestDescriptor.COMMAND, RequestDescriptor.COMMAND_LENGTH);
            }
            catch (final RuntimeException ex)
            {
                slot.command = null;
                freeCommands.offer(slot);
                throw ex;
            }
            final UnsafeBuffer b = (UnsafeBuffer)ring.buffer();
            b.putLong(index + RequestDescriptor.CORRELATION_ID_OFFSET, correlationId);
            b.putInt(index + RequestDescriptor.SLOT_OFFSET, slot.index);
            ring.commit(index);
            while (!pendingAsync.offer(new Object[] {slot, future}))
            {
                Thread.onSpinWait();
            }
        }
        catch (final RuntimeException ex)
        {
            future.completeExceptionally(ex);
        }
        return future;
    }

    private synchronized void startCompleter()
    {
        if (completer == null)
        {
            completer = new Thread(this::completeLoop, "ipam-completer");
            completer.setDaemon(true);
            completer.start();
        }
    }

    /**
     * Completes asynchronous requests in the order they entered the ring, off the writer's thread, so callbacks
     * never delay the writer.
     */
    @SuppressWarnings("unchecked")
    private void completeLoop()
    {
        int idle = 0;
        while (true)
        {
            final Object[] pending = pendingAsync.poll();
            if (pending == null)
            {
                if (drained)
                {
                    return;
                }
                backOff(++idle);
                continue;
            }
            idle = 0;
            final Slots.CommandSlot slot = (Slots.CommandSlot)pending[0];
            final java.util.concurrent.CompletableFuture<Object> future =
                (java.util.concurrent.CompletableFuture<Object>)pending[1];
            final long correlationId = slot.correlationId;
            final boolean served = await(() -> slot.completed, correlationId);
            final Object result = slot.result;
            final RuntimeException error = served ? slot.error :
                new IpamException(ErrorCode.CLOSED, "ipam closed before the request was served");
            slot.command = null;
            slot.result = null;
            freeCommands.offer(slot);
            if (error != null)
            {
                future.completeExceptionally(error);
            }
            else
            {
                future.complete(result);
            }
        }
    }

    /**
     * Submit many hot requests in one ring claim and wait for all their results (all from one caller).
     *
     * @param types     request type per item ({@link HotRequest} constants).
     * @param handles   subnet handle per item.
     * @param addresses address value per item (specific, release, owner lookups).
     * @param ownerMsb  owner high bits (one owner for the batch).
     * @param ownerLsb  owner low bits.
     * @param timeMs    time of the allocations.
     * @param n         number of items.
     * @param results   receives the result code per item.
     * @param out       receives the address chosen per item.
     */
    public void executeBatch(final int[] types, final int[] handles, final long[] addresses, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int n, final int[] results, final long[] out)
    {
        checkOpen();
        final int length = RequestDescriptor.BATCH_HEADER_LENGTH + n * RequestDescriptor.HOT_LENGTH;
        if (n < 1 || length > ring.maxMsgLength())
        {
            throw new IpamException(ErrorCode.MALFORMED, "a batch holds 1 to " +
                (ring.maxMsgLength() - RequestDescriptor.BATCH_HEADER_LENGTH) / RequestDescriptor.HOT_LENGTH +
                " requests, was " + n);
        }
        Slots.BatchSlot slot;
        while ((slot = freeBatches.poll()) == null)
        {
            Thread.onSpinWait();
        }
        try
        {
            slot.ensure(n);
            final long correlationId = ring.nextCorrelationId();
            slot.correlationId = correlationId;
            final int index = claim(RequestDescriptor.BATCH, length);
            final UnsafeBuffer b = (UnsafeBuffer)ring.buffer();
            b.putLong(index + RequestDescriptor.CORRELATION_ID_OFFSET, correlationId);
            b.putInt(index + RequestDescriptor.SLOT_OFFSET, slot.index);
            b.putInt(index + RequestDescriptor.BATCH_COUNT_OFFSET, n);
            int offset = index + RequestDescriptor.BATCH_HEADER_LENGTH;
            for (int i = 0; i < n; i++)
            {
                b.putLong(offset + RequestDescriptor.CORRELATION_ID_OFFSET, correlationId);
                b.putInt(offset + RequestDescriptor.SLOT_OFFSET, types[i]);
                b.putInt(offset + RequestDescriptor.HANDLE_OFFSET, handles[i]);
                b.putLong(offset + RequestDescriptor.ADDRESS_OFFSET, addresses[i]);
                b.putLong(offset + RequestDescriptor.OWNER_MSB_OFFSET, ownerMsb);
                b.putLong(offset + RequestDescriptor.OWNER_LSB_OFFSET, ownerLsb);
                b.putLong(offset + RequestDescriptor.TIME_OFFSET, timeMs);
                offset += RequestDescriptor.HOT_LENGTH;
            }
            ring.commit(index);
            final Slots.BatchSlot s = slot;
            if (!await(() -> s.completed, correlationId))
            {
                throw new IpamException(ErrorCode.CLOSED, "ipam closed before the batch was served");
            }
            System.arraycopy(slot.results, 0, results, 0, n);
            System.arraycopy(slot.addresses, 0, out, 0, n);
        }
        finally
        {
            freeBatches.offer(slot);
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        runner.close();
        // answer whatever is still in the ring: the agent will never read it
        ring.read((msgTypeId, buffer, index, length) ->
        {
            final long correlationId = buffer.getLong(index + RequestDescriptor.CORRELATION_ID_OFFSET);
            final int slot = buffer.getInt(index + RequestDescriptor.SLOT_OFFSET);
            if (msgTypeId == RequestDescriptor.COMMAND)
            {
                commandSlots[slot].error = new IpamException(ErrorCode.CLOSED, "ipam closed");
                commandSlots[slot].completed = correlationId;
            }
            else if (msgTypeId != RequestDescriptor.BATCH)
            {
                final HotRequest r = hotSlots.get(slot);
                r.result = -ErrorCode.CLOSED.value();
                r.completed = correlationId;
            }
        }, Integer.MAX_VALUE);
        drained = true;
        final Thread c;
        synchronized (this)
        {
            c = completer;
        }
        if (c != null)
        {
            try
            {
                c.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        counters.close();
    }

    /**
     * @return the ring (for depth checks in tests and benchmarks).
     */
    public RingBuffer ring()
    {
        return ring;
    }
}
