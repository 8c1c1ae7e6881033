package io.ipam.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One allocated address: its subnet, the address in canonical text, and its owner. Immutable.
 */
public final class Allocation
{
    private final String subnetId;
    private final String address;
    private final UUID owner;
    private final Instant time;
    private final Instant expiresAt;
    private final boolean router;

    /**
     * @param subnetId the subnet.
     * @param address  canonical address text.
     * @param owner    the owner.
     */
    public Allocation(final String subnetId, final String address, final UUID owner)
    {
        this(subnetId, address, owner, Instant.EPOCH, null);
    }

    /**
     * @param subnetId  subnet id.
     * @param address   the address, canonical.
     * @param owner     owner.
     * @param time      when it was allocated.
     * @param expiresAt when its lease runs out, or null for an allocation without a lease.
     */
    public Allocation(final String subnetId, final String address, final UUID owner, final Instant time,
        final Instant expiresAt)
    {
        this(subnetId, address, owner, time, expiresAt, false);
    }

    /**
     * @param subnetId  subnet id.
     * @param address   the address, canonical.
     * @param owner     owner.
     * @param time      when it was allocated.
     * @param expiresAt when its lease runs out, or null for an allocation without a lease.
     * @param router    true when a router's request made it ({@code AllocationOptions.builder().router()}).
     */
    public Allocation(final String subnetId, final String address, final UUID owner, final Instant time,
        final Instant expiresAt, final boolean router)
    {
        this.router = router;
        this.subnetId = Objects.requireNonNull(subnetId);
        this.address = Objects.requireNonNull(address);
        this.owner = Objects.requireNonNull(owner);
        this.time = Objects.requireNonNull(time);
        this.expiresAt = expiresAt;
    }

    /**
     * @return the subnet id.
     */
    public String subnetId()
    {
        return subnetId;
    }

    /**
     * @return the address in canonical form.
     */
    public String address()
    {
        return address;
    }

    /**
     * @return the owner.
     */
    public UUID owner()
    {
        return owner;
    }

    /**
     * @return when the address was allocated ({@link java.time.Instant#EPOCH} where the answer does not say, as
     * for an allocation made by a caller).
     */
    public Instant time()
    {
        return time;
    }

    /**
     * @return when its lease runs out; empty for an allocation without a lease.
     */
    public Optional<Instant> expiresAt()
    {
        return Optional.ofNullable(expiresAt);
    }

    /**
     * @return true when a router's request made it (SPEC 2): kept in snapshots, the store and lookups.
     */
    public boolean router()
    {
        return router;
    }

    /**
     * Two allocations are equal when they name the same subnet, address and owner; time and lease are facts about
     * it, not part of its identity.
     */
    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Allocation))
        {
            return false;
        }
        final Allocation a = (Allocation)o;
        return a.subnetId.equals(subnetId) && a.address.equals(address) && a.owner.equals(owner);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(subnetId, address, owner);
    }

    @Override
    public String toString()
    {
        return subnetId + "/" + address + "@" + owner;
    }
}
