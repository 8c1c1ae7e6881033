package io.ipam.core.engine;

import java.util.function.LongConsumer;

/**
 * The allocated addresses of one subnet, as unsigned offsets from the network address: word bitmaps with
 * summaries up to 2^32 addresses ({@link BitmapAddressSet}), a primitive hash table of words beyond
 * ({@link WordHashAddressSet}). Single-threaded: only the engine's thread touches it.
 */
abstract class AddressSet
{
    /** Result of the last successful {@link #nextAbsent(long, long)}. */
    long found;

    static AddressSet forSize(final long lastOffset)
    {
        return Long.compareUnsigned(lastOffset, 0xFFFF_FFFFL) <= 0 ?
            new BitmapAddressSet(lastOffset) : new WordHashAddressSet();
    }

    /**
     * Bulk load: set the bits of one 64-bit word at once.
     *
     * @param wordIndex offset / 64 (unsigned).
     * @param bits      bits to set.
     * @return false (and nothing changed) if any of the bits was set already.
     */
    abstract boolean addWord(long wordIndex, long bits);

    /**
     * Bulk load: {@link #addWord} for many words (a word index may come more than once), in whatever order is
     * cheapest.
     *
     * @param wordIndex word indexes, from index 0.
     * @param bits      the bits to set in each.
     * @param count     how many.
     * @return false if any of the bits was set already (the set then holds part of the input).
     */
    boolean addWords(final long[] wordIndex, final long[] bits, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!addWord(wordIndex[i], bits[i]))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Bulk load: make room for {@code n} more offsets at once where growing step by step would rehash.
     *
     * @param n offsets about to be added.
     */
    void reserve(final long n)
    {
    }

    /**
     * @param offset offset to add.
     * @return false if it was present already.
     */
    abstract boolean add(long offset);

    /**
     * @param offset offset to remove.
     * @return false if it was absent.
     */
    abstract boolean remove(long offset);

    abstract boolean contains(long offset);

    /**
     * Find the lowest absent offset in {@code [from, to]} (unsigned, inclusive) and leave it in {@link #found}.
     *
     * @param from first offset to look at.
     * @param to   last offset to look at.
     * @return true if one was found.
     */
    abstract boolean nextAbsent(long from, long to);

    abstract long cardinality();

    /**
     * @param from first offset, inclusive.
     * @param to   last offset, inclusive.
     * @return number of present offsets in the range.
     */
    abstract long cardinality(long from, long to);

    /**
     * Visit every present offset in ascending unsigned order.
     *
     * @param consumer receives offsets.
     */
    abstract void forEach(LongConsumer consumer);

    abstract void clear();
}
