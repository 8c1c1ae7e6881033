package io.ipam.core.engine;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Offsets beyond 2^32 (IPv6 subnets shorter than /96) as 64-bit words in a primitive open-addressing table
 * keyed by word index (offset / 64), linear probing, backward-shift deletion, no boxing. Sparse sets (RANDOM
 * over a whole /64) cost one slot per allocation; dense runs (LOWEST, narrow pools) one slot per 64. A search
 * for a free offset reads word after word: a missing word is all free. Memory follows the allocations, never
 * the subnet's size; the table shrinks nothing back (a subnet's peak stays allocated). Single-threaded.
 */
final class WordHashAddressSet extends AddressSet
{
    private static final long EMPTY = -1L;    // word indexes are below 2^58
    private static final int INITIAL = 16;

    private long[] keys;
    private long[] words;
    private int mask;
    private int size;
    private long cardinality;

    WordHashAddressSet()
    {
        keys = new long[INITIAL];
        words = new long[INITIAL];
        Arrays.fill(keys, EMPTY);
        mask = INITIAL - 1;
    }

    private static int hash(final long key)
    {
        return SlotOrder.hash(key);
    }

    private int slotOf(final long key)
    {
        int i = hash(key) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == key)
            {
                return i;
            }
            if (k == EMPTY)
            {
                return -1;
            }
            i = (i + 1) & mask;
        }
    }

    private long word(final long key)
    {
        final int i = slotOf(key);
        return i < 0 ? 0 : words[i];
    }

    @Override
    boolean add(final long offset)
    {
        return addWord(offset >>> 6, 1L << offset);
    }

    /**
     * @param key  word index.
     * @param bits bits to set.
     * @return false (nothing changed) if any of them was set.
     */
    @Override
    boolean addWord(final long key, final long bits)
    {
        int i = hash(key) & mask;
        while (true)
        {
            final long k = keys[i];
            if (k == key)
            {
                if ((words[i] & bits) != 0)
                {
                    return false;
                }
                words[i] |= bits;
                cardinality += Long.bitCount(bits);
                return true;
            }
            if (k == EMPTY)
            {
                break;
            }
            i = (i + 1) & mask;
        }
        keys[i] = key;
        words[i] = bits;
        cardinality += Long.bitCount(bits);
        if (++size * 4 > keys.length * 3)
        {
            rehash(keys.length * 2);
        }
        return true;
    }

    /**
     * Many words at once, inserted region by region of the table ({@link SlotOrder}) after one reserve.
     */
    @Override
    boolean addWords(final long[] wordIndex, final long[] bits, final int count)
    {
        if (count < SlotOrder.MIN_KEYS)
        {
            return super.addWords(wordIndex, bits, count);
        }
        reserve(count);
        final long[] sortedWords = new long[count];
        final long[] sortedBits = new long[count];
        SlotOrder.sort(wordIndex, bits, count, mask, sortedWords, sortedBits);
        for (int i = 0; i < count; i++)
        {
            if (!addWord(sortedWords[i], sortedBits[i]))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    void reserve(final long n)
    {
        // at worst one word per offset; the table never shrinks, so reserve at most what growth would reach
        final long needed = Math.min(size + n, 1L << 29) * 4 / 3 + 1;
        if (needed > keys.length)
        {
            rehash((int)Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1));
        }
    }

    private void rehash(final int capacity)
    {
        final long[] oldKeys = keys;
        final long[] oldWords = words;
        keys = new long[capacity];
        words = new long[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++)
        {
            final long k = oldKeys[j];
            if (k != EMPTY)
            {
                int i = hash(k) & mask;
                while (keys[i] != EMPTY)
                {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                words[i] = oldWords[j];
            }
        }
    }

    @Override
    boolean remove(final long offset)
    {
        final int i = slotOf(offset >>> 6);
        final long bit = 1L << offset;
        if (i < 0 || (words[i] & bit) == 0)
        {
            return false;
        }
        cardinality--;
        final long w = words[i] & ~bit;
        if (w != 0)
        {
            words[i] = w;
            return true;
        }
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = i;
        int j = (hole + 1) & mask;
        while (keys[j] != EMPTY)
        {
            final int ideal = hash(keys[j]) & mask;
            if (((j - ideal) & mask) >= ((j - hole) & mask))
            {
                keys[hole] = keys[j];
                words[hole] = words[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        keys[hole] = EMPTY;
        words[hole] = 0;
        size--;
        return true;
    }

    @Override
    boolean contains(final long offset)
    {
        return (word(offset >>> 6) & (1L << offset)) != 0;
    }

    @Override
    boolean nextAbsent(final long from, final long to)
    {
        long key = from >>> 6;
        final long lastKey = to >>> 6;
        long w = word(key) | ((1L << from) - 1);
        while (true)
        {
            if (w != -1L)
            {
                final long candidate = (key << 6) + Long.numberOfTrailingZeros(~w);
                if (Long.compareUnsigned(candidate, to) <= 0)
                {
                    found = candidate;
                    return true;
                }
                return false;
            }
            if (key == lastKey)
            {
                return false;
            }
            key++;
            w = word(key);
        }
    }

    @Override
    long cardinality()
    {
        return cardinality;
    }

    @Override
    long cardinality(final long from, final long to)
    {
        long count = 0;
        for (int i = 0; i < keys.length; i++)
        {
            final long k = keys[i];
            if (k == EMPTY)
            {
                continue;
            }
            long w = words[i];
            while (w != 0)
            {
                final long o = (k << 6) + Long.numberOfTrailingZeros(w);
                if (Long.compareUnsigned(o, from) >= 0 && Long.compareUnsigned(o, to) <= 0)
                {
                    count++;
                }
                w &= w - 1;
            }
        }
        return count;
    }

    @Override
    void forEach(final LongConsumer consumer)
    {
        final long[] sorted = new long[size];
        int n = 0;
        for (final long k : keys)
        {
            if (k != EMPTY)
            {
                sorted[n++] = k;
            }
        }
        Arrays.sort(sorted);    // word indexes are below 2^58: signed order is unsigned order
        for (final long k : sorted)
        {
            long w = word(k);
            while (w != 0)
            {
                consumer.accept((k << 6) + Long.numberOfTrailingZeros(w));
                w &= w - 1;
            }
        }
    }

    @Override
    void clear()
    {
        keys = new long[INITIAL];
        words = new long[INITIAL];
        Arrays.fill(keys, EMPTY);
        mask = INITIAL - 1;
        size = 0;
        cardinality = 0;
    }
}
