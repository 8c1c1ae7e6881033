package io.ipam.core;

import java.math.BigInteger;
import java.util.Optional;

/**
 * Lifecycle counts of one subnet at one moment (SPEC 9), for metrics: what it holds, what is free, cooling and
 * leased now, and how many of its allocations expired or were reclaimed since the allocator started (those two
 * are counters of this process, not stored). Immutable.
 */
public final class SubnetStats
{
    private final String subnetId;
    private final String tenant;
    private final long allocated;
    private final BigInteger free;
    private final long cooling;
    private final long leased;
    private final long expired;
    private final long reclaimed;

    /**
     * @param subnetId  the subnet.
     * @param tenant    its tenant or null.
     * @param allocated addresses held.
     * @param free      pool addresses free for automatic choice.
     * @param cooling   addresses cooling down.
     * @param leased    allocations with a lease.
     * @param expired   leases that ran out since start.
     * @param reclaimed allocations reconcile released since start.
     */
    public SubnetStats(final String subnetId, final String tenant, final long allocated, final BigInteger free,
        final long cooling, final long leased, final long expired, final long reclaimed)
    {
        this.subnetId = subnetId;
        this.tenant = tenant;
        this.allocated = allocated;
        this.free = free;
        this.cooling = cooling;
        this.leased = leased;
        this.expired = expired;
        this.reclaimed = reclaimed;
    }

    /** @return the subnet id. */
    public String subnetId()
    {
        return subnetId;
    }

    /** @return its tenant, if any. */
    public Optional<String> tenant()
    {
        return Optional.ofNullable(tenant);
    }

    /** @return addresses held. */
    public long allocated()
    {
        return allocated;
    }

    /** @return pool addresses free for automatic choice (cooling ones left out). */
    public BigInteger free()
    {
        return free;
    }

    /** @return addresses cooling down. */
    public long cooling()
    {
        return cooling;
    }

    /** @return allocations holding a lease. */
    public long leased()
    {
        return leased;
    }

    /** @return leases that ran out since the allocator started. */
    public long expired()
    {
        return expired;
    }

    /** @return allocations reconcile released since the allocator started. */
    public long reclaimed()
    {
        return reclaimed;
    }

    @Override
    public String toString()
    {
        return "SubnetStats{" + subnetId + ", allocated=" + allocated + ", free=" + free + ", cooling=" + cooling +
            ", leased=" + leased + ", expired=" + expired + ", reclaimed=" + reclaimed + '}';
    }
}
