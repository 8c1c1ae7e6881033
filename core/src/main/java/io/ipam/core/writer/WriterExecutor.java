package io.ipam.core.writer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.WriterMode;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.StateListener;
import io.ipam.core.engine.UndoJournal;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.Reply;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.spi.CommandLog;
import org.agrona.BufferUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the one writer, either on the callers' own threads (flat combining, {@link WriterMode#CALLER_RUNS}, the
 * default) or on a thread of its own ({@link WriterMode#DEDICATED}); both use the same ring, the same
 * {@link Writer} and the same adapter.
 * <p>
 * Caller-runs: a caller encodes its command into its reply slot. If it finds the writer role free it takes
 * it, applies its own command straight from the slot, drains whatever other callers queued in the ring,
 * runs the batch hook, publishes their answers, and gives the role back. If the role is taken it copies its
 * command into the {@code ManyToOneRingBuffer} and waits for its answer, taking the role itself whenever it
 * finds it free (so a command in the ring is never stranded). Nothing runs while nobody calls.
 * <p>
 * Asynchronous calls ({@link #executeAsync}) in caller-runs mode: a caller that finds the role free runs as above;
 * otherwise it copies its command into the ring, tries the role once more, and returns without waiting. Whoever gives
 * the role back looks at the ring again and serves it if a command came in meanwhile (an asynchronous caller that
 * failed to take the role did so while the role was held, so the holder's second look sees its command). The
 * callback of an asynchronous command runs on the thread that applied it, after the batch hook (nothing is
 * acknowledged before it is durable) and after that thread gave the role back (a callback may call the allocator);
 * answers a thread takes from inside a callback run after that callback returns, never inside it
 * ({@link AsyncCallbacks.Completions}).
 * <p>
 * Dedicated: an {@link AgentRunner} holds the role and drains the ring; callers only enqueue and wait (a
 * command too large for the ring is run by its caller under the role lock); callbacks run on the writer's thread.
 * <p>
 * Every wait is bounded by {@link IpamConfig#requestTimeout()}: a free reply slot, room in the ring, and the
 * answer ({@code OVERLOADED} after it; the message says whether the command may still be applied).
 * <p>
 * Just over 700 lines, one job: who holds the writer role and how it is handed over (taking it, draining, giving
 * it back and looking again, captures and close between commands). Those parts share one set of invariants (no
 * command stranded in the ring, no answer published before the batch hook), so they stay in one file.
 */
public final class WriterExecutor implements CommandTransport
{
    private static final Logger LOG = LoggerFactory.getLogger(WriterExecutor.class);
    private static final int SLOTS = 1024;
    /** Batches a caller giving the role back serves at most before it leaves the rest to others. */
    private static final int MAX_RELOOKS = 8;
    private final AllocatorEngine engine;
    private final Writer writer;
    private final ManyToOneRingBuffer ring;
    private final ReplySlots slots = new ReplySlots(SLOTS);
    private final AtomicBoolean role = new AtomicBoolean();
    /** The asynchronous commands' callbacks, by slot, and each thread's answers to publish. */
    private final AsyncCallbacks async = new AsyncCallbacks(SLOTS);
    private final IpamCounters counters;
    private final long timeoutNs;
    private final boolean callerRuns;
    private final AgentRunner runner;
    private final WakeableIdleStrategy wakeable;
    private volatile boolean closed;

    /**
     * @param engine the engine; owned by the writer from now on.
     * @param config mode, ring capacity, timeout, idle strategy, counters directory, command log.
     * @param store  told of every change after the undo journal and the change feed, and synced after each batch
     *               before its answers go out (a durable store), or null.
     */
    public WriterExecutor(final AllocatorEngine engine, final IpamConfig config, final Store store)
    {
        this.engine = engine;
        this.timeoutNs = config.requestTimeout().toNanos();
        this.callerRuns = config.writerMode() == WriterMode.CALLER_RUNS;
        this.ring = newRing(config.ringCapacity());
        this.counters = IpamCounters.create(config.countersDir());
        // the engine tells the undo journal first, then the change feed, then the store
        final ChangeFeed feed = new ChangeFeed(engine, (int)config.changeRetention(),
            store == null ? StateListener.NONE : store);
        if (store != null)
        {
            store.attach(feed);
        }
        if (feed.lastSequence() == 0 && engine.restoredSequence() > 0)
        {
            // a restored allocator continues its snapshot's sequence (a store's journal, when it has one, wins)
            feed.resume(engine.restoredSequence());
        }
        final UndoJournal journal = new UndoJournal(feed);
        engine.listener(journal);
        final ErrorHandler errors = t -> LOG.error("allocator writer fault", t);
        final CommandLog log = config.commandLog();
        this.writer = new Writer(new CommandAdapter(engine, config, feed), journal, feed, slots, counters, errors,
            store == null ? null : store::afterBatch, log, async);
        if (callerRuns)
        {
            runner = null;
            wakeable = null;
        }
        else
        {
            final IdleStrategy idle = config.idleStrategy() == null ? new WakeableIdleStrategy() :
                config.idleStrategy().get();
            wakeable = idle instanceof WakeableIdleStrategy ? (WakeableIdleStrategy)idle : null;
            runner = new AgentRunner(idle, errors, null, new DedicatedAgent());
            AgentRunner.startOnThread(runner, r ->
            {
                final Thread t = new Thread(r);
                t.setDaemon(true); // a forgotten close() must not keep the JVM alive
                return t;
            });
        }
    }

    private static ManyToOneRingBuffer newRing(final int capacity)
    {
        try
        {
            final ByteBuffer bytes = BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH,
                64);
            return new ManyToOneRingBuffer(new UnsafeBuffer(bytes));
        }
        catch (final IllegalAccessError | ExceptionInInitializerError | NoClassDefFoundError ex)
        {
            throw new IpamException(ErrorCode.INTERNAL, "Agrona cannot reach jdk.internal.misc.Unsafe: start the " +
                "JVM with --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (" + ex + ")", ex);
        }
    }

    /**
     * @return the counters.
     */
    public IpamCounters counters()
    {
        return counters;
    }

    /**
     * @param injector run on the writer before each command (tests inject faults with it), or null.
     */
    public void faultInjector(final Consumer<Reply> injector)
    {
        writer.faultInjector(injector);
    }

    /**
     * @return ring bytes in use (tests and benchmarks).
     */
    public int ringSize()
    {
        return ring.size();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    /**
     * A free reply slot for a request, waiting up to the request timeout. The caller encodes its command into
     * {@link Reply#command} (leaving the header's correlation id and slot to {@link #execute}), runs it, reads the
     * answer, and gives the slot back with {@link #release}.
     *
     * @return the slot, reset.
     */
    @Override
    public Reply acquire()
    {
        return acquire(0);
    }

    /**
     * {@link #acquire()} for a command of a known size: a large one gets a slot kept grown for large commands when
     * one is free.
     *
     * @param commandBytes the command's length.
     * @return the slot, reset.
     */
    @Override
    public Reply acquire(final int commandBytes)
    {
        checkOpen();
        Reply r = slots.acquire(commandBytes);
        if (r == null)
        {
            final long deadline = System.nanoTime() + timeoutNs;
            int spins = 0;
            while ((r = slots.acquire(commandBytes)) == null)
            {
                checkOpen();
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IpamException(ErrorCode.OVERLOADED, SLOTS + " requests are in flight and none " +
                        "finished within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms");
                }
                Waits.backOff(++spins);
            }
        }
        r.reset();
        return r;
    }

    /**
     * @param r a slot from {@link #acquire}, after its answer was read.
     */
    @Override
    public void release(final Reply r)
    {
        slots.release(r);
    }

    /**
     * Run the command encoded in the slot and wait for its answer, in the slot when this returns.
     *
     * @param r the slot: {@link Reply#type} and {@link Reply#commandLength} set, the command encoded.
     * @throws IpamException {@code CLOSED} or {@code OVERLOADED}; the slot is then taken care of (given back, or
     *                       handed to the writer if the command was queued): do not release it.
     */
    @Override
    public void execute(final Reply r)
    {
        if (closed)
        {
            slots.release(r);
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
        r.stampHeader();
        final boolean oversize = r.commandLength > ring.maxMsgLength();
        try
        {
            if ((callerRuns || oversize) && runOwn(r))
            {
                return;
            }
            if (oversize)
            {
                awaitRole(r);
                return;
            }
            enqueue(r);
        }
        catch (final IpamException ex)
        {
            slots.release(r); // not applied: the slot is the caller's to give back, and this does it
            throw ex;
        }
        awaitAnswer(r); // throws only after giving the slot up to the writer
    }

    /**
     * Send the command without waiting for its answer. Caller-runs: if the role is free this caller applies it (with
     * whatever others queued) and calls {@code onAnswer} before returning; otherwise the command is queued and this
     * returns at once, and {@code onAnswer} runs on the thread that applies it, after the batch hook and after that
     * thread gave the role back. Dedicated: queued, answered on the writer's thread. A command too large for the ring
     * waits for the role (up to the request timeout) and is answered on this thread. {@code onAnswer} must not block;
     * it reads the answer and gives the slot back with {@link #release}.
     *
     * @param r        the slot: {@link Reply#type} and {@link Reply#commandLength} set, the command encoded.
     * @param onAnswer told of the answer, once.
     * @throws IpamException {@code CLOSED}, or {@code OVERLOADED} when the ring stayed full (the command was not
     *                       applied); the slot is then given back and {@code onAnswer} is not called.
     */
    @Override
    public void executeAsync(final Reply r, final Consumer<Reply> onAnswer)
    {
        if (closed)
        {
            slots.release(r);
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
        r.stampHeader();
        final boolean oversize = r.commandLength > ring.maxMsgLength();
        boolean answered = false;
        try
        {
            answered = (callerRuns || oversize) && runOwn(r);
            if (!answered && oversize)
            {
                awaitRole(r);
                answered = true;
            }
            if (!answered)
            {
                async.register(r, onAnswer); // before the command enters the ring: a holder's second look sees it
                enqueue(r);
            }
        }
        catch (final IpamException ex)
        {
            async.unregister(r);
            slots.release(r); // not applied: the slot is the caller's to give back, and this does it
            throw ex;
        }
        if (answered)
        {
            AsyncCallbacks.call(onAnswer, r);
            return;
        }
        if (callerRuns && tryRole())
        {
            // the holder may have looked at the ring before our command reached it: serve it ourselves
            try
            {
                if (!closed)
                {
                    writer.drain(ring);
                    writer.endBatch(null);
                }
            }
            finally
            {
                releaseRole();
            }
        }
    }

    /**
     * Take the writer role if it is free: look first, and compare-and-set only when it looked free, so waiters do not
     * pull the role's cache line away from its holder with failing CASes.
     */
    private boolean tryRole()
    {
        return !role.get() && role.compareAndSet(false, true);
    }

    /**
     * Try to take the writer role and apply this caller's command with whatever others queued.
     */
    private boolean runOwn(final Reply r)
    {
        if (!tryRole())
        {
            return false;
        }
        try
        {
            checkOpen(); // close() takes the role for good: past this point the writer still serves
            writer.applyOwn(r);
            writer.drain(ring);
            writer.endBatch(r);
        }
        finally
        {
            releaseRole();
        }
        return true;
    }

    /**
     * Give the role back (the caller holds it), publish the asynchronous answers of what was applied under it, and
     * serve the ring again while a command waits there and the role is free. Every caller whose command is in the ring
     * tried the role after queuing it (a synchronous caller before it waits, an asynchronous one before it returns);
     * one that found it held relies on the holder to look again after giving it back, so no waiter has to wake up on
     * a timer to serve its own command. The look is bounded ({@link #MAX_RELOOKS} more batches, and none once a batch
     * finds nothing committed yet, unless an asynchronous command is registered: its caller may have tried the role
     * while this thread held it for that empty look, so it is looked for again until it is served or another thread
     * holds the role), so a holder is not kept serving
     * others for ever; a command still queued then is served by the next caller that takes the role, or by its own
     * caller when its bounded park ends.
     */
    private void releaseRole()
    {
        AsyncCallbacks.Completions done = async.take(writer);
        role.set(false);
        int looks = 0;
        while (true)
        {
            if (done != null)
            {
                done.run();
            }
            // past the bound only for asynchronous commands: nobody waits to serve those but the holder
            if (!callerRuns || closed || (looks++ >= MAX_RELOOKS && !async.anyQueued()) || ring.size() == 0 ||
                !tryRole())
            {
                return;
            }
            final int served;
            try
            {
                served = closed ? 0 : writer.drain(ring);
                if (served > 0)
                {
                    writer.endBatch(null);
                }
                done = async.take(writer);
            }
            finally
            {
                role.set(false);
            }
            if (served == 0)
            {
                if (done != null)
                {
                    done.run();
                    done = null;
                }
                if (!async.anyQueued())
                {
                    return;
                }
                // an asynchronous command is claimed in the ring but not committed yet: its caller may have tried the
                // role while this thread held it for the empty drain, so nobody else will serve it; look again
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The hand-over's state, read racily, for a test's failure message: the role, the ring, the asynchronous commands.
     */
    String describe()
    {
        return "role " + (role.get() ? "held" : "free") + ", ring " + ring.size() + " bytes (head " +
            ring.consumerPosition() + ", tail " + ring.producerPosition() + "), " + async.describe();
    }

    private void awaitRole(final Reply r)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int spins = 0;
        while (!runOwn(r))
        {
            checkOpen();
            if (System.nanoTime() - deadline > 0)
            {
                throw overloaded("the writer stayed busy", false);
            }
            Waits.backOff(++spins);
        }
    }

    private void enqueue(final Reply r)
    {
        long deadline = 0;
        int spins = 0;
        while (!ring.write(r.type, r.command, 0, r.commandLength))
        {
            checkOpen();
            if (deadline == 0)
            {
                counters.backPressure.incrementRelease();
                deadline = System.nanoTime() + timeoutNs;
            }
            else if (System.nanoTime() - deadline > 0)
            {
                throw overloaded("the request queue stayed full", false);
            }
            if (callerRuns)
            {
                combine();
            }
            Waits.backOff(++spins);
        }
        if (wakeable != null)
        {
            VarHandle.fullFence(); // the commit before the look at the writer's sleep flag
            wakeable.wake();
        }
    }

    private void awaitAnswer(final Reply r)
    {
        final long start = System.nanoTime();
        int spins = 0;
        while (!r.isAnswered())
        {
            if (callerRuns && combine())
            {
                continue;
            }
            if (closed && !r.isAnswered())
            {
                if (!r.abandon())
                {
                    return;
                }
                throw new IpamException(ErrorCode.CLOSED, "ipam closed before the request was served");
            }
            if (System.nanoTime() - start - timeoutNs > 0)
            {
                if (!r.abandon())
                {
                    return; // the answer came in the meantime
                }
                throw overloaded("no answer came", true);
            }
            Waits.forAnswer(r, ++spins);
        }
    }

    /**
     * Take the role if free and serve one batch from the ring.
     *
     * @return true if the role was taken.
     */
    private boolean combine()
    {
        if (!tryRole())
        {
            return false;
        }
        try
        {
            if (!closed)
            {
                writer.drain(ring);
                writer.endBatch(null);
            }
        }
        finally
        {
            releaseRole();
        }
        return true;
    }

    private IpamException overloaded(final String what, final boolean queued)
    {
        return new IpamException(ErrorCode.OVERLOADED, what + " within " +
            TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms" + (queued ?
            "; the request was queued and may still be applied" : "; the request was not applied"));
    }

    /**
     * Apply a {@code CAPTURE} command and capture the state for a snapshot as of it, under one hold of the writer
     * role: the command runs what every command runs first (the clock, due leases) and is logged if that changed
     * state; the image is taken before anything else is applied. The caller writes the image to a file off the
     * writer.
     *
     * @param r the slot with the {@code CAPTURE} command encoded; its answer is in it when this returns.
     * @return the image, or null if the command was refused (its code and message are in the slot).
     * @throws IpamException {@code CLOSED} or {@code OVERLOADED} (the writer stayed busy); the slot is then given
     *                       back: do not release it.
     */
    public SnapshotCodec.Image capture(final Reply r)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int spins = 0;
        r.stampHeader();
        while (!role.compareAndSet(false, true))
        {
            if (closed || System.nanoTime() - deadline > 0)
            {
                slots.release(r);
                throw closed ? new IpamException(ErrorCode.CLOSED, "ipam is closed") :
                    overloaded("the writer stayed busy", false);
            }
            Waits.backOff(++spins);
        }
        SnapshotCodec.Image image = null;
        try
        {
            if (closed)
            {
                slots.release(r);
                throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
            }
            writer.applyOwn(r);
            if (r.code >= 0)
            {
                image = writer.capture(CommandHeader.timeMs(r.command, 0));
            }
            writer.drain(ring);
            writer.endBatch(r);
        }
        finally
        {
            releaseRole();
        }
        return r.code >= 0 ? image : null;
    }

    /**
     * Capture the state for a snapshot as it is between commands, with the change feed's last sequence (a restore
     * continues it), the role held: for the writer's only user, which needs no {@code CAPTURE} command to order the
     * image (a cluster member's service thread between log entries; {@link #capture(Reply)} would apply a command).
     *
     * @param timeMs the snapshot's time.
     * @return the image.
     */
    public SnapshotCodec.Image captureBetweenCommands(final long timeMs)
    {
        final SnapshotCodec.Image[] image = new SnapshotCodec.Image[1];
        withRole(e -> image[0] = writer.capture(timeMs));
        return image[0];
    }

    /**
     * Run something on the writer with the role held, outside any command (recovery, tests).
     *
     * @param action the action; it gets the engine.
     */
    public void withRole(final Consumer<AllocatorEngine> action)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        int spins = 0;
        while (!role.compareAndSet(false, true))
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw overloaded("the writer stayed busy", false);
            }
            Waits.backOff(++spins);
        }
        try
        {
            action.accept(engine);
        }
        finally
        {
            releaseRole();
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
        if (runner != null)
        {
            runner.close();
        }
        // take the role for good and answer whatever is still queued with CLOSED
        int spins = 0;
        final long deadline = System.nanoTime() + timeoutNs;
        while (!role.compareAndSet(false, true) && System.nanoTime() - deadline < 0)
        {
            Waits.backOff(++spins);
        }
        ring.read((type, buffer, index, length) ->
        {
            final Reply r = slots.get(CommandHeader.replySlot(buffer, index));
            r.code = ErrorCode.CLOSED.resultCode();
            r.payloadLength = 0;
            final Consumer<Reply> callback = async.remove(r);
            if (callback != null)
            {
                AsyncCallbacks.call(callback, r);
            }
            else if (!r.answerAndWake())
            {
                slots.release(r);
            }
        }, Integer.MAX_VALUE);
        counters.close();
    }

    /**
     * The dedicated thread's duty cycle: hold the role while draining one batch.
     */
    private final class DedicatedAgent implements Agent
    {
        @Override
        public int doWork()
        {
            if (!role.compareAndSet(false, true))
            {
                return 0;
            }
            final int work;
            AsyncCallbacks.Completions done = null;
            try
            {
                work = writer.drain(ring);
                if (work > 0)
                {
                    writer.endBatch(null);
                    done = async.take(writer);
                }
                counters.queueDepth.setRelease(ring.size());
            }
            finally
            {
                role.set(false);
            }
            if (done != null)
            {
                done.run();
            }
            return work;
        }

        @Override
        public String roleName()
        {
            return "ipam-writer";
        }
    }
}
