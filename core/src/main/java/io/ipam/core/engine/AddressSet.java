package io.ipam.core.engine;

import java.util.function.LongConsumer;

/**
 * The allocated addresses of one subnet, as unsigned offsets from the network address.
 * Single-threaded: only the engine's thread touches it.
 */
abstract class AddressSet
{
    /** Result of the last successful {@link #nextAbsent(long, long)}. */
    long found;

    static AddressSet forSize(final long lastOffset)
    {
        return Long.compareUnsigned(lastOffset, 0xFFFF_FFFFL) <= 0 ?
            new SmallAddressSet(lastOffset) : new LargeAddressSet();
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
