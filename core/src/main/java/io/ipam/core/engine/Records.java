package io.ipam.core.engine;

import java.util.Arrays;
import java.util.List;

/**
 * One record per allocated address, in parallel primitive arrays: subnet handle, address, owner id, time,
 * and the links of the owner's doubly linked list (so that release-by-owner and allocations-of-owner never
 * scan). Freed records are recycled through a free list. Single-threaded.
 */
final class Records
{
    static final int NONE = -1;

    private int[] subnet = new int[64];
    private long[] address = new long[64];
    private int[] owner = new int[64];
    private long[] time = new long[64];
    private int[] next = new int[64];
    private int[] prev = new int[64];
    private int freeHead = NONE;
    private int used;
    private int live;

    private final OwnerTable owners;

    Records(final OwnerTable owners)
    {
        this.owners = owners;
    }

    int add(final int subnetHandle, final long addr, final int ownerId, final long timeMs)
    {
        final int r;
        if (freeHead != NONE)
        {
            r = freeHead;
            freeHead = next[r];
        }
        else
        {
            if (used == subnet.length)
            {
                grow();
            }
            r = used++;
        }
        subnet[r] = subnetHandle;
        address[r] = addr;
        owner[r] = ownerId;
        time[r] = timeMs;
        final int h = owners.head(ownerId);
        prev[r] = NONE;
        next[r] = h;
        if (h != NONE)
        {
            prev[h] = r;
        }
        owners.head(ownerId, r);
        owners.count(ownerId, owners.count(ownerId) + 1);
        live++;
        return r;
    }

    /**
     * Unlink and recycle a record; forgets the owner when this was its last record.
     */
    void remove(final int r)
    {
        final int o = owner[r];
        final int p = prev[r];
        final int n = next[r];
        if (p != NONE)
        {
            next[p] = n;
        }
        else
        {
            owners.head(o, n);
        }
        if (n != NONE)
        {
            prev[n] = p;
        }
        owners.count(o, owners.count(o) - 1);
        owners.releaseIfEmpty(o);
        owner[r] = NONE;
        next[r] = freeHead;
        freeHead = r;
        live--;
    }

    private void grow()
    {
        final int n = subnet.length * 2;
        subnet = Arrays.copyOf(subnet, n);
        address = Arrays.copyOf(address, n);
        owner = Arrays.copyOf(owner, n);
        time = Arrays.copyOf(time, n);
        next = Arrays.copyOf(next, n);
        prev = Arrays.copyOf(prev, n);
    }

    int subnet(final int r)
    {
        return subnet[r];
    }

    long address(final int r)
    {
        return address[r];
    }

    int owner(final int r)
    {
        return owner[r];
    }

    long time(final int r)
    {
        return time[r];
    }

    int nextOfOwner(final int r)
    {
        return next[r];
    }

    EngineImage capture(
        final List<EngineImage.SubnetImage> subnets,
        final OwnerTable owners,
        final List<EngineImage.PrefixPoolImage> pools)
    {
        return new EngineImage(subnets, Arrays.copyOf(subnet, used), Arrays.copyOf(address, used),
            Arrays.copyOf(owner, used), Arrays.copyOf(time, used), owners.msbCopy(), owners.lsbCopy(), pools);
    }

    int live()
    {
        return live;
    }
}
