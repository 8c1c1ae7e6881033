package io.ipam.core.engine;

/**
 * Receives allocations, one call each.
 */
@FunctionalInterface
public interface AllocationVisitor
{
    /**
     * @param subnetId  subnet id.
     * @param v6        family.
     * @param hi        high 64 bits (IPv6).
     * @param address   address value.
     * @param ownerMsb  owner high bits.
     * @param ownerLsb  owner low bits.
     * @param timeMs    allocation time.
     * @param expiresAt lease end, 0 for none (always 0 for a reconcile's).
     * @param router    true for a router's allocation (SPEC 2).
     */
    void onAllocation(String subnetId, boolean v6, long hi, long address, long ownerMsb, long ownerLsb, long timeMs,
        long expiresAt, boolean router);
}
