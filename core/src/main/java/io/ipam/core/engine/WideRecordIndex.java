package io.ipam.core.engine;

import java.util.Arrays;

/**
 * Offset to record of a wide subnet (IPv6 /1 to /63, 128-bit offsets, see {@code docs/wide-offsets.md}):
 * {@link Hashed}, an open-addressing table of 128-bit offsets and int records (20 bytes a slot at up to 3/4 load,
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
     * Open addressing on the 128-bit offset: linear probing, backward-shift deletion, an empty slot marked by its
     * record (every offset is a valid key).
     */
    static final class Hashed extends WideRecordIndex
    {
        private long[] keysHi = new long[16];
        private long[] keysLo = new long[16];
        private int[] records = new int[16];
        private int mask = 15;
        private int size;

        Hashed()
        {
            Arrays.fill(records, Records.NONE);
        }

        private static int hash(final long hi, final long lo)
        {
            final long h = (lo ^ (hi * 0xC2B2AE3D27D4EB4FL)) * 0x9E3779B97F4A7C15L;
            return (int)(h ^ (h >>> 32));
        }

        @Override
        int get(final long hi, final long lo)
        {
            int i = hash(hi, lo) & mask;
            while (true)
            {
                final int r = records[i];
                if (r == Records.NONE || (keysLo[i] == lo && keysHi[i] == hi))
                {
                    return r;
                }
                i = (i + 1) & mask;
            }
        }

        @Override
        void put(final long hi, final long lo, final int record)
        {
            int i = hash(hi, lo) & mask;
            while (records[i] != Records.NONE)
            {
                if (keysLo[i] == lo && keysHi[i] == hi)
                {
                    records[i] = record;
                    return;
                }
                i = (i + 1) & mask;
            }
            keysHi[i] = hi;
            keysLo[i] = lo;
            records[i] = record;
            if (++size * 4L > keysHi.length * 3L)
            {
                rehash(keysHi.length * 2);
            }
        }

        @Override
        void reserve(final long n)
        {
            final long needed = Math.min(size + n, 1L << 29) * 4 / 3 + 1;
            if (needed > keysHi.length)
            {
                rehash((int)Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1));
            }
        }

        private void rehash(final int capacity)
        {
            final long[] oldHi = keysHi;
            final long[] oldLo = keysLo;
            final int[] oldRecords = records;
            keysHi = new long[capacity];
            keysLo = new long[capacity];
            records = new int[capacity];
            Arrays.fill(records, Records.NONE);
            mask = capacity - 1;
            for (int j = 0; j < oldHi.length; j++)
            {
                if (oldRecords[j] != Records.NONE)
                {
                    int i = hash(oldHi[j], oldLo[j]) & mask;
                    while (records[i] != Records.NONE)
                    {
                        i = (i + 1) & mask;
                    }
                    keysHi[i] = oldHi[j];
                    keysLo[i] = oldLo[j];
                    records[i] = oldRecords[j];
                }
            }
        }

        @Override
        void remove(final long hi, final long lo)
        {
            int i = hash(hi, lo) & mask;
            while (true)
            {
                if (records[i] == Records.NONE)
                {
                    return;
                }
                if (keysLo[i] == lo && keysHi[i] == hi)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            int hole = i;
            int j = (hole + 1) & mask;
            while (records[j] != Records.NONE)
            {
                final int ideal = hash(keysHi[j], keysLo[j]) & mask;
                if (((j - ideal) & mask) >= ((j - hole) & mask))
                {
                    keysHi[hole] = keysHi[j];
                    keysLo[hole] = keysLo[j];
                    records[hole] = records[j];
                    hole = j;
                }
                j = (j + 1) & mask;
            }
            records[hole] = Records.NONE;
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
