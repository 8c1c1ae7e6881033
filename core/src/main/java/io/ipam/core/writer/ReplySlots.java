package io.ipam.core.writer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of {@link Reply} slots: memory for requests in flight is bounded by it. A slot is named by its
 * index in the ring, so the writer finds the caller's slot without any lookup. Most slots keep small buffers; a few
 * ({@link #LARGE_SLOTS}) that grew for a large request (a {@code BATCH}) are kept apart, with their buffers, for the
 * next large request, so batches do not grow (and throw away) a fresh buffer each time.
 * <p>
 * A calling thread owns one slot ({@link #acquire}): it takes it from the pool on its first request and uses it for
 * every later one while it is not in flight, so the request path touches no shared pool (two contended CASes a
 * request before). At most half the slots are owned; the rest stay pooled for every other thread, and for a thread
 * whose own slot is still in flight (an asynchronous request, or one it stopped waiting for). A slot whose owner
 * died goes back to the pool when the pool runs dry ({@link #reclaim}): no thread and no {@code Cleaner} is needed
 * for it (the allocator starts no thread in caller-runs mode), and a slot still in flight is left until its answer
 * frees it.
 */
final class ReplySlots
{
    /** A slot's buffers are kept up to this size each; a slot that grew past it is replaced when given back. */
    static final int KEEP_BYTES = 16 * 1024;
    /** Slots kept apart, grown, for large requests. */
    static final int LARGE_SLOTS = 8;
    /** A large slot's buffers are kept up to this size each (a batch of 10,000 entries is 480 KB). */
    static final int LARGE_KEEP_BYTES = 512 * 1024;

    private final Reply[] byIndex;
    /** Per slot, its owner while a thread owns it, else null. */
    private final Owned[] owned;
    /** This allocator's slot of each thread that owns one. */
    private final ThreadLocal<Owned> own = new ThreadLocal<>();
    private final int ownedMax;
    private int ownedCount; // under the monitor
    private final ManyToManyConcurrentArrayQueue<Reply> free;
    private final ManyToManyConcurrentArrayQueue<Reply> large = new ManyToManyConcurrentArrayQueue<>(LARGE_SLOTS);

    ReplySlots(final int size)
    {
        byIndex = new Reply[size];
        owned = new Owned[size];
        ownedMax = size / 2;
        free = new ManyToManyConcurrentArrayQueue<>(size);
        for (int i = 0; i < size; i++)
        {
            byIndex[i] = new Reply(i);
            free.offer(byIndex[i]);
        }
    }

    /**
     * A slot for this thread's request: its own slot when it has one that is not in flight; else, while fewer than
     * half the slots are owned, a pooled slot that it owns from now on; else a pooled slot (see {@link #poll(int)}).
     *
     * @param commandBytes the size of the command the slot is for.
     * @return a free slot, or null if none is free.
     */
    Reply acquire(final int commandBytes)
    {
        if (commandBytes <= KEEP_BYTES)
        {
            final Owned o = own.get();
            if (o != null)
            {
                if (o.take())
                {
                    return byIndex[o.slot];
                }
            }
            else if (ownedCount < ownedMax)
            {
                final Reply r = free.poll();
                if (r != null)
                {
                    own(r);
                    return r;
                }
            }
        }
        final Reply r = poll(commandBytes);
        return r != null || reclaim() == 0 ? r : poll(commandBytes);
    }

    private synchronized void own(final Reply r)
    {
        if (ownedCount >= ownedMax)
        {
            return; // others took the owned share meanwhile: this one stays a pooled slot, handed out once
        }
        final Owned o = new Owned(r.slot, Thread.currentThread());
        owned[r.slot] = o;
        ownedCount++;
        own.set(o);
    }

    /**
     * Give the slots of threads that died back to the pool (those not in flight).
     *
     * @return how many came back.
     */
    synchronized int reclaim()
    {
        int n = 0;
        for (int i = 0; i < owned.length; i++)
        {
            final Owned o = owned[i];
            if (o != null && !o.thread.isAlive() && o.retire())
            {
                owned[i] = null;
                ownedCount--;
                free.offer(byIndex[i]);
                n++;
            }
        }
        return n;
    }

    /**
     * @return a free slot, or null if all are in use.
     */
    Reply poll()
    {
        return free.poll();
    }

    /**
     * @param commandBytes the size of the command the slot is for.
     * @return a free slot, one kept grown when the command is large and one is free, or null if all are in use.
     */
    Reply poll(final int commandBytes)
    {
        if (commandBytes > KEEP_BYTES)
        {
            final Reply r = large.poll();
            if (r != null)
            {
                return r;
            }
        }
        return free.poll();
    }

    /**
     * Give a slot back. A slot whose command or answer buffer grew past {@link #KEEP_BYTES} (a batch, a bulk answer, a
     * large port request or list) is kept apart for the next large request if both its buffers are at most
     * {@link #LARGE_KEEP_BYTES} and fewer than {@link #LARGE_SLOTS} are kept; otherwise it is replaced by a fresh one.
     * So the pool never keeps the largest request's or answer's size: {@code LARGE_SLOTS} slots hold at most
     * 2 x {@code LARGE_KEEP_BYTES} each (8 MiB), the others 2 x {@code KEEP_BYTES}. A new slot is published through
     * the free queue (offer, then poll, then the ring) before any thread looks it up by index.
     *
     * @param r a slot that no caller and no writer uses any more.
     */
    void release(final Reply r)
    {
        Reply slot = r;
        final Owned o = owned[r.slot];
        if (o != null)
        {
            // an owned slot stays its thread's; one that grew is replaced in place before it is free again
            if (r.command.capacity() > KEEP_BYTES || r.payload.capacity() > KEEP_BYTES)
            {
                slot = new Reply(r.slot);
                slot.requests = r.requests;
                byIndex[r.slot] = slot;
            }
            o.free();
            return;
        }
        if (r.command.capacity() > KEEP_BYTES || r.payload.capacity() > KEEP_BYTES)
        {
            if (r.command.capacity() <= LARGE_KEEP_BYTES && r.payload.capacity() <= LARGE_KEEP_BYTES && large.offer(r))
            {
                return;
            }
            slot = new Reply(r.slot);
            slot.requests = r.requests; // the correlation ids of this slot stay unique
            byIndex[r.slot] = slot;
        }
        free.offer(slot);
    }

    Reply get(final int index)
    {
        return byIndex[index];
    }

    /**
     * A thread's own slot: free or in flight, and retired once its thread died and it was free. Only its thread takes
     * it (free to in flight); whoever is done with a request frees it; {@link #reclaim} retires it. Padded: each
     * owner's state on a cache line of its own.
     */
    static final class Owned
    {
        private static final int FREE = 0;
        private static final int IN_FLIGHT = 1;
        private static final int RETIRED = 2;
        private static final VarHandle STATE;

        static
        {
            try
            {
                STATE = MethodHandles.lookup().findVarHandle(Owned.class, "state", int.class);
            }
            catch (final ReflectiveOperationException ex)
            {
                throw new ExceptionInInitializerError(ex);
            }
        }

        final int slot;
        final Thread thread;
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;
        @SuppressWarnings("unused") // through STATE
        private volatile int state = IN_FLIGHT;
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;

        Owned(final int slot, final Thread thread)
        {
            this.slot = slot;
            this.thread = thread;
        }

        /**
         * Its thread: take it if it is free (its thread is alive, so nothing else moves it from free).
         */
        boolean take()
        {
            if ((int)STATE.getAcquire(this) != FREE)
            {
                return false;
            }
            STATE.setRelease(this, IN_FLIGHT);
            return true;
        }

        void free()
        {
            STATE.setRelease(this, FREE);
        }

        boolean retire()
        {
            return STATE.compareAndSet(this, FREE, RETIRED);
        }
    }
}
