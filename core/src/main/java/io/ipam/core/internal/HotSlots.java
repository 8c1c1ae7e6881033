package io.ipam.core.internal;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A fixed pool of {@link HotRequest} reply slots shared by callers (any thread) and the writer, which finds a
 * slot by the index carried in the request. Bounded: a caller waits for a free slot, so memory never grows with
 * the number of callers.
 */
public final class HotSlots
{
    private final HotRequest[] byIndex;
    private final ManyToManyConcurrentArrayQueue<HotRequest> free;

    /**
     * @param size number of slots (concurrent hot-path calls in flight).
     */
    public HotSlots(final int size)
    {
        byIndex = new HotRequest[size];
        free = new ManyToManyConcurrentArrayQueue<>(size);
        for (int i = 0; i < size; i++)
        {
            byIndex[i] = new HotRequest(i);
            free.offer(byIndex[i]);
        }
    }

    /**
     * @return a free slot, waiting for one if all are in use.
     */
    public HotRequest acquire()
    {
        HotRequest r;
        while ((r = free.poll()) == null)
        {
            Thread.onSpinWait();
        }
        return r;
    }

    /**
     * @param r a slot from {@link #acquire()}.
     */
    public void release(final HotRequest r)
    {
        free.offer(r);
    }

    /**
     * @param index slot index.
     * @return the slot.
     */
    public HotRequest get(final int index)
    {
        return byIndex[index];
    }

    /**
     * @return number of slots.
     */
    public int size()
    {
        return byIndex.length;
    }
}
