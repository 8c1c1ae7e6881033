package io.ipam.core.engine;

import java.util.function.LongConsumer;

/**
 * An IPv6 subnet larger than 2^32 addresses whose pools all lie in one window of 2^32 offsets (a /64 with a
 * pool of 2^20, say): the window is a {@link BitmapAddressSet} (flat words, summaries, as fast as IPv4), the
 * rest of the subnet, where only specific requests land, a {@link WordHashAddressSet}. The window starts at a
 * multiple of 2^16 so that words of the two parts never straddle. Single-threaded.
 */
final class WindowedAddressSet extends AddressSet
{
    static final long WINDOW = 1L << 32;

    private final long windowFirst;
    private final long windowLast;
    private final BitmapAddressSet inside = new BitmapAddressSet(WINDOW - 1);
    private final WordHashAddressSet outside = new WordHashAddressSet();

    /**
     * @param windowFirst first offset of the window, a multiple of 2^16, at most 2^64 - 2^32.
     */
    WindowedAddressSet(final long windowFirst)
    {
        this.windowFirst = windowFirst;
        this.windowLast = windowFirst + WINDOW - 1;
    }

    /**
     * @return the window's first offset if every pool lies in one window of 2^32 offsets, else -1 (offsets are
     * multiples of 2^16, so -1 is never one).
     */
    static long windowFor(final long[] poolFirst, final long[] poolLast)
    {
        if (poolFirst.length == 0)
        {
            return -1;
        }
        long min = poolFirst[0];
        long max = poolLast[0];
        for (int i = 1; i < poolFirst.length; i++)
        {
            min = Long.compareUnsigned(poolFirst[i], min) < 0 ? poolFirst[i] : min;
            max = Long.compareUnsigned(poolLast[i], max) > 0 ? poolLast[i] : max;
        }
        long first = min & -(1L << 16);
        if (Long.compareUnsigned(first, -WINDOW) > 0)
        {
            first = -WINDOW;
        }
        return Long.compareUnsigned(max - first, WINDOW - 1) <= 0 ? first : -1;
    }

    private boolean in(final long offset)
    {
        return Long.compareUnsigned(offset - windowFirst, WINDOW - 1) <= 0;
    }

    @Override
    boolean add(final long offset)
    {
        return in(offset) ? inside.add(offset - windowFirst) : outside.add(offset);
    }

    @Override
    boolean remove(final long offset)
    {
        return in(offset) ? inside.remove(offset - windowFirst) : outside.remove(offset);
    }

    @Override
    boolean contains(final long offset)
    {
        return in(offset) ? inside.contains(offset - windowFirst) : outside.contains(offset);
    }

    @Override
    boolean addWord(final long wordIndex, final long bits)
    {
        final long offset = wordIndex << 6;
        return in(offset) ? inside.addWord((offset - windowFirst) >>> 6, bits) : outside.addWord(wordIndex, bits);
    }

    @Override
    boolean nextAbsent(final long from, final long to)
    {
        if (Long.compareUnsigned(from, windowFirst) < 0)
        {
            final long end = Long.compareUnsigned(to, windowFirst) < 0 ? to : windowFirst - 1;
            if (outside.nextAbsent(from, end))
            {
                found = outside.found;
                return true;
            }
            if (end == to)
            {
                return false;
            }
        }
        final long start = Long.compareUnsigned(from, windowFirst) < 0 ? windowFirst : from;
        if (Long.compareUnsigned(start, windowLast) <= 0)
        {
            final long end = Long.compareUnsigned(to, windowLast) < 0 ? to : windowLast;
            if (inside.nextAbsent(start - windowFirst, end - windowFirst))
            {
                found = inside.found + windowFirst;
                return true;
            }
            if (end == to)
            {
                return false;
            }
        }
        final long after = Long.compareUnsigned(start, windowLast) > 0 ? start : windowLast + 1;
        if (outside.nextAbsent(after, to))
        {
            found = outside.found;
            return true;
        }
        return false;
    }

    @Override
    long cardinality()
    {
        return inside.cardinality() + outside.cardinality();
    }

    @Override
    long cardinality(final long from, final long to)
    {
        long count = outside.cardinality(from, to);
        final long a = Long.compareUnsigned(from, windowFirst) > 0 ? from : windowFirst;
        final long b = Long.compareUnsigned(to, windowLast) < 0 ? to : windowLast;
        if (Long.compareUnsigned(a, b) <= 0)
        {
            count += inside.cardinality(a - windowFirst, b - windowFirst);
        }
        return count;
    }

    @Override
    void forEach(final LongConsumer consumer)
    {
        // ascending: outside below the window, the window, outside above it
        outside.forEach(o ->
        {
            if (Long.compareUnsigned(o, windowFirst) < 0)
            {
                consumer.accept(o);
            }
        });
        inside.forEach(o -> consumer.accept(o + windowFirst));
        outside.forEach(o ->
        {
            if (Long.compareUnsigned(o, windowLast) > 0)
            {
                consumer.accept(o);
            }
        });
    }

    @Override
    void clear()
    {
        inside.clear();
        outside.clear();
    }
}
