package io.ipam.core.engine;

import java.util.Arrays;

import org.agrona.collections.Long2LongHashMap;

/**
 * Offset to record of one subnet. Subnets of up to 2^20 addresses index directly: an int page per 64K chunk,
 * made when the chunk is first used and kept, so lookups are one array read and steady state allocates nothing.
 * Larger subnets use a primitive hash map, whose memory follows the allocations, not the subnet's size.
 * Single-threaded.
 */
abstract class RecordIndex
{
    /** Largest subnet (in addresses) indexed directly. */
    static final long DIRECT_LIMIT = 1L << 20;

    static RecordIndex forSize(final long lastOffset)
    {
        return Long.compareUnsigned(lastOffset, DIRECT_LIMIT - 1) <= 0 ? new Direct(lastOffset) : new Hashed();
    }

    /**
     * @return the record at the offset, or {@link Records#NONE}.
     */
    abstract int get(long offset);

    abstract void put(long offset, int record);

    abstract void remove(long offset);

    /**
     * Pages of 65,536 records, made on first use.
     */
    static final class Direct extends RecordIndex
    {
        private static final int PAGE_BITS = 16;
        private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;

        private final int[][] pages;
        private final int pageSize;

        Direct(final long lastOffset)
        {
            final long size = lastOffset + 1;
            pages = new int[(int)((size + PAGE_MASK) >>> PAGE_BITS)][];
            pageSize = (int)Math.min(size, 1 << PAGE_BITS);
        }

        @Override
        int get(final long offset)
        {
            final int[] page = pages[(int)(offset >>> PAGE_BITS)];
            return page == null ? Records.NONE : page[(int)offset & PAGE_MASK];
        }

        @Override
        void put(final long offset, final int record)
        {
            final int p = (int)(offset >>> PAGE_BITS);
            int[] page = pages[p];
            if (page == null)
            {
                page = new int[pageSize];
                Arrays.fill(page, Records.NONE);
                pages[p] = page;
            }
            page[(int)offset & PAGE_MASK] = record;
        }

        @Override
        void remove(final long offset)
        {
            final int[] page = pages[(int)(offset >>> PAGE_BITS)];
            if (page != null)
            {
                page[(int)offset & PAGE_MASK] = Records.NONE;
            }
        }
    }

    /**
     * A primitive hash map for large subnets.
     */
    static final class Hashed extends RecordIndex
    {
        private final Long2LongHashMap map = new Long2LongHashMap(16, 0.65f, Records.NONE);

        @Override
        int get(final long offset)
        {
            return (int)map.get(offset);
        }

        @Override
        void put(final long offset, final int record)
        {
            map.put(offset, record);
        }

        @Override
        void remove(final long offset)
        {
            map.remove(offset);
        }
    }
}
