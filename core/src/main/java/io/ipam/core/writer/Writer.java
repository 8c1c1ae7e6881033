package io.ipam.core.writer;

import java.util.function.Consumer;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.StoreRefusal;
import io.ipam.core.engine.UndoJournal;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.spi.CommandLog;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * The writer's role: whoever holds it (a caller that found it free, or the dedicated thread) applies commands
 * through the {@link CommandAdapter}, one at a time, and answers them. Never used by two threads at once; the
 * {@link WriterExecutor} hands the role over through its lock, whose release and acquire order every field
 * here.
 * <p>
 * Per command: the undo journal starts, the adapter applies, a state-changing command goes to the command log;
 * any {@code Throwable} (an {@code Error} too) undoes what the command allocated and answers it
 * {@code INTERNAL}, and the writer goes on. Each entry of a {@code BATCH} gets the same treatment on its own (this is
 * the adapter's {@link BatchCommands.EntryScope}): an entry that threw is undone alone, answered {@code INTERNAL} or
 * with the store's refusal, and logged as skipped; the batch is logged once, after its last entry. Answers to commands
 * read from the ring are held until the batch ends: the batch hook (a durable store's sync) runs first if the batch
 * held a state-changing command, so nothing is acknowledged before it is durable; if the hook fails, every command of
 * the batch is answered with its error.
 */
final class Writer implements MessageHandler, BatchCommands.EntryScope
{
    /** Commands read from the ring per batch at most. */
    static final int BATCH_LIMIT = 256;

    private final CommandAdapter adapter;
    private final AllocatorEngine engine;
    private final UndoJournal journal;
    private final ChangeFeed feed;
    private final ReplySlots slots;
    private final IpamCounters counters;
    private final ErrorHandler errors;
    private final Runnable afterBatch;
    private final CommandLog log;
    private final Wire wire = new Wire();
    private final Reply[] held = new Reply[BATCH_LIMIT + 1];
    private int heldCount;
    /** The callback of each slot's asynchronous command (the executor's), or null. */
    private final Consumer<Reply>[] callbacks;
    /** Asynchronous answers of the last batch, for the role holder to publish after it gave the role back. */
    private final Reply[] completed = new Reply[BATCH_LIMIT + 1];
    private int completedCount;
    private boolean batchChanges;
    private long sequence;
    /** The change feed's mark before the current entry of a batch. */
    private long entryMark;
    private volatile Consumer<Reply> faultInjector;
    private volatile boolean failed;

    Writer(
        final CommandAdapter adapter,
        final UndoJournal journal,
        final ChangeFeed feed,
        final ReplySlots slots,
        final IpamCounters counters,
        final ErrorHandler errors,
        final Runnable afterBatch,
        final CommandLog log,
        final AsyncCallbacks async)
    {
        this.callbacks = async.bySlot;
        this.adapter = adapter;
        this.engine = adapter.engine();
        this.journal = journal;
        this.feed = feed;
        this.slots = slots;
        this.counters = counters;
        this.errors = errors;
        this.afterBatch = afterBatch;
        this.log = log;
        adapter.batchScope(this);
    }

    /**
     * @param injector called before each command is applied (tests inject faults), or null.
     */
    void faultInjector(final Consumer<Reply> injector)
    {
        this.faultInjector = injector;
    }

    /**
     * @return true once an undo failed: the state can no longer be trusted and nothing more is applied.
     */
    boolean failed()
    {
        return failed;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int slot = CommandHeader.replySlot(buffer, index);
        final Reply reply = slots.get(slot);
        apply(msgTypeId, buffer, index, length, reply);
        held[heldCount++] = reply;
    }

    /**
     * Apply the role holder's own command, straight from its slot (no ring). Its answer is in the slot when
     * {@link #endBatch} has run.
     *
     * @param reply the slot with the encoded command.
     */
    void applyOwn(final Reply reply)
    {
        apply(reply.type, reply.command, 0, reply.commandLength, reply);
    }

    /**
     * Capture the state for a snapshot, right after the role holder's own {@code CAPTURE} command was applied and
     * before anything else is: the image is of the state as of that command.
     *
     * @param timeMs the snapshot's time (the command's).
     * @return the image.
     */
    SnapshotCodec.Image capture(final long timeMs)
    {
        return SnapshotCodec.capture(engine, timeMs, feed.lastSequence());
    }

    private void apply(final int type, final DirectBuffer buffer, final int offset, final int length,
        final Reply reply)
    {
        counters.requests.incrementRelease();
        if (failed)
        {
            reply.error(ErrorCode.INTERNAL, "the writer stopped after a fault it could not undo; " +
                "reopen the allocator", wire);
            return;
        }
        journal.begin();
        batchChanges |= MessageTypes.isMutation(type);
        final long version = engine.stateVersion();
        final long mark = feed.lastSequence();
        try
        {
            final Consumer<Reply> injector = faultInjector;
            if (injector != null)
            {
                injector.accept(reply);
            }
            adapter.onCommand(type, buffer, offset, length, reply);
            feed.commit();
            // a read that let a due lease expire changed state too: it is logged and synced like a mutation
            final boolean changed = MessageTypes.isMutation(type) || engine.stateVersion() != version;
            batchChanges |= changed;
            if (log != null && changed)
            {
                log.onCommand(++sequence, CommandHeader.timeMs(buffer, offset), type, buffer, offset, length);
                answered(reply);
            }
        }
        catch (final Throwable t)
        {
            undo();
            feed.truncate(mark); // the undone changes never happened
            if (t instanceof StoreRefusal || t instanceof IpamException)
            {
                // a store that refused the change (STORE_IO, STORE_FULL): an answer, not a fault of the writer
                final IpamException ex = t instanceof StoreRefusal ? ((StoreRefusal)t).refusal() : (IpamException)t;
                reply.error(ex.code(), ex.reason(), wire);
            }
            else
            {
                fault(t);
                reply.error(ErrorCode.INTERNAL, "the writer failed on this " + MessageTypes.name(type) +
                    " request (" + t.getClass().getSimpleName() + "); it was undone and reported", wire);
            }
        }
        count(type, reply.code);
    }

    @Override
    public boolean begin()
    {
        if (failed)
        {
            return false;
        }
        journal.begin();
        entryMark = feed.lastSequence();
        return true;
    }

    @Override
    public void commit(final int type, final int code)
    {
        feed.commit();
        count(type, code);
    }

    @Override
    public int fault(final int type, final Throwable t)
    {
        undo();
        feed.truncate(entryMark); // the undone changes never happened
        final int code;
        if (t instanceof StoreRefusal || t instanceof IpamException)
        {
            code = (t instanceof StoreRefusal ? ((StoreRefusal)t).refusal() : (IpamException)t).code().resultCode();
        }
        else
        {
            fault(t);
            code = ErrorCode.INTERNAL.resultCode();
        }
        count(type, code);
        return code;
    }

    private void answered(final Reply reply)
    {
        try
        {
            log.onAnswer(sequence, reply);
        }
        catch (final Throwable t)
        {
            fault(t); // the command is logged and stands: a failing audit hook must not undo it
        }
    }

    private void count(final int type, final int rc)
    {
        if (rc < 0)
        {
            counters.failed(rc);
        }
        else if (type <= MessageTypes.ALLOCATE_EUI64)
        {
            counters.allocations.incrementRelease();
        }
        else if (rc == AllocatorEngine.RELEASED &&
            (type == MessageTypes.RELEASE || type == MessageTypes.RELEASE_CHECKED))
        {
            counters.releases.incrementRelease();
        }
    }

    private void undo()
    {
        try
        {
            journal.undo(engine);
        }
        catch (final Throwable t)
        {
            failed = true;
            fault(t);
        }
    }

    private void fault(final Throwable t)
    {
        counters.writerErrors.incrementRelease();
        try
        {
            errors.onError(t);
        }
        catch (final Throwable ignore)
        {
            // a failing error handler must not take the writer down
        }
    }

    /**
     * End a batch: run the batch hook, then publish the answers held back.
     *
     * @param own the role holder's own slot if it applied one (answered in place, not published), or null.
     */
    void endBatch(final Reply own)
    {
        if (afterBatch != null && batchChanges)
        {
            try
            {
                afterBatch.run();
            }
            catch (final Throwable t)
            {
                fault(t);
                final ErrorCode code = t instanceof IpamException ? ((IpamException)t).code() : ErrorCode.STORE_IO;
                final String message = "the store failed to make this batch durable: " +
                    (t instanceof IpamException ? ((IpamException)t).reason() : String.valueOf(t));
                for (int i = 0; i < heldCount; i++)
                {
                    held[i].error(code, message, wire);
                }
                if (own != null)
                {
                    own.error(code, message, wire);
                }
            }
        }
        for (int i = 0; i < heldCount; i++)
        {
            final Reply r = held[i];
            held[i] = null;
            if (callbacks[r.slot] != null)
            {
                completed[completedCount++] = r; // its caller is not waiting: its callback runs after the role
            }
            else if (!r.answerAndWake())
            {
                slots.release(r); // its caller stopped waiting: the slot is free only now
            }
        }
        heldCount = 0;
        batchChanges = false;
    }

    /**
     * @return true if the last batch answered asynchronous commands whose callbacks are still to run.
     */
    boolean hasCompletions()
    {
        return completedCount > 0;
    }

    /**
     * Hand the asynchronous answers of the last batch, with their callbacks, to the role holder (under the role).
     *
     * @param into the holder's own completions.
     * @return how many were added.
     */
    int takeCompletions(final AsyncCallbacks.Completions into)
    {
        final int n = completedCount;
        for (int i = 0; i < n; i++)
        {
            final Reply r = completed[i];
            completed[i] = null;
            into.add(r, callbacks[r.slot]);
            callbacks[r.slot] = null;
        }
        completedCount = 0;
        return n;
    }

    /**
     * Drain up to one batch from the ring.
     *
     * @param ring the ring.
     * @return commands read.
     */
    int drain(final ManyToOneRingBuffer ring)
    {
        return ring.read(this, BATCH_LIMIT);
    }
}
