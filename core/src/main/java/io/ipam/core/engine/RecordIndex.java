package io.ipam.core.engine;

import java.util.Arrays;

import org.agrona.collections.Long2LongHashMap;

/**
 * Offset to record of one subnet. Subnets of up to 2^32 addresses (all of IPv4) index directly: an int page per
 * 64K chunk, made when the chunk is first used and kept, so lookups are two or three array reads, a dense
 * subnet pays 4 bytes per address, and steady state allocates nothing. Up to 2^24 addresses the pages hang from
 * one array (at most 256 references); beyond, from directories of 256 pages made on first use, so that an
 * empty /1 costs 128 references, not 32,768. Larger subnets (IPv6 shorter than /96) use a primitive hash map,
 * whose memory follows the allocations, not the subnet's size. Single-threaded.
 */
abstract class RecordIndex
{
    /** Largest subnet (in addresses) indexed by one array of pages. */
    static final long DIRECT_LIMIT = 1L << 24;
    /** Largest subnet (in addresses) indexed by directories of pages. */
    static final long PAGED_LIMIT = 1L << 32;

    static RecordIndex forSize(final long lastOffset)
    {
        if (Long.compareUnsigned(lastOffset, DIRECT_LIMIT - 1) <= 0)
        {
            return new Direct(lastOffset);
        }
        return Long.compareUnsigned(lastOffset, PAGED_LIMIT - 1) <= 0 ? new Paged(lastOffset) : new Hashed();
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
     * Directories of 256 pages of 65,536 records, both made on first use.
     */
    static final class Paged extends RecordIndex
    {
        private static final int PAGE_BITS = 16;
        private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
        private static final int DIR_BITS = 24;

        private final int[][][] dirs;

        Paged(final long lastOffset)
        {
            dirs = new int[(int)((lastOffset >>> DIR_BITS) + 1)][][];
        }

        @Override
        int get(final long offset)
        {
            final int[][] dir = dirs[(int)(offset >>> DIR_BITS)];
            if (dir == null)
            {
                return Records.NONE;
            }
            final int[] page = dir[(int)(offset >>> PAGE_BITS) & 0xFF];
            return page == null ? Records.NONE : page[(int)offset & PAGE_MASK];
        }

        @Override
        void put(final long offset, final int record)
        {
            final int d = (int)(offset >>> DIR_BITS);
            int[][] dir = dirs[d];
            if (dir == null)
            {
                dir = new int[256][];
                dirs[d] = dir;
            }
            final int p = (int)(offset >>> PAGE_BITS) & 0xFF;
            int[] page = dir[p];
            if (page == null)
            {
                page = new int[1 << PAGE_BITS];
                Arrays.fill(page, Records.NONE);
                dir[p] = page;
            }
            page[(int)offset & PAGE_MASK] = record;
        }

        @Override
        void remove(final long offset)
        {
            final int[][] dir = dirs[(int)(offset >>> DIR_BITS)];
            final int[] page = dir == null ? null : dir[(int)(offset >>> PAGE_BITS) & 0xFF];
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
