package io.ipam.core.writer;

import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of {@link Reply} slots: memory for requests in flight is bounded by it. A slot is named by its
 * index in the ring, so the writer finds the caller's slot without any lookup. Most slots keep small buffers; a few
 * ({@link #LARGE_SLOTS}) that grew for a large request (a {@code BATCH}) are kept apart, with their buffers, for the
 * next large request, so batches do not grow (and throw away) a fresh buffer each time.
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
    private final ManyToManyConcurrentArrayQueue<Reply> free;
    private final ManyToManyConcurrentArrayQueue<Reply> large = new ManyToManyConcurrentArrayQueue<>(LARGE_SLOTS);

    ReplySlots(final int size)
    {
        byIndex = new Reply[size];
        free = new ManyToManyConcurrentArrayQueue<>(size);
        for (int i = 0; i < size; i++)
        {
            byIndex[i] = new Reply(i);
            free.offer(byIndex[i]);
        }
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
}
