package io.ipam.core.engine;

/**
 * The hash of the engine's primitive open-addressing tables keyed by a long ({@link RecordIndex.Hashed},
 * {@link WordHashAddressSet}), and the order in which a bulk load inserts many keys into one of them: grouped by
 * the region of the table their home slot lies in (a counting sort on the slot's top bits, two sequential passes),
 * so that the inserts walk the table from start to end instead of jumping about it. Five million keys inserted in
 * their given order cost a cache miss or two each; in this order each region of a few kilobytes is filled while it
 * is in the cache. The table's layout may differ from one-by-one inserts in the keys' order (linear probing places
 * colliding keys by arrival); what it holds does not.
 */
final class SlotOrder
{
    /** Regions a table is cut into: 2^12 (at 16 bytes a slot, a table of 2^23 slots has regions of 32 KiB). */
    private static final int REGION_BITS = 12;
    /** Below this many keys, the given order is used: sorting would cost more than the cache misses it saves. */
    static final int MIN_KEYS = 1 << 14;

    private SlotOrder()
    {
    }

    /**
     * @param key a key.
     * @return its hash; the home slot is {@code hash & mask}.
     */
    static int hash(final long key)
    {
        final long h = key * 0x9E3779B97F4A7C15L;
        return (int)(h ^ (h >>> 32));
    }

    /**
     * The keys and their long values copied into {@code keysOut} and {@code valuesOut} in the order of the table's
     * regions: the inserts then read both front to back and write the table region by region.
     *
     * @param mask the table's capacity - 1 (a power of two - 1), as it will be during the inserts.
     */
    static void sort(final long[] keys, final long[] values, final int count, final int mask, final long[] keysOut,
        final long[] valuesOut)
    {
        final int shift = shift(mask);
        final int[] next = regionStarts(keys, count, mask, shift);
        for (int i = 0; i < count; i++)
        {
            final int at = next[(hash(keys[i]) & mask) >>> shift]++;
            keysOut[at] = keys[i];
            valuesOut[at] = values[i];
        }
    }

    /**
     * {@link #sort(long[], long[], int, int, long[], long[])} with int values.
     */
    static void sort(final long[] keys, final int[] values, final int count, final int mask, final long[] keysOut,
        final int[] valuesOut)
    {
        final int shift = shift(mask);
        final int[] next = regionStarts(keys, count, mask, shift);
        for (int i = 0; i < count; i++)
        {
            final int at = next[(hash(keys[i]) & mask) >>> shift]++;
            keysOut[at] = keys[i];
            valuesOut[at] = values[i];
        }
    }

    /**
     * @return how far a slot is shifted right to give its region.
     */
    static int shift(final int mask)
    {
        return Math.max(0, Integer.SIZE - Integer.numberOfLeadingZeros(mask) - REGION_BITS);
    }

    /**
     * @return per region, the index its first key goes to (a counting pass and a prefix sum).
     */
    private static int[] regionStarts(final long[] keys, final int count, final int mask, final int shift)
    {
        final int[] next = new int[(mask >>> shift) + 2];
        for (int i = 0; i < count; i++)
        {
            next[((hash(keys[i]) & mask) >>> shift) + 1]++;
        }
        for (int r = 1; r < next.length; r++)
        {
            next[r] += next[r - 1];
        }
        return next;
    }
}
