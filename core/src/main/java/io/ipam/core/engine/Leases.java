package io.ipam.core.engine;

import java.util.Arrays;

/**
 * The leases of the engine's records: each leased record's expiry time and its place in a binary min-heap of
 * leased records ordered by expiry. Expiry times and heap places live in pages of 4,096 records made the first
 * time a record of that page gets a lease, so allocations without a lease cost nothing here; the heap itself is
 * paged the same way (no doubling array, no half-empty copy, no huge object for the collector to place): a leased
 * record costs 8 (expiry) + 4 (heap place) + 4 (heap slot) = 16 bytes and at most one partly used page of each.
 * Renewing moves a record within the heap (O(log n)); releasing removes it. Single-threaded (the writer).
 * <p>
 * The order is total: leases ending at the same millisecond (common: every command of one cluster log entry has its
 * time) are ordered by {@link TieOrder}, which compares what an allocation is (subnet id, address), never a record
 * number or a heap position. Record numbers and heap layout differ between a replica that replayed the log and one
 * restored from a snapshot; with expiry time alone, such replicas expired tied leases in different orders, so the
 * same change sequence number named different addresses on different members.
 */
final class Leases
{
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    private long[][] expires = new long[1][];
    private int[][] place = new int[1][];  // heap index + 1, 0 when not leased
    private int[][] heap = new int[1][];
    private int size;
    private TieOrder ties = (a, b) -> 0;

    /**
     * @param ties how leases ending at the same time are ordered (a total order over what the records are).
     */
    void ties(final TieOrder ties)
    {
        this.ties = ties;
    }

    /**
     * @return true if record a's lease ends before record b's (ties by {@link TieOrder}).
     */
    private boolean before(final int a, final int b)
    {
        final long ea = expiresAt(a);
        final long eb = expiresAt(b);
        return ea < eb || ea == eb && ties.compare(a, b) < 0;
    }

    private int heapAt(final int i)
    {
        return heap[i >>> PAGE_BITS][i & PAGE_MASK];
    }

    private void heapSet(final int i, final int r)
    {
        heap[i >>> PAGE_BITS][i & PAGE_MASK] = r;
    }

    /**
     * @return leased records.
     */
    int size()
    {
        return size;
    }

    /**
     * @return whether a record holds a lease.
     */
    boolean leased(final int r)
    {
        if (size == 0)
        {
            return false; // the common case, allocations without leases: one field read on the hot path
        }
        final int p = r >>> PAGE_BITS;
        return p < place.length && place[p] != null && place[p][r & PAGE_MASK] != 0;
    }

    /**
     * @return a leased record's expiry time.
     */
    long expiresAt(final int r)
    {
        return expires[r >>> PAGE_BITS][r & PAGE_MASK];
    }

    /**
     * Give a record a lease, or move its expiry.
     */
    void set(final int r, final long expiresAt)
    {
        final int p = r >>> PAGE_BITS;
        if (p >= place.length)
        {
            final int n = Math.max(place.length * 2, p + 1);
            place = Arrays.copyOf(place, n);
            expires = Arrays.copyOf(expires, n);
        }
        if (place[p] == null)
        {
            place[p] = new int[PAGE_SIZE];
            expires[p] = new long[PAGE_SIZE];
        }
        final int i = r & PAGE_MASK;
        final long before = expires[p][i];
        expires[p][i] = expiresAt;
        final int at = place[p][i] - 1;
        if (at < 0)
        {
            final int hp = size >>> PAGE_BITS;
            if (hp == heap.length)
            {
                heap = Arrays.copyOf(heap, heap.length * 2);
            }
            if (heap[hp] == null)
            {
                heap[hp] = new int[PAGE_SIZE];
            }
            heapSet(size, r);
            place[p][i] = size + 1;
            up(size++);
        }
        else if (expiresAt < before)
        {
            up(at);
        }
        else
        {
            down(at);
        }
    }

    /**
     * Drop a record's lease, if it has one (the record is being released).
     */
    void clear(final int r)
    {
        if (!leased(r))
        {
            return;
        }
        final int at = place[r >>> PAGE_BITS][r & PAGE_MASK] - 1;
        place[r >>> PAGE_BITS][r & PAGE_MASK] = 0;
        final int last = heapAt(--size);
        if (at != size)
        {
            heapSet(at, last);
            setPlace(last, at);
            up(at);
            down(heapIndexOf(last));
        }
    }

    /**
     * @return the record whose lease ends first, or {@link Records#NONE}.
     */
    int first()
    {
        return size == 0 ? Records.NONE : heapAt(0);
    }

    /**
     * Visit every lease (record, expiry), in heap order.
     */
    void forEach(final LeaseVisitor visitor)
    {
        for (int k = 0; k < size; k++)
        {
            visitor.visit(heapAt(k), expiresAt(heapAt(k)));
        }
    }

    private int heapIndexOf(final int r)
    {
        return place[r >>> PAGE_BITS][r & PAGE_MASK] - 1;
    }

    private void setPlace(final int r, final int at)
    {
        place[r >>> PAGE_BITS][r & PAGE_MASK] = at + 1;
    }

    private void up(final int from)
    {
        int k = from;
        final int r = heapAt(k);
        while (k > 0)
        {
            final int parent = (k - 1) >>> 1;
            final int pr = heapAt(parent);
            if (!before(r, pr))
            {
                break;
            }
            heapSet(k, pr);
            setPlace(pr, k);
            k = parent;
        }
        heapSet(k, r);
        setPlace(r, k);
    }

    private void down(final int from)
    {
        int k = from;
        final int r = heapAt(k);
        while (true)
        {
            final int left = 2 * k + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            final int child = right < size && before(heapAt(right), heapAt(left)) ? right : left;
            final int cr = heapAt(child);
            if (!before(cr, r))
            {
                break;
            }
            heapSet(k, cr);
            setPlace(cr, k);
            k = child;
        }
        heapSet(k, r);
        setPlace(r, k);
    }

    /**
     * Orders two records whose leases end at the same time, by what they are: the same answer on every replica.
     */
    interface TieOrder
    {
        /**
         * @return negative, zero or positive as record a comes before, with or after record b.
         */
        int compare(int a, int b);
    }

    /**
     * Receives (record, expiry) pairs.
     */
    interface LeaseVisitor
    {
        void visit(int record, long expiresAt);
    }
}
