package io.ipam.ui;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers kept for a while and shared by every page that asks the same question in the same scope, so that the
 * writer's share of work for the page stays bounded however many pages are open and whatever they ask: an answer
 * whose queries took {@code t} of the writer's time is kept for {@code max(minHold, 50 t)}, which holds one question
 * under 2% of the writer's time even when it is slow (a map of a subnet with millions of leases); and all the
 * questions together share one budget of the writer's time that refills at 1/50 of the wall-clock time (up to
 * {@link #BURST_MS}): when it is spent, a kept answer is given again even if it is older than its hold, so asking many
 * different questions (every block of a subnet, say) cannot take more either. Only a question never answered before
 * is asked regardless. What an answer costs off the writer (drawing, JSON) does not count: it runs on the page's own
 * threads. At most {@code capacity} answers, least recently used first out. Thread-safe: one caller makes a missing
 * answer while the others for the same key wait for it.
 *
 * @param <V> the answer.
 */
final class TimedCache<V>
{
    /** The page's work on the writer stays under 1 / HOLD_FACTOR of the writer's time. */
    static final int HOLD_FACTOR = 50;
    /** The most writer time the budget holds: a burst of questions after a quiet time. */
    static final long BURST_MS = 100;

    private final Object budgetLock = new Object();
    private long budgetNs = BURST_MS * 1_000_000L;
    private long budgetAt = System.nanoTime();
    private long spentNs;
    private long asked;

    private final long minHoldNs;
    private final Map<String, Entry<V>> entries;

    TimedCache(final int capacity, final long minHoldMs)
    {
        this.minHoldNs = minHoldMs * 1_000_000L;
        this.entries = new LinkedHashMap<>(16, 0.75f, true)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Entry<V>> eldest)
            {
                return size() > capacity;
            }
        };
    }

    /**
     * Makes an answer and says how long its queries held the writer.
     *
     * @param <V> the answer.
     */
    interface Maker<V>
    {
        /**
         * @param writerNs where the maker adds the nanoseconds its queries took ({@code writerNs[0]}).
         * @return the answer.
         */
        V make(long[] writerNs);
    }

    /**
     * @param key  the question, scope included.
     * @param make makes the answer (may throw: nothing is kept then).
     * @return a fresh or kept answer.
     */
    V get(final String key, final Maker<V> make)
    {
        final Entry<V> e;
        synchronized (entries)
        {
            e = entries.computeIfAbsent(key, k -> new Entry<>());
        }
        synchronized (e)
        {
            final long now = System.nanoTime();
            if (e.value != null && (now - e.madeNs < e.holdNs || !budgetLeft(now)))
            {
                return e.value;
            }
            final long[] took = new long[1];
            final V v = make.make(took);
            spend(took[0]);
            e.value = v;
            e.madeNs = System.nanoTime();
            e.holdNs = Math.max(minHoldNs, took[0] * HOLD_FACTOR);
            return v;
        }
    }

    private boolean budgetLeft(final long now)
    {
        synchronized (budgetLock)
        {
            budgetNs = Math.min(BURST_MS * 1_000_000L, budgetNs + (now - budgetAt) / HOLD_FACTOR);
            budgetAt = now;
            return budgetNs > 0;
        }
    }

    private void spend(final long ns)
    {
        synchronized (budgetLock)
        {
            budgetNs -= ns;
            spentNs += ns;
            asked++;
        }
    }

    /**
     * @return the writer time the answers' queries took so far, in nanoseconds (figures, tests).
     */
    long writerNanos()
    {
        synchronized (budgetLock)
        {
            return spentNs;
        }
    }

    /**
     * @return how many answers were made (asked of the allocator) so far.
     */
    long made()
    {
        synchronized (budgetLock)
        {
            return asked;
        }
    }

    private static final class Entry<V>
    {
        V value;
        long madeNs;
        long holdNs;
    }
}
