package io.ipam.ui;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers kept for a while and shared by every page that asks the same question in the same scope, so that the
 * writer's share of work for the page stays bounded however many pages are open: an answer whose queries took
 * {@code t} of the writer's time is kept for {@code max(minHold, 50 t)}, which holds the page's queries under 2% of
 * the writer's time even when one is slow (a map of a subnet with millions of leases). What the answer costs off the
 * writer (drawing, JSON) does not count: it runs on the page's own threads. At most {@code capacity} answers, least
 * recently used first out. Thread-safe: one caller makes a missing answer while the others for the same key wait
 * for it.
 *
 * @param <V> the answer.
 */
final class TimedCache<V>
{
    /** The page's work on the writer stays under 1 / HOLD_FACTOR of the writer's time. */
    static final int HOLD_FACTOR = 50;

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
            if (e.value != null && now - e.madeNs < e.holdNs)
            {
                return e.value;
            }
            final long[] took = new long[1];
            final V v = make.make(took);
            e.value = v;
            e.madeNs = System.nanoTime();
            e.holdNs = Math.max(minHoldNs, took[0] * HOLD_FACTOR);
            return v;
        }
    }

    private static final class Entry<V>
    {
        V value;
        long madeNs;
        long holdNs;
    }
}
