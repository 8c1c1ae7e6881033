package io.ipam.core.writer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.ipam.core.protocol.Reply;
import org.agrona.BitUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callbacks of an executor's asynchronous commands: one per reply slot, set before the command enters the ring
 * and taken by the writer when it answers the slot; a count of those still queued; and each thread's answers to
 * publish after it gave the writer role back ({@link Completions}). The slot array is written by the
 * command's caller before the ring's commit publishes it and read by the role holder after the ring's read.
 */
final class AsyncCallbacks
{
    private static final Logger LOG = LoggerFactory.getLogger(AsyncCallbacks.class);

    /** The callback of each slot's asynchronous command, or null. */
    final Consumer<Reply>[] bySlot;
    /**
     * Asynchronous commands in the ring or being applied: counted up before they enter the ring, down when their
     * answers are taken. A role holder looks at the ring again after giving the role back only while this is above 0
     * (a synchronous caller serves the ring itself while it waits).
     */
    private final AtomicInteger queued = new AtomicInteger();
    /** Each thread's asynchronous answers to publish after it gave the role back. */
    private final ThreadLocal<Completions> lists;

    @SuppressWarnings({"unchecked", "rawtypes"})
    AsyncCallbacks(final int slots)
    {
        bySlot = new Consumer[slots];
        lists = ThreadLocal.withInitial(() -> new Completions(slots));
    }

    /**
     * @param r        the slot of a command about to enter the ring.
     * @param onAnswer its callback.
     */
    void register(final Reply r, final Consumer<Reply> onAnswer)
    {
        bySlot[r.slot] = onAnswer;
        queued.incrementAndGet();
    }

    /**
     * Forget the callback of a command that never entered the ring.
     *
     * @param r its slot.
     */
    void unregister(final Reply r)
    {
        if (bySlot[r.slot] != null)
        {
            bySlot[r.slot] = null;
            queued.decrementAndGet();
        }
    }

    /**
     * @param r a slot answered outside the writer (on close).
     * @return its callback, now forgotten, or null if its caller waits.
     */
    Consumer<Reply> remove(final Reply r)
    {
        final Consumer<Reply> c = bySlot[r.slot];
        bySlot[r.slot] = null;
        return c;
    }

    /**
     * @return true while an asynchronous command is queued or being applied.
     */
    boolean anyQueued()
    {
        return queued.get() > 0;
    }

    /**
     * @return the count of queued asynchronous commands and the slots with a callback, read racily (tests).
     */
    String describe()
    {
        final StringBuilder b = new StringBuilder().append(queued.get()).append(" asynchronous queued, callbacks in [");
        for (int i = 0; i < bySlot.length; i++)
        {
            if (bySlot[i] != null)
            {
                b.append(' ').append(i);
            }
        }
        return b.append(" ]").toString();
    }

    /**
     * Under the role: the asynchronous answers of the batch just ended, with their callbacks, for this thread to
     * publish once it gave the role back.
     *
     * @param writer the writer that answered them.
     * @return this thread's completions, with them added, or null if there are none.
     */
    Completions take(final Writer writer)
    {
        if (!writer.hasCompletions())
        {
            return null;
        }
        final Completions done = lists.get();
        queued.addAndGet(-writer.takeCompletions(done));
        return done;
    }

    static void call(final Consumer<Reply> callback, final Reply r)
    {
        try
        {
            callback.accept(r);
        }
        catch (final Throwable t)
        {
            LOG.error("a callback of an asynchronous request failed", t);
        }
    }

    /**
     * A thread's asynchronous answers taken from the writer under the role, published by that thread after it gave the
     * role back: each callback gets its slot (and gives it back). Per thread, never shared; a first-in first-out ring
     * as large as the slot pool (each answer waiting here holds a slot of its own, so it never overflows).
     * <p>
     * Callbacks never run inside one another: a callback that calls the allocator may take the role there and take
     * other callers' answers, which are added here while this thread's {@link #run} is still running them, and that
     * run calls them once the callback returns. So a thread's stack holds one callback at a time, however many
     * answers it serves from inside callbacks; before, each such answer ran on top of the callback that took it, and a
     * thread that kept serving others from its callbacks ran out of stack (a {@code StackOverflowError} that the
     * callback's future swallowed, losing the answers still queued on that thread).
     */
    static final class Completions
    {
        private final Reply[] replies;
        private final Consumer<Reply>[] callbacks;
        private final int mask;
        private int head;
        private int tail;
        private boolean running;

        @SuppressWarnings({"unchecked", "rawtypes"})
        Completions(final int capacity)
        {
            final int size = BitUtil.findNextPositivePowerOfTwo(capacity);
            replies = new Reply[size];
            callbacks = new Consumer[size];
            mask = size - 1;
        }

        void add(final Reply r, final Consumer<Reply> callback)
        {
            final int i = tail++ & mask;
            replies[i] = r;
            callbacks[i] = callback;
        }

        /**
         * Call every answer waiting here, and those added meanwhile, in order; nothing if this thread is already
         * running them (it is in one of their callbacks: its run calls these after that callback returns).
         */
        void run()
        {
            if (running)
            {
                return;
            }
            running = true;
            try
            {
                while (head != tail)
                {
                    final int i = head++ & mask;
                    final Reply r = replies[i];
                    final Consumer<Reply> c = callbacks[i];
                    replies[i] = null;
                    callbacks[i] = null;
                    call(c, r);
                }
            }
            finally
            {
                running = false;
            }
        }
    }
}
