package io.ipam.load.peers;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The allocator most people would write first: a {@code synchronized} {@link BitSet} of taken offsets and a
 * {@link HashMap} of owners. "Any" starts at a random point and takes the next clear bit (wrapping);
 * "lowest" is {@code nextClearBit(0)}, a scan from the start.
 */
public final class BitSetAllocator implements PeerAllocator
{
    private final int size;
    private final boolean lowest;
    private final BitSet taken;
    private final Map<Integer, Long> owners = new HashMap<>();
    private final SplittableRandom random = new SplittableRandom(1);

    /**
     * @param size   offsets in the pool.
     * @param lowest true for lowest-free, false for random start.
     */
    public BitSetAllocator(final int size, final boolean lowest)
    {
        this.size = size;
        this.lowest = lowest;
        this.taken = new BitSet(size);
    }

    @Override
    public synchronized long allocate(final long owner)
    {
        int bit = taken.nextClearBit(lowest ? 0 : random.nextInt(size));
        if (bit >= size)
        {
            bit = taken.nextClearBit(0);
            if (bit >= size)
            {
                return -1;
            }
        }
        taken.set(bit);
        owners.put(bit, owner);
        return bit;
    }

    @Override
    public synchronized boolean allocate(final long offset, final long owner)
    {
        if (taken.get((int)offset))
        {
            return false;
        }
        taken.set((int)offset);
        owners.put((int)offset, owner);
        return true;
    }

    @Override
    public synchronized boolean release(final long offset)
    {
        if (!taken.get((int)offset))
        {
            return false;
        }
        taken.clear((int)offset);
        owners.remove((int)offset);
        return true;
    }

    @Override
    public String name()
    {
        return "synchronized BitSet+HashMap";
    }
}
