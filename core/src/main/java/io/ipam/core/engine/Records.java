package io.ipam.core.engine;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One record per allocated address, in parallel primitive arrays: subnet handle, address, owner id, time,
 * and the links of the owner's doubly linked list (so that release-by-owner and allocations-of-owner never
 * scan). 32 bytes a record. The arrays are pages of 2^16 records made as the number of live records grows:
 * growing copies nothing and leaves no half-empty doubled array behind (a doubling array holds up to twice the
 * records in use, and needs old and new copies at once while it grows). Freed records are recycled through a
 * free list. Single-threaded.
 * <p>
 * A snapshot's capture copies no record: {@link #capture} hands the pages themselves to the image and marks them
 * shared; the first write to a shared page afterwards copies that page first ({@link #own}, one check per write,
 * one page copy per page written after a capture), so the image stays as it was captured.
 */
final class Records
{
    static final int NONE = -1;

    static final int PAGE_BITS = 16;
    static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;

    private int[][] subnet = new int[1][];
    private long[][] address = new long[1][];
    private int[][] owner = new int[1][];
    private long[][] time = new long[1][];
    private int[][] next = new int[1][];
    private int[][] prev = new int[1][];
    /** The address's high 64 bits, for records of wide subnets only (IPv6 /1 to /63): a page gets its array when a
     * wide subnet's record first lands in it, so an engine without wide subnets holds none. */
    private long[][] addressHi;
    /** Router marks (SPEC 2), a bit per record: a page gets its words with its first router allocation. */
    private long[][] router;
    /** Pages a captured image holds: copied before their next write. */
    private boolean[] shared = new boolean[1];
    private int capacity;
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
            freeHead = next[r >>> PAGE_BITS][r & PAGE_MASK];
        }
        else
        {
            if (used == capacity)
            {
                grow();
            }
            r = used++;
        }
        final int p = r >>> PAGE_BITS;
        final int i = r & PAGE_MASK;
        if (shared[p])
        {
            own(p);
        }
        subnet[p][i] = subnetHandle;
        address[p][i] = addr;
        owner[p][i] = ownerId;
        time[p][i] = timeMs;
        final int h = owners.head(ownerId);
        prev[p][i] = NONE;
        next[p][i] = h;
        if (h != NONE)
        {
            prev[h >>> PAGE_BITS][h & PAGE_MASK] = r;
        }
        owners.head(ownerId, r);
        owners.count(ownerId, owners.count(ownerId) + 1);
        live++;
        return r;
    }

    /**
     * Record the high 64 bits of a wide subnet's address (IPv6 /1 to /63); other records never need them.
     *
     * @param r  the record.
     * @param hi the address's high bits.
     */
    void addressHi(final int r, final long hi)
    {
        final int p = r >>> PAGE_BITS;
        if (shared[p])
        {
            own(p);
        }
        if (addressHi == null || addressHi.length <= p)
        {
            addressHi = Arrays.copyOf(addressHi == null ? new long[0][] : addressHi, subnet.length);
        }
        if (addressHi[p] == null)
        {
            addressHi[p] = new long[PAGE_SIZE];
        }
        addressHi[p][r & PAGE_MASK] = hi;
    }

    /**
     * @return the high 64 bits of a wide subnet's record's address (set by {@link #addressHi(int, long)}).
     */
    long addressHi(final int r)
    {
        return addressHi[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    /**
     * Mark a record as a router's allocation (SPEC 2).
     */
    void markRouter(final int r)
    {
        final int p = r >>> PAGE_BITS;
        if (shared[p])
        {
            own(p);
        }
        if (router == null || router.length <= p)
        {
            router = Arrays.copyOf(router == null ? new long[0][] : router, subnet.length);
        }
        if (router[p] == null)
        {
            router[p] = new long[PAGE_SIZE / 64];
        }
        router[p][(r & PAGE_MASK) >>> 6] |= 1L << r;
    }

    /**
     * @return true if a router's request made the record's allocation.
     */
    boolean router(final int r)
    {
        final int p = r >>> PAGE_BITS;
        return router != null && p < router.length && router[p] != null &&
            (router[p][(r & PAGE_MASK) >>> 6] & (1L << r)) != 0;
    }

    /**
     * Visit every record marked as a router's allocation: a pass over the pages that ever held one (none in an
     * engine without router allocations).
     */
    void forEachRouter(final IntConsumer visitor)
    {
        if (router == null)
        {
            return;
        }
        for (int p = 0; p < router.length; p++)
        {
            final long[] words = router[p];
            if (words == null)
            {
                continue;
            }
            for (int w = 0; w < words.length; w++)
            {
                long bits = words[w];
                while (bits != 0)
                {
                    visitor.accept((p << PAGE_BITS) | (w << 6) | Long.numberOfTrailingZeros(bits));
                    bits &= bits - 1;
                }
            }
        }
    }

    /**
     * Unlink and recycle a record; forgets the owner when this was its last record.
     */
    void remove(final int r)
    {
        final int page = r >>> PAGE_BITS;
        final int i = r & PAGE_MASK;
        if (shared[page])
        {
            own(page);
        }
        if (router != null && page < router.length && router[page] != null)
        {
            router[page][i >>> 6] &= ~(1L << i);
        }
        final int o = owner[page][i];
        final int p = prev[page][i];
        final int n = next[page][i];
        if (p != NONE)
        {
            next[p >>> PAGE_BITS][p & PAGE_MASK] = n;
        }
        else
        {
            owners.head(o, n);
        }
        if (n != NONE)
        {
            prev[n >>> PAGE_BITS][n & PAGE_MASK] = p;
        }
        owners.count(o, owners.count(o) - 1);
        owners.releaseIfEmpty(o);
        owner[page][i] = NONE;
        next[page][i] = freeHead;
        freeHead = r;
        live--;
    }

    private void grow()
    {
        final int p = capacity >>> PAGE_BITS;
        if (p == subnet.length)
        {
            final int n = p * 2;
            subnet = Arrays.copyOf(subnet, n);
            address = Arrays.copyOf(address, n);
            owner = Arrays.copyOf(owner, n);
            time = Arrays.copyOf(time, n);
            next = Arrays.copyOf(next, n);
            prev = Arrays.copyOf(prev, n);
            shared = Arrays.copyOf(shared, n);
        }
        // the first page grows from 64 records, so that a small engine stays small
        final int size = capacity < PAGE_SIZE ? Math.min(PAGE_SIZE, Math.max(64, capacity * 2)) : PAGE_SIZE;
        if (capacity < PAGE_SIZE && capacity > 0)
        {
            if (shared[0])
            {
                own(0);   // the image keeps every array of the page, the full-size high words and router marks too
            }
            subnet[0] = Arrays.copyOf(subnet[0], size);
            address[0] = Arrays.copyOf(address[0], size);
            owner[0] = Arrays.copyOf(owner[0], size);
            time[0] = Arrays.copyOf(time[0], size);
            next[0] = Arrays.copyOf(next[0], size);
            prev[0] = Arrays.copyOf(prev[0], size);
            capacity = size;
            return;
        }
        subnet[p] = new int[size];
        address[p] = new long[size];
        owner[p] = new int[size];
        time[p] = new long[size];
        next[p] = new int[size];
        prev[p] = new int[size];
        capacity += size;
    }

    int subnet(final int r)
    {
        return subnet[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    long address(final int r)
    {
        return address[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    int owner(final int r)
    {
        return owner[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    long time(final int r)
    {
        return time[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    int nextOfOwner(final int r)
    {
        return next[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    /**
     * Hand the record pages to an image without copying them: every page in use becomes shared, and the engine
     * copies a shared page before it next writes it.
     */
    EngineImage capture(
        final List<EngineImage.SubnetImage> subnets,
        final OwnerTable owners,
        final List<EngineImage.PrefixPoolImage> pools)
    {
        final int pages = (used + PAGE_SIZE - 1) >>> PAGE_BITS;
        for (int p = 0; p < pages; p++)
        {
            shared[p] = true;
        }
        return new EngineImage(subnets, used, subnet.clone(), address.clone(), owner.clone(), time.clone(),
            addressHi == null ? null : addressHi.clone(), router == null ? null : router.clone(), owners.msbCopy(),
            owners.lsbCopy(), pools, null);
    }

    /**
     * Give a shared page's arrays (those an image reads) fresh copies, so the image keeps what it captured.
     */
    private void own(final int p)
    {
        subnet[p] = subnet[p].clone();
        address[p] = address[p].clone();
        owner[p] = owner[p].clone();
        time[p] = time[p].clone();
        if (addressHi != null && p < addressHi.length && addressHi[p] != null)
        {
            addressHi[p] = addressHi[p].clone();
        }
        if (router != null && p < router.length && router[p] != null)
        {
            router[p] = router[p].clone();
        }
        shared[p] = false;
    }

    int live()
    {
        return live;
    }
}
