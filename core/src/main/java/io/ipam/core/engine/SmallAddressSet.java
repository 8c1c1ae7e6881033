package io.ipam.core.engine;

import java.util.Arrays;
import java.util.function.LongConsumer;

import org.roaringbitmap.RoaringBitmap;

/**
 * Up to 2^32 offsets in one {@link RoaringBitmap}, plus a count per 2^16 chunk so that a search for a free
 * offset skips full chunks without reading them: the cost of a search does not grow with the fill level.
 */
final class SmallAddressSet extends AddressSet
{
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK_SIZE = 1 << CHUNK_BITS;

    private final RoaringBitmap bitmap = new RoaringBitmap();
    private final int[] chunkCount;
    private long cardinality;

    SmallAddressSet(final long lastOffset)
    {
        chunkCount = new int[(int)((lastOffset >>> CHUNK_BITS) + 1)];
    }

    @Override
    boolean add(final long offset)
    {
        if (bitmap.checkedAdd((int)offset))
        {
            chunkCount[(int)(offset >>> CHUNK_BITS)]++;
            cardinality++;
            return true;
        }
        return false;
    }

    @Override
    boolean remove(final long offset)
    {
        if (bitmap.checkedRemove((int)offset))
        {
            chunkCount[(int)(offset >>> CHUNK_BITS)]--;
            cardinality--;
            return true;
        }
        return false;
    }

    @Override
    boolean contains(final long offset)
    {
        return bitmap.contains((int)offset);
    }

    @Override
    boolean nextAbsent(final long from, final long to)
    {
        long cursor = from;
        while (cursor <= to)
        {
            final int chunk = (int)(cursor >>> CHUNK_BITS);
            final long chunkEnd = ((long)chunk << CHUNK_BITS) + CHUNK_SIZE - 1;
            if (chunkCount[chunk] < CHUNK_SIZE)
            {
                if (chunkCount[chunk] == 0)
                {
                    found = cursor;
                    return true;
                }
                final long candidate = bitmap.nextAbsentValue((int)cursor);
                if (candidate >= 0 && candidate <= chunkEnd)
                {
                    if (candidate <= to)
                    {
                        found = candidate;
                        return true;
                    }
                    return false;
                }
            }
            cursor = chunkEnd + 1;
        }
        return false;
    }

    @Override
    long cardinality()
    {
        return cardinality;
    }

    @Override
    long cardinality(final long from, final long to)
    {
        return bitmap.rangeCardinality(from, to + 1);
    }

    @Override
    void forEach(final LongConsumer consumer)
    {
        bitmap.forEach((int v) -> consumer.accept(v & 0xFFFF_FFFFL));
    }

    @Override
    void clear()
    {
        bitmap.clear();
        Arrays.fill(chunkCount, 0);
        cardinality = 0;
    }

    RoaringBitmap bitmap()
    {
        return bitmap;
    }
}
