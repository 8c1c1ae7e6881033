package io.ipam.core.writer;

import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of {@link Reply} slots: memory for requests in flight is bounded by it. A slot is named by its
 * index in the ring, so the writer finds the caller's slot without any lookup.
 */
final class ReplySlots
{
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

    void release(final Reply r)
    {
        free.offer(r);
    }

    Reply get(final int index)
    {
        return byIndex[index];
    }
}
