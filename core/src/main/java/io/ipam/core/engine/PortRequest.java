package io.ipam.core.engine;

import java.util.Arrays;

/**
 * A reusable, mutable port request for the single-threaded hot path: items are appended with
 * {@link #any(int)}, {@link #next(int)}, {@link #specific(int, boolean, long, long)}, {@link #eui64(int, long)}
 * and {@link #anyOf(int[], int)}; after {@link AllocatorEngine#allocatePort}
 * the results are read with {@link #resultHandle(int)} and {@link #resultAddress(int)}, or on failure
 * {@link #failedItem()} says which item failed. Reuse it with {@link #clear()}; it allocates only when it
 * grows. Not thread-safe.
 */
public final class PortRequest
{
    static final byte ANY = 0;
    static final byte NEXT = 1;
    static final byte SPECIFIC = 2;
    static final byte EUI64 = 3;
    static final byte GROUP = 4;

    byte[] kind = new byte[8];
    int[] handle = new int[8];
    boolean[] v6 = new boolean[8];
    long[] hi = new long[8];
    long[] lo = new long[8];
    int[] groupStart = new int[8];
    int[] groupLength = new int[8];
    int[] groupHandles = new int[16];
    int groupHandleCount;
    int count;

    int[] resultHandle = new int[8];
    long[] resultAddress = new long[8];
    long[] resultAddressHi = new long[8];
    boolean[] done = new boolean[8];
    int failedItem = -1;
    int failedHandle = -1;

    /**
     * Forget all items and results.
     *
     * @return this.
     */
    public PortRequest clear()
    {
        count = 0;
        groupHandleCount = 0;
        failedItem = -1;
        failedHandle = -1;
        return this;
    }

    /**
     * @return number of items.
     */
    public int count()
    {
        return count;
    }

    private int add(final byte k, final int h)
    {
        if (count == kind.length)
        {
            final int n = count * 2;
            kind = Arrays.copyOf(kind, n);
            handle = Arrays.copyOf(handle, n);
            v6 = Arrays.copyOf(v6, n);
            hi = Arrays.copyOf(hi, n);
            lo = Arrays.copyOf(lo, n);
            groupStart = Arrays.copyOf(groupStart, n);
            groupLength = Arrays.copyOf(groupLength, n);
            resultHandle = Arrays.copyOf(resultHandle, n);
            resultAddress = Arrays.copyOf(resultAddress, n);
            resultAddressHi = Arrays.copyOf(resultAddressHi, n);
            done = Arrays.copyOf(done, n);
        }
        kind[count] = k;
        handle[count] = h;
        return count++;
    }

    /**
     * @param subnetHandle subnet.
     * @return this.
     */
    public PortRequest any(final int subnetHandle)
    {
        add(ANY, subnetHandle);
        return this;
    }

    /**
     * @param subnetHandle subnet.
     * @return this.
     */
    public PortRequest next(final int subnetHandle)
    {
        add(NEXT, subnetHandle);
        return this;
    }

    /**
     * @param subnetHandle subnet.
     * @param isV6         family of the address.
     * @param high         high 64 bits (IPv6) or 0.
     * @param low          low 64 bits or the IPv4 value.
     * @return this.
     */
    public PortRequest specific(final int subnetHandle, final boolean isV6, final long high, final long low)
    {
        final int i = add(SPECIFIC, subnetHandle);
        v6[i] = isV6;
        hi[i] = high;
        lo[i] = low;
        return this;
    }

    /**
     * @param subnetHandle an IPv6 /64.
     * @param mac          48-bit MAC.
     * @return this.
     */
    public PortRequest eui64(final int subnetHandle, final long mac)
    {
        final int i = add(EUI64, subnetHandle);
        lo[i] = mac;
        return this;
    }

    /**
     * @param subnetHandles the group, in order (copied).
     * @param n             how many of the array to use.
     * @return this.
     */
    public PortRequest anyOf(final int[] subnetHandles, final int n)
    {
        final int i = add(GROUP, n > 0 ? subnetHandles[0] : AllocatorEngine.NO_HANDLE);
        if (groupHandleCount + n > groupHandles.length)
        {
            groupHandles = Arrays.copyOf(groupHandles, Math.max(groupHandles.length * 2, groupHandleCount + n));
        }
        System.arraycopy(subnetHandles, 0, groupHandles, groupHandleCount, n);
        groupStart[i] = groupHandleCount;
        groupLength[i] = n;
        groupHandleCount += n;
        return this;
    }

    /**
     * @param item item index.
     * @return the subnet the item names (a group's first).
     */
    public int itemHandle(final int item)
    {
        return handle[item];
    }

    /**
     * @param item item index.
     * @return the subnet the item's address came from.
     */
    public int resultHandle(final int item)
    {
        return resultHandle[item];
    }

    /**
     * @param item item index.
     * @return the address value (IPv4 value or IPv6 low 64 bits).
     */
    public long resultAddress(final int item)
    {
        return resultAddress[item];
    }

    /**
     * @param item an item index.
     * @return the high 64 bits of the address it got (IPv4: 0; a wide subnet's vary).
     */
    public long resultAddressHi(final int item)
    {
        return resultAddressHi[item];
    }

    /**
     * @return index of the item that failed, or -1.
     */
    public int failedItem()
    {
        return failedItem;
    }

    /**
     * @return the subnet the failing item was looking at, or -1.
     */
    public int failedHandle()
    {
        return failedHandle;
    }
}
