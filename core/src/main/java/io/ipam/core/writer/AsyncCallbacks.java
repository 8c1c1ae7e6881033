package io.ipam.core.writer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.ipam.core.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The callbacks of an executor's asynchronous commands: one per reply slot, set before the command enters the ring
 * and taken by the writer when it answers the slot; a count of those still queued; and each thread's lists of
 * answers to publish after it gave the writer role back ({@link Completions}). The slot array is written by the
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
    /** Each thread's lists of asynchronous answers to publish after it gave the role back. */
    private final ThreadLocal<Completions> lists = ThreadLocal.withInitial(Completions::new);

    @SuppressWarnings({"unchecked", "rawtypes"})
    AsyncCallbacks(final int slots)
    {
        bySlot = new Consumer[slots];
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
     * @return this thread's free list, filled, or null if there are none.
     */
    Completions take(final Writer writer)
    {
        if (!writer.hasCompletions())
        {
            return null;
        }
        final Completions done = writer.takeCompletions(lists.get().free());
        queued.addAndGet(-done.count);
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
     * Asynchronous answers taken from the writer under the role, published by the same thread after it gave the role
     * back: each callback gets its slot (and gives it back). Per thread, never shared; a callback that calls the
     * allocator may take the role and publish more answers while its own list is being run, so each thread keeps a
     * stack of lists, one per such depth ({@link #free}).
     */
    static final class Completions
    {
        final Reply[] replies = new Reply[Writer.BATCH_LIMIT + 1];
        @SuppressWarnings({"unchecked", "rawtypes"})
        final Consumer<Reply>[] callbacks = new Consumer[Writer.BATCH_LIMIT + 1];
        int count;
        private boolean running;
        private Completions deeper;

        /**
         * @return this list, or when it is being run (a callback called the allocator) the first deeper one that is
         *         not.
         */
        Completions free()
        {
            Completions c = this;
            while (c.running)
            {
                if (c.deeper == null)
                {
                    c.deeper = new Completions();
                }
                c = c.deeper;
            }
            return c;
        }

        void run()
        {
            final int n = count;
            count = 0;
            running = true;
            try
            {
                for (int i = 0; i < n; i++)
                {
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
