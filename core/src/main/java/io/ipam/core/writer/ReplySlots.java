package io.ipam.core.writer;

import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of {@link Reply} slots: memory for requests in flight is bounded by it. A slot is named by its
 * index in the ring, so the writer finds the caller's slot without any lookup.
 */
final class ReplySlots
{
    /** A slot's buffers are kept up to this size each; a slot that grew past it is replaced when given back. */
    static final int KEEP_BYTES = 16 * 1024;

    private final Reply[] byIndex;
    private final ManyToManyConcurrentArrayQueue<Reply> free;

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
     * Give a slot back. A slot whose command or answer buffer grew past {@link #KEEP_BYTES} (a bulk answer, a large
     * port request or list) is replaced by a fresh one, so the pool never keeps the largest request's or answer's
     * size: 1,024 slots hold at most 2 x {@code KEEP_BYTES} each. The new slot is published through the free queue
     * (offer, then poll, then the ring) before any thread looks it up by index.
     *
     * @param r a slot that no caller and no writer uses any more.
     */
    void release(final Reply r)
    {
        Reply slot = r;
        if (r.command.capacity() > KEEP_BYTES || r.payload.capacity() > KEEP_BYTES)
        {
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
