package io.ipam.core.engine;

import java.util.Arrays;
import java.util.function.LongConsumer;

import org.agrona.collections.Long2ObjectHashMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * Offsets beyond 2^32 (IPv6 subnets shorter than /96): a 64-bit Roaring structure made of one
 * {@link RoaringBitmap} per high 32 bits, kept in a primitive-keyed map. Unlike {@code Roaring64Bitmap}
 * it can answer "next absent" (within a bucket through {@link RoaringBitmap#nextAbsentValue(int)}, and a
 * missing bucket is all free). Memory grows with the number of allocations only: empty buckets are dropped.
 */
final class LargeAddressSet extends AddressSet
{
    private final Long2ObjectHashMap<RoaringBitmap> buckets = new Long2ObjectHashMap<>();
    private long cardinality;

    @Override
    boolean add(final long offset)
    {
        final long high = offset >>> 32;
        RoaringBitmap bucket = buckets.get(high);
        if (bucket == null)
        {
            bucket = new RoaringBitmap();
            buckets.put(high, bucket);
        }
        if (bucket.checkedAdd((int)offset))
        {
            cardinality++;
            return true;
        }
        return false;
    }

    @Override
    boolean remove(final long offset)
    {
        final long high = offset >>> 32;
        final RoaringBitmap bucket = buckets.get(high);
        if (bucket != null && bucket.checkedRemove((int)offset))
        {
            cardinality--;
            if (bucket.isEmpty())
            {
                buckets.remove(high);
            }
            return true;
        }
        return false;
    }

    @Override
    boolean contains(final long offset)
    {
        final RoaringBitmap bucket = buckets.get(offset >>> 32);
        return bucket != null && bucket.contains((int)offset);
    }

    @Override
    boolean nextAbsent(final long from, final long to)
    {
        long cursor = from;
        while (Long.compareUnsigned(cursor, to) <= 0)
        {
            final long high = cursor >>> 32;
            final RoaringBitmap bucket = buckets.get(high);
            if (bucket == null || !bucket.contains((int)cursor))
            {
                found = cursor;
                return true;
            }
            final long low = bucket.nextAbsentValue((int)cursor);
            if (low >= 0)
            {
                final long candidate = (high << 32) | low;
                if (Long.compareUnsigned(candidate, to) <= 0)
                {
                    found = candidate;
                    return true;
                }
                return false;
            }
            if (high == 0xFFFF_FFFFL)
            {
                return false;
            }
            cursor = (high + 1) << 32;
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
        long count = 0;
        final Long2ObjectHashMap<RoaringBitmap>.EntryIterator it = buckets.entrySet().iterator();
        while (it.hasNext())
        {
            it.next();
            final long high = it.getLongKey();
            final long bucketFirst = high << 32;
            final long bucketLast = bucketFirst | 0xFFFF_FFFFL;
            if (Long.compareUnsigned(bucketLast, from) < 0 || Long.compareUnsigned(bucketFirst, to) > 0)
            {
                continue;
            }
            final long lo = Long.compareUnsigned(from, bucketFirst) > 0 ? from & 0xFFFF_FFFFL : 0;
            final long hi = Long.compareUnsigned(to, bucketLast) < 0 ? to & 0xFFFF_FFFFL : 0xFFFF_FFFFL;
            count += it.getValue().rangeCardinality(lo, hi + 1);
        }
        return count;
    }

    @Override
    void forEach(final LongConsumer consumer)
    {
        final long[] highs = new long[buckets.size()];
        int n = 0;
        for (final Long2ObjectHashMap<RoaringBitmap>.KeyIterator it = buckets.keySet().iterator(); it.hasNext(); )
        {
            highs[n++] = it.nextLong() ^ Long.MIN_VALUE;
        }
        Arrays.sort(highs);
        for (final long h : highs)
        {
            final long high = h ^ Long.MIN_VALUE;
            buckets.get(high).forEach((int v) -> consumer.accept((high << 32) | (v & 0xFFFF_FFFFL)));
        }
    }

    @Override
    void clear()
    {
        buckets.clear();
        cardinality = 0;
    }
}
