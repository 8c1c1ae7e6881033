package io.ipam.core.internal;

/**
 * A reusable request and reply slot of the hot path: the caller fills the request fields, the single writer
 * fills the reply fields. Pooled by the facade, so steady-state calls allocate nothing here.
 */
public final class HotRequest
{
    /** Allocate by the subnet's strategy. */
    public static final int ALLOCATE = 1;
    /** Allocate the lowest free address. */
    public static final int ALLOCATE_NEXT = 2;
    /** Allocate a given address. */
    public static final int ALLOCATE_SPECIFIC = 3;
    /** Allocate the EUI-64 address of a MAC. */
    public static final int ALLOCATE_EUI64 = 4;
    /** Release whoever owns it. */
    public static final int RELEASE = 5;
    /** Release if the owner matches. */
    public static final int RELEASE_CHECKED = 6;
    /** Look up the owner. */
    public static final int OWNER_OF = 7;

    /** Index of this slot in its pool, carried through the ring so the writer finds the slot. */
    public final int slot;

    // request
    public int type;
    public int handle;
    public long address;
    public long ownerMsb;
    public long ownerLsb;
    public long timeMs;

    // reply
    public int result;
    public long replyAddress;
    public long replyOwnerMsb;
    public long replyOwnerLsb;
    public long replyTimeMs;

    /** Correlation id of the request; the writer publishes the same id in {@link #completed} when done. */
    public long correlationId;
    public volatile long completed = -1;

    /**
     * @param slot index of the slot in its pool.
     */
    public HotRequest(final int slot)
    {
        this.slot = slot;
    }
}
