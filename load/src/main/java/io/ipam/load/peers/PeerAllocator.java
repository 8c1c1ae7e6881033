package io.ipam.load.peers;

/**
 * An allocator written from a published description, measured next to ipam in the same run. Addresses are
 * offsets in {@code [0, size)}; allocations carry an owner id. Thread-safety is each peer's own (as described).
 */
public interface PeerAllocator
{
    /**
     * @param owner owner id.
     * @return the offset allocated, or -1 when full.
     */
    long allocate(long owner);

    /**
     * @param offset a specific offset.
     * @param owner  owner id.
     * @return true if it was free and is now taken.
     */
    boolean allocate(long offset, long owner);

    /**
     * @param offset offset to free.
     * @return true if it was allocated.
     */
    boolean release(long offset);

    /**
     * @return short name for reports.
     */
    String name();
}
