package io.ipam.core.engine;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * State of one subnet, owned by the engine's thread. Addresses inside are handled as unsigned offsets from
 * the network address; an address value is the IPv4 value or the low 64 bits of an IPv6 address (a subnet
 * is /64 or longer, so its high 64 bits are fixed).
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
        final long[] poolFirst,
        final long[] poolLast)
    {
        this.handle = handle;
        this.id = id;
        this.tenant = tenant;
        this.cidr = cidr;
        this.v6 = cidr.isV6();
        this.hi = cidr.address().hi();
        this.base = cidr.address().lo();
        this.lastOffset = v6 ?
            (cidr.prefixLength() == 64 ? -1L : (1L << (128 - cidr.prefixLength())) - 1) :
            (1L << (32 - cidr.prefixLength())) - 1;
        this.strategy = strategy;
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
        int lo = 0;
        int hiIdx = poolCount - 1;
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
            cooling = new CoolingQueue();
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
        return allocated.cardinality() - coolingCount();
    }

    long poolFree()
    {
        return poolTotal - poolAllocatedTotal;
    }

    /**
     * A Fenwick tree over the pools' free counts (1-based; only for more than one pool): a RANDOM pick finds the
     * pool holding the r-th free address in O(log pools), so one pool or 1,024 cost nearly the same. Partial sums
     * fit in an unsigned 64-bit word: a subnet holds at most 2^64 addresses.
     */
    private long[] freeTree = new long[0];
    private int treeTop;

    void poolTaken(final int pool)
    {
        poolAllocated[pool]++;
        poolAllocatedTotal++;
        treeAdd(pool, -1);
    }

    void poolFreed(final int pool)
    {
        poolAllocated[pool]--;
        poolAllocatedTotal--;
        treeAdd(pool, 1);
    }

    private void treeAdd(final int pool, final long delta)
    {
        if (poolCount > 1)
        {
            for (int i = pool + 1; i <= poolCount; i += i & -i)
            {
                freeTree[i] += delta;
            }
        }
    }

    /**
     * @param r a value below {@link #poolFree()} (unsigned).
     * @return the pool holding the r-th free address, counting pools in order.
     */
    int poolAt(final long r)
    {
        if (poolCount <= 1)
        {
            return 0;
        }
        int pos = 0;
        long rest = r;
        for (int bit = treeTop; bit > 0; bit >>= 1)
        {
            final int next = pos + bit;
            if (next <= poolCount && Long.compareUnsigned(freeTree[next], rest) <= 0)
            {
                pos = next;
                rest -= freeTree[next];
            }
        }
        return pos; // the pool at index pos holds it (0-based)
    }

    void setPools(final long[] first, final long[] last)
    {
        poolCount = first.length;
        poolFirst = first;
        poolLast = last;
        poolAllocated = new long[poolCount];
        poolHint = new long[poolCount];
        poolTotal = 0;
        poolAllocatedTotal = 0;
        for (int i = 0; i < poolCount; i++)
        {
            poolTotal += last[i] - first[i] + 1;
            poolAllocated[i] = allocated.cardinality(first[i], last[i]);
            poolAllocatedTotal += poolAllocated[i];
            poolHint[i] = first[i];
        }
        freeTree = new long[poolCount + 1];
        treeTop = Integer.highestOneBit(Math.max(1, poolCount));
        if (poolCount > 1)
        {
            for (int i = 0; i < poolCount; i++)
            {
                final int j = i + 1;
                freeTree[j] += last[i] - first[i] + 1 - poolAllocated[i];
                final int parent = j + (j & -j);
                if (parent <= poolCount)
                {
                    freeTree[parent] += freeTree[j];
                }
            }
        }
    }

    IpAddress address(final long value)
    {
        return new IpAddress(v6, hi, value);
    }
}
