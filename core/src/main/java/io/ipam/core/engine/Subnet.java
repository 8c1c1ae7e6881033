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

    long poolFree()
    {
        return poolTotal - poolAllocatedTotal;
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
    }

    IpAddress address(final long value)
    {
        return new IpAddress(v6, hi, value);
    }
}
