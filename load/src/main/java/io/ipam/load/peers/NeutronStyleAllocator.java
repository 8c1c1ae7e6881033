package io.ipam.load.peers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Neutron's reference IPAM driver as its documentation describes it: for every allocation, load all
 * allocations of the subnet (here from an in-memory "table" instead of SQL, which only flatters it), build the
 * free set of the pools, and pick at random among the lowest 1,000 free addresses; the insert is then checked
 * against the table (the real driver retries on a duplicate-key race). Synchronized, like a transaction.
 */
public final class NeutronStyleAllocator implements PeerAllocator
{
    private static final int WINDOW = 1000;

    private final int size;
    private final Map<Long, Long> table = new HashMap<>();   // the ipallocations table: address -> port
    private final SplittableRandom random = new SplittableRandom(2);

    /**
     * @param size offsets in the pool.
     */
    public NeutronStyleAllocator(final int size)
    {
        this.size = size;
    }

    @Override
    public synchronized long allocate(final long owner)
    {
        // "SELECT ... FROM ipallocations WHERE subnet_id = ?": the whole subnet, every time
        final List<Long> rows = new ArrayList<>(table.keySet());
        final HashSet<Long> allocated = new HashSet<>(rows);
        final long[] window = new long[WINDOW];
        int n = 0;
        for (long a = 0; a < size && n < WINDOW; a++)
        {
            if (!allocated.contains(a))
            {
                window[n++] = a;
            }
        }
        if (n == 0)
        {
            return -1;
        }
        final long pick = window[random.nextInt(n)];
        table.put(pick, owner);
        return pick;
    }

    @Override
    public synchronized boolean allocate(final long offset, final long owner)
    {
        return table.putIfAbsent(offset, owner) == null;
    }

    @Override
    public synchronized boolean release(final long offset)
    {
        return table.remove(offset) != null;
    }

    @Override
    public String name()
    {
        return "Neutron-style (reload + lowest-1000 window)";
    }
}
