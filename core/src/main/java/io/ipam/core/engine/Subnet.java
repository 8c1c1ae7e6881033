package io.ipam.core.engine;

import java.math.BigInteger;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * State of one subnet, owned by the engine's thread. Addresses inside are handled as unsigned offsets from
 * the network address; an address value is the IPv4 value or the low 64 bits of an IPv6 address. In a narrow
 * subnet (IPv4, IPv6 /64 and longer) the high 64 bits are the subnet's and an offset is one {@code long}; a wide
 * subnet (IPv6 /1 to /63, {@link #wide}) keeps 128-bit offsets in its own set, index and pools
 * ({@code docs/wide-offsets.md}), and the narrow ones are null.
 */
final class Subnet
{
    final int handle;
    final String id;
    final String tenant;
    final Cidr cidr;
    final boolean v6;
    final long hi;
    final long base;
    final long lastOffset;
    final long usableFirst;
    final long usableLast;
    final AllocationStrategy strategy;
    final AddressSet allocated;
    final RecordIndex recordByOffset;
    /** True for IPv6 /1 to /63: the wide set, index and pools below hold the state, offsets are 128-bit. */
    final boolean wide;
    /** Wide subnets: the host bits of an address's high word. */
    final long hostMaskHi;
    final WideAddressSet wideSet;
    final WideRecordIndex wideIndex;
    final WidePools widePools;

    IpAddress gateway;

    long[] poolFirst = new long[0];
    long[] poolLast = new long[0];
    long[] poolAllocated = new long[0];
    long[] poolHint = new long[0];
    int poolCount;
    long poolTotal;           // unsigned
    long poolAllocatedTotal;

    // lifecycle (SPEC 9)
    long cooldownMs;
    CoolingQueue cooling;
    long leased;
    long expired;
    long reclaimed;

    Subnet(
        final int handle,
        final String id,
        final String tenant,
        final Cidr cidr,
        final AllocationStrategy strategy,
        final long[] poolFirstHi,
        final long[] poolFirst,
        final long[] poolLastHi,
        final long[] poolLast)
    {
        this.handle = handle;
        this.id = id;
        this.tenant = tenant;
        this.cidr = cidr;
        this.v6 = cidr.isV6();
        this.hi = cidr.address().hi();
        this.base = cidr.address().lo();
        this.wide = SubnetRules.isWide(cidr);
        this.strategy = strategy;
        if (wide)
        {
            // the shape is fixed at creation, as for narrow subnets
            hostMaskHi = (1L << (64 - cidr.prefixLength())) - 1;
            final Wide.Pair window = new Wide.Pair();
            final boolean windowed = WideAddressSet.windowFor(poolFirstHi, poolFirst, poolLastHi, poolLast, window);
            wideSet = WideAddressSet.forShape(windowed ? window.hi : -1, window.lo);
            wideIndex = WideRecordIndex.forShape(windowed ? window.hi : -1, window.lo);
            widePools = new WidePools();
            lastOffset = -1L;
            usableFirst = 1;
            usableLast = -1L;
            allocated = null;
            recordByOffset = null;
            return;
        }
        hostMaskHi = 0;
        wideSet = null;
        wideIndex = null;
        widePools = null;
        this.lastOffset = v6 ?
            (cidr.prefixLength() == 64 ? -1L : (1L << (128 - cidr.prefixLength())) - 1) :
            (1L << (32 - cidr.prefixLength())) - 1;
        if (isPointToPoint())
        {
            usableFirst = 0;
            usableLast = lastOffset;
        }
        else
        {
            usableFirst = 1;
            usableLast = v6 ? lastOffset : lastOffset - 1;
        }
        // the shape is fixed at creation: a later pool update outside the window only costs the hashed part
        final long window = Long.compareUnsigned(lastOffset, 0xFFFF_FFFFL) > 0 ?
            WindowedAddressSet.windowFor(poolFirst, poolLast) : -1;
        this.allocated = window != -1 ? new WindowedAddressSet(window) : AddressSet.forSize(lastOffset);
        this.recordByOffset = RecordIndex.forShape(lastOffset, window);
    }

    boolean isPointToPoint()
    {
        final int p = cidr.prefixLength();
        return v6 ? p >= 127 : p >= 31;
    }

    /**
     * @return the offset of an address value in this subnet, unchecked.
     */
    long offsetOf(final long address)
    {
        return address - base;
    }

    long addressOf(final long offset)
    {
        return base + offset;
    }

    boolean containsValue(final long address)
    {
        if (!v6 && (address >>> 32) != 0)
        {
            return false;
        }
        return Long.compareUnsigned(address - base, lastOffset) <= 0 && Long.compareUnsigned(address, base) >= 0;
    }

    boolean usableOffset(final long offset)
    {
        return Long.compareUnsigned(offset, usableFirst) >= 0 && Long.compareUnsigned(offset, usableLast) <= 0;
    }

    /**
     * @return index of the pool holding the offset, or -1.
     */
    int poolOf(final long offset)
    {
        if (poolCount == 1)
        {
            // the common case (default pools of an IPv4 subnet with the gateway at .1): no search loop
            return Long.compareUnsigned(offset, poolFirst[0]) >= 0 &&
                Long.compareUnsigned(offset, poolLast[0]) <= 0 ? 0 : -1;
        }
        if (poolCount == 0)
        {
            return -1;
        }
        // the pools that can hold it lie between the first ending in its bucket and the first ending past it
        final int b = (int)(offset >>> offsetShift);
        int lo = offsetIndex[b];
        // usually the bucket's first pool (the first ending at or after the bucket's start) or the next one
        for (int step = 0; step < 4 && lo < poolCount; step++, lo++)
        {
            if (Long.compareUnsigned(offset, poolLast[lo]) <= 0)
            {
                return Long.compareUnsigned(offset, poolFirst[lo]) >= 0 ? lo : -1;
            }
        }
        int hiIdx = b + 1 < offsetIndex.length ? Math.min(offsetIndex[b + 1], poolCount - 1) : poolCount - 1;
        while (lo <= hiIdx)
        {
            final int mid = (lo + hiIdx) >>> 1;
            if (Long.compareUnsigned(offset, poolFirst[mid]) < 0)
            {
                hiIdx = mid - 1;
            }
            else if (Long.compareUnsigned(offset, poolLast[mid]) > 0)
            {
                lo = mid + 1;
            }
            else
            {
                return mid;
            }
        }
        return -1;
    }

    CoolingQueue coolingQueue()
    {
        if (cooling == null)
        {
            cooling = new CoolingQueue(wide);
        }
        return cooling;
    }

    long coolingCount()
    {
        return cooling == null ? 0 : cooling.size();
    }

    /**
     * @return addresses held by an owner (set bits less the cooling ones).
     */
    long held()
    {
        return (wide ? wideSet.cardinality() : allocated.cardinality()) - coolingCount();
    }

    /**
     * @return pool addresses free, unsigned; a wide subnet's count saturates at 2^64 - 1 (exact in {@link #free()}).
     */
    long poolFree()
    {
        if (wide)
        {
            return widePools.freeHi() != 0 ? -1L : widePools.freeLo();
        }
        return poolTotal - poolAllocatedTotal;
    }

    /**
     * @return pool addresses free, exact.
     */
    BigInteger free()
    {
        if (wide)
        {
            return widePools.free();
        }
        final long v = poolTotal - poolAllocatedTotal;
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v & Long.MAX_VALUE).setBit(63);
    }

    /**
     * @return how many pools the subnet has.
     */
    int pools()
    {
        return wide ? widePools.count : poolCount;
    }

    /**
     * @return pool i's first address.
     */
    IpAddress poolFirstAddress(final int i)
    {
        return wide ? new IpAddress(true, hi | widePools.firstHi[i], widePools.firstLo[i]) :
            address(addressOf(poolFirst[i]));
    }

    /**
     * @return pool i's last address.
     */
    IpAddress poolLastAddress(final int i)
    {
        return wide ? new IpAddress(true, hi | widePools.lastHi[i], widePools.lastLo[i]) :
            address(addressOf(poolLast[i]));
    }

    /**
     * @return true if the address lies in the subnet (either shape).
     */
    boolean contains(final long addressHi, final long address)
    {
        if (wide)
        {
            return (addressHi & ~hostMaskHi) == hi;
        }
        return (!v6 || addressHi == hi) && containsValue(address);
    }

    /**
     * @return the high word of an address's offset (zero in a narrow subnet).
     */
    long offsetHiOf(final long addressHi)
    {
        return wide ? addressHi & hostMaskHi : 0;
    }

    /**
     * @return the high word of the address at an offset whose high word is given.
     */
    long addressHiOf(final long offsetHi)
    {
        return wide ? hi | offsetHi : hi;
    }

    /**
     * @return true if an offset lies in the usable range (wide: every address but the subnet-router anycast one).
     */
    boolean usable(final long offsetHi, final long offset)
    {
        return wide ? (offsetHi | offset) != 0 : usableOffset(offset);
    }

    /*
     * Many pools: a RANDOM pick draws a rank over all pool addresses and needs the pool of that rank; a release
     * needs the pool of an offset. Both come from bucket tables built when the pools are set (4 buckets per pool,
     * each naming the first pool it can fall in, a binary search over the few pools of one bucket), so nothing is
     * updated per allocation but one count per pool and a bit of the "has room" bitmap: one pool or 1,024 cost
     * nearly the same (PoolsRun). Sums are unsigned 64-bit: a subnet holds at most 2^64 addresses.
     */

    /** Addresses in the pools before each pool (poolCount + 1 entries): rank r lies in pool p when
     * poolStart[p] <= r < poolStart[p + 1] (unsigned). */
    long[] poolStart = new long[1];
    /** Bit p set: pool p has a free address. */
    private long[] notFull = new long[0];
    // O(1) lookups for many pools: a bucket of ranks (or offsets) to the first pool it can fall in
    private int[] rankIndex = new int[0];
    private int rankShift;
    private int[] offsetIndex = new int[0];
    private int offsetShift;

    void poolTaken(final int pool)
    {
        poolAllocatedTotal++;
        if (++poolAllocated[pool] == poolLast[pool] - poolFirst[pool] + 1)
        {
            notFull[pool >>> 6] &= ~(1L << pool);
        }
    }

    void poolFreed(final int pool)
    {
        poolAllocatedTotal--;
        if (poolAllocated[pool]-- == poolLast[pool] - poolFirst[pool] + 1)
        {
            notFull[pool >>> 6] |= 1L << pool;
        }
    }

    /**
     * @param r a rank below the pools' total size (unsigned).
     * @return the pool holding the r-th pool address, counting pools in order: O(1) with the rank table.
     */
    int poolAtRank(final long r)
    {
        if (poolCount <= 1)
        {
            return 0;
        }
        final int b = (int)(r >>> rankShift);
        int lo = rankIndex[b];
        // the bucket's first pool, or one of the next few, holds it: a short scan on one cache line
        for (int step = 0; step < 4; step++, lo++)
        {
            if (Long.compareUnsigned(poolStart[lo + 1], r) > 0)
            {
                return lo;
            }
        }
        int hiIdx = b + 1 < rankIndex.length ? Math.min(rankIndex[b + 1], poolCount - 1) : poolCount - 1;
        while (lo < hiIdx)
        {
            final int mid = (lo + hiIdx + 1) >>> 1;
            if (Long.compareUnsigned(poolStart[mid], r) <= 0)
            {
                lo = mid;
            }
            else
            {
                hiIdx = mid - 1;
            }
        }
        return lo;
    }

    /**
     * @param from a pool index.
     * @return the first pool from {@code from} on (wrapping) that has a free address, or -1 if none.
     */
    int poolWithRoom(final int from)
    {
        final int words = notFull.length;
        int w = from >>> 6;
        long bits = notFull[w] & (-1L << from);
        for (int n = 0; n <= words; n++)
        {
            if (bits != 0)
            {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
            w = w + 1 == words ? 0 : w + 1;
            bits = notFull[w];
        }
        return -1;
    }

    /**
     * Replace a wide subnet's pools (128-bit offsets).
     */
    void setPools(final long[] firstHi, final long[] first, final long[] lastHi, final long[] last)
    {
        if (wide)
        {
            widePools.set(firstHi, first, lastHi, last, wideSet);
        }
        else
        {
            setPools(first, last);
        }
    }

    void setPools(final long[] first, final long[] last)
    {
        poolCount = first.length;
        poolFirst = first;
        poolLast = last;
        poolAllocated = new long[poolCount];
        poolHint = new long[poolCount];
        poolStart = new long[poolCount + 1];
        notFull = new long[(poolCount + 63) >>> 6];
        poolTotal = 0;
        poolAllocatedTotal = 0;
        for (int i = 0; i < poolCount; i++)
        {
            poolStart[i] = poolTotal;
            poolTotal += last[i] - first[i] + 1;
            poolAllocated[i] = allocated.cardinality(first[i], last[i]);
            poolAllocatedTotal += poolAllocated[i];
            poolHint[i] = first[i];
            if (poolAllocated[i] != last[i] - first[i] + 1)
            {
                notFull[i >>> 6] |= 1L << i;
            }
        }
        poolStart[poolCount] = poolTotal;
        if (poolCount > 1)
        {
            final int buckets = Integer.highestOneBit(poolCount) * 4;
            rankShift = shiftFor(poolTotal - 1, buckets);
            rankIndex = new int[buckets];
            int p = 0;
            final long lastRankBucket = (poolTotal - 1) >>> rankShift;
            for (int b = 0; b < buckets; b++)
            {
                // the pool holding the bucket's first rank: the last pool whose start is at or below it
                final long start = (long)b << rankShift;
                while (b <= lastRankBucket && p + 1 < poolCount && Long.compareUnsigned(poolStart[p + 1], start) <= 0)
                {
                    p++;
                }
                rankIndex[b] = b <= lastRankBucket ? p : poolCount - 1;
            }
            offsetShift = shiftFor(lastOffset, buckets);
            offsetIndex = new int[buckets];
            int q = 0;
            final long lastOffsetBucket = lastOffset >>> offsetShift;
            for (int b = 0; b < buckets; b++)
            {
                // the first pool that ends at or after the bucket's first offset
                final long start = (long)b << offsetShift;
                while (b <= lastOffsetBucket && q < poolCount && Long.compareUnsigned(poolLast[q], start) < 0)
                {
                    q++;
                }
                offsetIndex[b] = b <= lastOffsetBucket ? q : poolCount;
            }
        }
    }

    /**
     * @return the smallest shift that maps every value up to {@code max} (unsigned) below {@code buckets}.
     */
    private static int shiftFor(final long max, final int buckets)
    {
        int shift = 0;
        while (shift < 63 && Long.compareUnsigned(max >>> shift, buckets - 1) > 0)
        {
            shift++;
        }
        return shift;
    }

    IpAddress address(final long value)
    {
        return new IpAddress(v6, hi, value);
    }
}
