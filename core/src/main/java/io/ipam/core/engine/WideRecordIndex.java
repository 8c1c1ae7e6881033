package io.ipam.core.engine;

/**
 * Offset to record of a wide subnet (IPv6 /1 to /63, 128-bit offsets, see {@code docs/wide-offsets.md}):
 * {@link Hashed}, an open-addressing table of 128-bit offsets and records (24 bytes a slot at up to 3/4 load,
 * memory following the allocations), or {@link Windowed}, pages for the window of 2^32 offsets that holds the pools
 * (as {@link RecordIndex} pages an IPv4 subnet) and the table for the rest. Single-threaded.
 */
abstract class WideRecordIndex
{
    /**
     * @param windowHi first offset of the pools' window, high word, or -1 for none.
     * @param windowLo first offset of the window, low word.
     * @return the index for the shape.
     */
    static WideRecordIndex forShape(final long windowHi, final long windowLo)
    {
        return windowHi == -1 ? new Hashed() : new Windowed(windowHi, windowLo);
    }

    /**
     * @return the record at the offset, or {@link Records#NONE}.
     */
    abstract int get(long hi, long lo);

    abstract void put(long hi, long lo, int record);

    abstract void remove(long hi, long lo);

    /**
     * Bulk load: make room for {@code n} more records at once.
     *
     * @param n records about to be added.
     */
    abstract void reserve(long n);

    /**
     * Open addressing on the 128-bit offset: linear probing, backward-shift deletion, one {@code long[]} holding each
     * slot's offset high word, low word and record side by side (24 bytes a slot: a probe reads one cache line). An
     * empty slot is marked by its record (every offset is a valid key).
     */
    static final class Hashed extends WideRecordIndex
    {
        private static final long EMPTY = Records.NONE;

        /** Slot i: offset high word at 3i, low word at 3i + 1, record at 3i + 2. */
        private long[] table = newTable(16);
        private int mask = 15;
        private int size;

        private static long[] newTable(final int slots)
        {
            final long[] t = new long[slots * 3];
            for (int i = 2; i < t.length; i += 3)
            {
                t[i] = EMPTY;
            }
            return t;
        }

        private static int hash(final long hi, final long lo)
        {
            final long h = (lo ^ (hi * 0xC2B2AE3D27D4EB4FL)) * 0x9E3779B97F4A7C15L;
            return (int)(h ^ (h >>> 32));
        }

        @Override
        int get(final long hi, final long lo)
        {
            final long[] t = table;
            int i = hash(hi, lo) & mask;
            while (true)
            {
                final int j = i * 3;
                final long r = t[j + 2];
                if (r == EMPTY || (t[j + 1] == lo && t[j] == hi))
                {
                    return (int)r;
                }
                i = (i + 1) & mask;
            }
        }

        @Override
        void put(final long hi, final long lo, final int record)
        {
            final long[] t = table;
            int i = hash(hi, lo) & mask;
            while (t[i * 3 + 2] != EMPTY)
            {
                final int j = i * 3;
                if (t[j + 1] == lo && t[j] == hi)
                {
                    t[j + 2] = record;
                    return;
                }
                i = (i + 1) & mask;
            }
            final int j = i * 3;
            t[j] = hi;
            t[j + 1] = lo;
            t[j + 2] = record;
            if (++size * 4L > (mask + 1) * 3L)
            {
                rehash((mask + 1) * 2);
            }
        }

        @Override
        void reserve(final long n)
        {
            final long needed = Math.min(size + n, 1L << 28) * 4 / 3 + 1;
            if (needed > mask + 1)
            {
                rehash((int)Math.min(1L << 29, Long.highestOneBit(needed - 1) << 1));
            }
        }

        private void rehash(final int capacity)
        {
            final long[] old = table;
            final long[] t = newTable(capacity);
            mask = capacity - 1;
            for (int j = 0; j < old.length; j += 3)
            {
                if (old[j + 2] != EMPTY)
                {
                    int i = hash(old[j], old[j + 1]) & mask;
                    while (t[i * 3 + 2] != EMPTY)
                    {
                        i = (i + 1) & mask;
                    }
                    t[i * 3] = old[j];
                    t[i * 3 + 1] = old[j + 1];
                    t[i * 3 + 2] = old[j + 2];
                }
            }
            table = t;
        }

        @Override
        void remove(final long hi, final long lo)
        {
            final long[] t = table;
            int i = hash(hi, lo) & mask;
            while (true)
            {
                final int j = i * 3;
                if (t[j + 2] == EMPTY)
                {
                    return;
                }
                if (t[j + 1] == lo && t[j] == hi)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            int hole = i;
            int k = (hole + 1) & mask;
            while (t[k * 3 + 2] != EMPTY)
            {
                final int ideal = hash(t[k * 3], t[k * 3 + 1]) & mask;
                if (((k - ideal) & mask) >= ((k - hole) & mask))
                {
                    t[hole * 3] = t[k * 3];
                    t[hole * 3 + 1] = t[k * 3 + 1];
                    t[hole * 3 + 2] = t[k * 3 + 2];
                    hole = k;
                }
                k = (k + 1) & mask;
            }
            t[hole * 3 + 2] = EMPTY;
            size--;
        }
    }

    /**
     * Pages for the window of 2^32 offsets where the pools are, the table for the rest of the subnet.
     */
    static final class Windowed extends WideRecordIndex
    {
        private final long windowHi;
        private final long windowLo;
        private final RecordIndex.Paged inside = new RecordIndex.Paged(RecordIndex.PAGED_LIMIT - 1);
        private final Hashed outside = new Hashed();

        Windowed(final long windowHi, final long windowLo)
        {
            this.windowHi = windowHi;
            this.windowLo = windowLo;
        }

        /**
         * @return the offset's place in the window, or -1 outside it.
         */
        private long in(final long hi, final long lo)
        {
            final long dl = lo - windowLo;
            return Wide.subHi(hi, lo, windowHi, windowLo) == 0 && (dl >>> 32) == 0 ? dl : -1;
        }

        @Override
        int get(final long hi, final long lo)
        {
            final long o = in(hi, lo);
            return o >= 0 ? inside.get(o) : outside.get(hi, lo);
        }

        @Override
        void put(final long hi, final long lo, final int record)
        {
            final long o = in(hi, lo);
            if (o >= 0)
            {
                inside.put(o, record);
            }
            else
            {
                outside.put(hi, lo, record);
            }
        }

        @Override
        void remove(final long hi, final long lo)
        {
            final long o = in(hi, lo);
            if (o >= 0)
            {
                inside.remove(o);
            }
            else
            {
                outside.remove(hi, lo);
            }
        }

        @Override
        void reserve(final long n)
        {
            // pages are made on first use; the table only takes specific requests outside the pools
        }
    }
}
