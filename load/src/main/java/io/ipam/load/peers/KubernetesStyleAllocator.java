package io.ipam.load.peers;

import java.util.SplittableRandom;

/**
 * The Kubernetes ClusterIP allocator's approach (pkg/registry/core/service/allocator): one bitmap of the
 * range, a random starting offset, then a forward scan for a clear bit with wrap-around. Owners are not part of
 * that design; a primitive array keeps them here so the comparison tracks owners like ipam does.
 */
public final class KubernetesStyleAllocator implements PeerAllocator
{
    private final int size;
    private final long[] words;
    private final long[] owners;
    private final SplittableRandom random = new SplittableRandom(3);
    private int count;

    /**
     * @param size offsets in the range.
     */
    public KubernetesStyleAllocator(final int size)
    {
        this.size = size;
        this.words = new long[(size + 63) >>> 6];
        this.owners = new long[size];
    }

    @Override
    public synchronized long allocate(final long owner)
    {
        if (count == size)
        {
            return -1;
        }
        final int start = random.nextInt(size);
        for (int i = 0; i < size; i++)
        {
            final int at = (start + i) % size;
            if ((words[at >>> 6] & (1L << at)) == 0)
            {
                words[at >>> 6] |= 1L << at;
                owners[at] = owner;
                count++;
                return at;
            }
        }
        return -1;
    }

    @Override
    public synchronized boolean allocate(final long offset, final long owner)
    {
        final int at = (int)offset;
        if ((words[at >>> 6] & (1L << at)) != 0)
        {
            return false;
        }
        words[at >>> 6] |= 1L << at;
        owners[at] = owner;
        count++;
        return true;
    }

    @Override
    public synchronized boolean release(final long offset)
    {
        final int at = (int)offset;
        if ((words[at >>> 6] & (1L << at)) == 0)
        {
            return false;
        }
        words[at >>> 6] &= ~(1L << at);
        count--;
        return true;
    }

    @Override
    public String name()
    {
        return "Kubernetes-style (bitmap, random start, scan)";
    }
}
