package io.ipam.core.engine;

import java.util.Arrays;

/**
 * Offset to record of one subnet. Subnets of up to 2^32 addresses (all of IPv4) index by pages of 2^16 offsets,
 * made on first use. A page starts sparse (a small open-addressing table of 16-bit keys and int records, 6 bytes a
 * slot) and turns dense (an int per offset: one array read) once it holds {@link #DENSE_AT} records (a quarter of
 * the page: the array then costs 16 bytes per record, the table 12-16); it never turns back, so a page
 * oscillating around the threshold allocates nothing. A sparse page costs 10-16 bytes per record instead of 4
 * bytes per address: at 1% fill that is about 12 instead of 400 bytes per allocation. Up to 2^24 addresses the pages
 * hang from one array (at most 256); beyond, from directories of 256 pages made on first use, so that an empty /1 costs
 * 128 references. Larger subnets (IPv6 shorter than /96) use an open-addressing table of offsets and records (12 bytes
 * a slot), whose memory follows the allocations, not the subnet's size. Single-threaded.
 */
abstract class RecordIndex
{
    /** Largest subnet (in addresses) indexed by one array of pages. */
    static final long DIRECT_LIMIT = 1L << 24;
    /** Largest subnet (in addresses) indexed by directories of pages. */
    static final long PAGED_LIMIT = 1L << 32;
    /** Records in a page at which it turns dense. */
    static final int DENSE_AT = 1 << 14;

    private static final int PAGE_BITS = 16;
    private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;

    /**
     * @param lastOffset  last offset of the subnet.
     * @param windowFirst first offset of the window of 2^32 offsets that holds the pools of a larger subnet
     *                    (see {@link WindowedAddressSet#windowFor}), or -1.
     * @return the index for the subnet's shape.
     */
    static RecordIndex forShape(final long lastOffset, final long windowFirst)
    {
        if (windowFirst != -1 && Long.compareUnsigned(lastOffset, PAGED_LIMIT - 1) > 0)
        {
            return new Windowed(windowFirst);
        }
        return forSize(lastOffset);
    }

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

    /**
     * Bulk load: {@link #put} for many offsets, in whatever order is cheapest.
     *
     * @param offset offsets, from index 0.
     * @param record the record of each.
     * @param count  how many.
     */
    void putAll(final long[] offset, final int[] record, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            put(offset[i], record[i]);
        }
    }

    abstract void remove(long offset);

    /**
     * Bulk load: make room for {@code n} more records at once where growing step by step would rehash.
     *
     * @param n records about to be added.
     */
    void reserve(final long n)
    {
    }

    /**
     * A sparse page: open addressing on the low 16 bits of the offset, linear probing, backward-shift deletion.
     */
    static final class Sparse
    {
        char[] keys = new char[16];
        int[] records = new int[16];    // NONE = empty slot
        int size;

        Sparse()
        {
            Arrays.fill(records, Records.NONE);
        }

        private static int hash(final int key, final int mask)
        {
            return (key * 0x9E3779B1 >>> 16) & mask;
        }

        int get(final int key)
        {
            final int mask = keys.length - 1;
            int i = hash(key, mask);
            while (true)
            {
                final int r = records[i];
                if (r == Records.NONE)
                {
                    return Records.NONE;
                }
                if (keys[i] == key)
                {
                    return r;
                }
                i = (i + 1) & mask;
            }
        }

        /**
         * @return false when the page should turn dense instead.
         */
        boolean put(final int key, final int record)
        {
            final int mask = keys.length - 1;
            int i = hash(key, mask);
            while (records[i] != Records.NONE)
            {
                if (keys[i] == key)
                {
                    records[i] = record;
                    return true;
                }
                i = (i + 1) & mask;
            }
            if (size + 1 >= DENSE_AT)
            {
                return false;
            }
            keys[i] = (char)key;
            records[i] = record;
            if (++size * 4 > keys.length * 3)
            {
                grow();
            }
            return true;
        }

        private void grow()
        {
            final char[] oldKeys = keys;
            final int[] oldRecords = records;
            keys = new char[oldKeys.length * 2];
            records = new int[oldKeys.length * 2];
            Arrays.fill(records, Records.NONE);
            final int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++)
            {
                if (oldRecords[j] != Records.NONE)
                {
                    int i = hash(oldKeys[j], mask);
                    while (records[i] != Records.NONE)
                    {
                        i = (i + 1) & mask;
                    }
                    keys[i] = oldKeys[j];
                    records[i] = oldRecords[j];
                }
            }
        }

        void remove(final int key)
        {
            final int mask = keys.length - 1;
            int i = hash(key, mask);
            while (true)
            {
                if (records[i] == Records.NONE)
                {
                    return;
                }
                if (keys[i] == key)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            int hole = i;
            int j = (hole + 1) & mask;
            while (records[j] != Records.NONE)
            {
                final int ideal = hash(keys[j], mask);
                if (((j - ideal) & mask) >= ((j - hole) & mask))
                {
                    keys[hole] = keys[j];
                    records[hole] = records[j];
                    hole = j;
                }
                j = (j + 1) & mask;
            }
            records[hole] = Records.NONE;
            size--;
        }

        int[] toDense(final int pageSize)
        {
            final int[] page = new int[pageSize];
            Arrays.fill(page, Records.NONE);
            for (int j = 0; j < keys.length; j++)
            {
                if (records[j] != Records.NONE)
                {
                    page[keys[j]] = records[j];
                }
            }
            return page;
        }
    }

    /**
     * The pages of up to 2^24 offsets (or of one directory of a larger subnet): dense or sparse each.
     */
    static final class Pages
    {
        final int[][] dense;
        final Sparse[] sparse;
        final int pageSize;

        Pages(final int count, final int pageSize)
        {
            dense = new int[count][];
            sparse = new Sparse[count];
            this.pageSize = pageSize;
        }

        int get(final int p, final int key)
        {
            final int[] page = dense[p];
            if (page != null)
            {
                return page[key];
            }
            final Sparse s = sparse[p];
            return s == null ? Records.NONE : s.get(key);
        }

        void put(final int p, final int key, final int record)
        {
            final int[] page = dense[p];
            if (page != null)
            {
                page[key] = record;
                return;
            }
            Sparse s = sparse[p];
            if (s == null)
            {
                if (pageSize <= DENSE_AT)
                {
                    // a small subnet's only page: the array costs less than a table would at a quarter full
                    final int[] d = new int[pageSize];
                    Arrays.fill(d, Records.NONE);
                    d[key] = record;
                    dense[p] = d;
                    return;
                }
                s = new Sparse();
                sparse[p] = s;
            }
            if (!s.put(key, record))
            {
                final int[] d = s.toDense(pageSize);
                d[key] = record;
                dense[p] = d;
                sparse[p] = null;
            }
        }

        /**
         * Records of one page at once ({@code offset[from .. to)} all in page {@code p}): a page that has nothing
         * yet and receives enough to be dense is made dense at once, not sparse first and grown on the way.
         */
        void putRun(final int p, final long[] offset, final int[] record, final int from, final int to)
        {
            if (dense[p] == null && sparse[p] == null && (to - from >= DENSE_AT || pageSize <= DENSE_AT))
            {
                final int[] d = new int[pageSize];
                Arrays.fill(d, Records.NONE);
                dense[p] = d;
            }
            for (int i = from; i < to; i++)
            {
                put(p, (int)offset[i] & PAGE_MASK, record[i]);
            }
        }

        void remove(final int p, final int key)
        {
            final int[] page = dense[p];
            if (page != null)
            {
                page[key] = Records.NONE;
                return;
            }
            final Sparse s = sparse[p];
            if (s != null)
            {
                s.remove(key);
            }
        }
    }

    /**
     * One array of pages: subnets of up to 2^24 addresses.
     */
    static final class Direct extends RecordIndex
    {
        private final Pages pages;

        Direct(final long lastOffset)
        {
            final long size = lastOffset + 1;
            pages = new Pages((int)((size + PAGE_MASK) >>> PAGE_BITS), (int)Math.min(size, 1 << PAGE_BITS));
        }

        @Override
        int get(final long offset)
        {
            return pages.get((int)(offset >>> PAGE_BITS), (int)offset & PAGE_MASK);
        }

        @Override
        void put(final long offset, final int record)
        {
            pages.put((int)(offset >>> PAGE_BITS), (int)offset & PAGE_MASK, record);
        }

        /**
         * By runs of one page (a load's offsets come in ascending order, so a run is a page's whole share).
         */
        @Override
        void putAll(final long[] offset, final int[] record, final int count)
        {
            int i = 0;
            while (i < count)
            {
                final long page = offset[i] >>> PAGE_BITS;
                int j = i + 1;
                while (j < count && offset[j] >>> PAGE_BITS == page)
                {
                    j++;
                }
                pages.putRun((int)page, offset, record, i, j);
                i = j;
            }
        }

        @Override
        void remove(final long offset)
        {
            pages.remove((int)(offset >>> PAGE_BITS), (int)offset & PAGE_MASK);
        }
    }

    /**
     * Directories of 256 pages, made on first use.
     */
    static final class Paged extends RecordIndex
    {
        private static final int DIR_BITS = 24;

        private final Pages[] dirs;

        Paged(final long lastOffset)
        {
            dirs = new Pages[(int)((lastOffset >>> DIR_BITS) + 1)];
        }

        @Override
        int get(final long offset)
        {
            final Pages dir = dirs[(int)(offset >>> DIR_BITS)];
            return dir == null ? Records.NONE : dir.get((int)(offset >>> PAGE_BITS) & 0xFF, (int)offset & PAGE_MASK);
        }

        @Override
        void put(final long offset, final int record)
        {
            final int d = (int)(offset >>> DIR_BITS);
            Pages dir = dirs[d];
            if (dir == null)
            {
                dir = new Pages(256, 1 << PAGE_BITS);
                dirs[d] = dir;
            }
            dir.put((int)(offset >>> PAGE_BITS) & 0xFF, (int)offset & PAGE_MASK, record);
        }

        @Override
        void remove(final long offset)
        {
            final Pages dir = dirs[(int)(offset >>> DIR_BITS)];
            if (dir != null)
            {
                dir.remove((int)(offset >>> PAGE_BITS) & 0xFF, (int)offset & PAGE_MASK);
            }
        }
    }

    /**
     * Pages for a window of 2^32 offsets (where the pools are), a hash map for the rest of a large subnet.
     */
    static final class Windowed extends RecordIndex
    {
        private final long windowFirst;
        private final Paged inside = new Paged(PAGED_LIMIT - 1);
        private final Hashed outside = new Hashed();

        Windowed(final long windowFirst)
        {
            this.windowFirst = windowFirst;
        }

        @Override
        int get(final long offset)
        {
            final long o = offset - windowFirst;
            return Long.compareUnsigned(o, PAGED_LIMIT - 1) <= 0 ? inside.get(o) : outside.get(offset);
        }

        @Override
        void put(final long offset, final int record)
        {
            final long o = offset - windowFirst;
            if (Long.compareUnsigned(o, PAGED_LIMIT - 1) <= 0)
            {
                inside.put(o, record);
            }
            else
            {
                outside.put(offset, record);
            }
        }

        @Override
        void remove(final long offset)
        {
            final long o = offset - windowFirst;
            if (Long.compareUnsigned(o, PAGED_LIMIT - 1) <= 0)
            {
                inside.remove(o);
            }
            else
            {
                outside.remove(offset);
            }
        }
    }

    /**
     * Large subnets: open addressing on the offset (linear probing, backward-shift deletion), long keys and int
     * records in two arrays, 12 bytes a slot at up to 3/4 load. Keys are offsets of subnets beyond 2^32, where
     * every offset is a valid key, so an empty slot is marked by its record, never by its key.
     */
    static final class Hashed extends RecordIndex
    {
        private long[] keys = new long[16];
        private int[] records = new int[16];
        private int mask = 15;
        private int size;

        Hashed()
        {
            Arrays.fill(records, Records.NONE);
        }

        private static int hash(final long key)
        {
            return SlotOrder.hash(key);
        }

        @Override
        int get(final long offset)
        {
            int i = hash(offset) & mask;
            while (true)
            {
                final int r = records[i];
                if (r == Records.NONE || keys[i] == offset)
                {
                    return r;
                }
                i = (i + 1) & mask;
            }
        }

        @Override
        void put(final long offset, final int record)
        {
            int i = hash(offset) & mask;
            while (records[i] != Records.NONE)
            {
                if (keys[i] == offset)
                {
                    records[i] = record;
                    return;
                }
                i = (i + 1) & mask;
            }
            keys[i] = offset;
            records[i] = record;
            if (++size * 4L > keys.length * 3L)
            {
                rehash(keys.length * 2);
            }
        }

        /**
         * Many offsets at once, inserted region by region of the table ({@link SlotOrder}) after one reserve.
         */
        @Override
        void putAll(final long[] offset, final int[] record, final int count)
        {
            if (count < SlotOrder.MIN_KEYS)
            {
                super.putAll(offset, record, count);
                return;
            }
            reserve(count);
            final long[] sortedOffsets = new long[count];
            final int[] sortedRecords = new int[count];
            SlotOrder.sort(offset, record, count, mask, sortedOffsets, sortedRecords);
            for (int i = 0; i < count; i++)
            {
                put(sortedOffsets[i], sortedRecords[i]);
            }
        }

        @Override
        void reserve(final long n)
        {
            final long needed = Math.min(size + n, 1L << 29) * 4 / 3 + 1;
            if (needed > keys.length)
            {
                rehash((int)Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1));
            }
        }

        private void rehash(final int capacity)
        {
            final long[] oldKeys = keys;
            final int[] oldRecords = records;
            keys = new long[capacity];
            records = new int[capacity];
            Arrays.fill(records, Records.NONE);
            mask = capacity - 1;
            for (int j = 0; j < oldKeys.length; j++)
            {
                if (oldRecords[j] != Records.NONE)
                {
                    int i = hash(oldKeys[j]) & mask;
                    while (records[i] != Records.NONE)
                    {
                        i = (i + 1) & mask;
                    }
                    keys[i] = oldKeys[j];
                    records[i] = oldRecords[j];
                }
            }
        }

        @Override
        void remove(final long offset)
        {
            int i = hash(offset) & mask;
            while (true)
            {
                if (records[i] == Records.NONE)
                {
                    return;
                }
                if (keys[i] == offset)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            int hole = i;
            int j = (hole + 1) & mask;
            while (records[j] != Records.NONE)
            {
                final int ideal = hash(keys[j]) & mask;
                if (((j - ideal) & mask) >= ((j - hole) & mask))
                {
                    keys[hole] = keys[j];
                    records[hole] = records[j];
                    hole = j;
                }
                j = (j + 1) & mask;
            }
            records[hole] = Records.NONE;
            size--;
        }
    }
}
