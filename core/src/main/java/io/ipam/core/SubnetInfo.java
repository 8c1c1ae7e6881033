package io.ipam.core;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A subnet as it is now. Immutable; addresses in canonical text.
 */
public final class SubnetInfo
{
    private final String id;
    private final String cidr;
    private final String tenant;
    private final String gateway;
    private final List<IpRange> pools;
    private final AllocationStrategy strategy;
    private final long allocated;
    private final BigInteger free;
    private final long cooldownMs;
    private final long cooling;

    /**
     * @param id        id.
     * @param cidr      canonical CIDR.
     * @param tenant    tenant or null.
     * @param gateway   gateway or null.
     * @param pools     pools.
     * @param strategy  strategy.
     * @param allocated allocated addresses.
     * @param free      pool addresses still free for automatic allocation.
     */
    public SubnetInfo(
        final String id,
        final String cidr,
        final String tenant,
        final String gateway,
        final List<IpRange> pools,
        final AllocationStrategy strategy,
        final long allocated,
        final BigInteger free)
    {
        this(id, cidr, tenant, gateway, pools, strategy, allocated, free, 0, 0);
    }

    /**
     * @param id         subnet id.
     * @param cidr       CIDR text.
     * @param tenant     tenant or null.
     * @param gateway    gateway text or null.
     * @param pools      allocation pools.
     * @param strategy   strategy.
     * @param allocated  addresses held.
     * @param free       pool addresses free for automatic choice (cooling ones left out).
     * @param cooldownMs the subnet's release cooldown in milliseconds.
     * @param cooling    addresses cooling down now.
     */
    public SubnetInfo(
        final String id,
        final String cidr,
        final String tenant,
        final String gateway,
        final List<IpRange> pools,
        final AllocationStrategy strategy,
        final long allocated,
        final BigInteger free,
        final long cooldownMs,
        final long cooling)
    {
        this.cooldownMs = cooldownMs;
        this.cooling = cooling;
        this.id = id;
        this.cidr = cidr;
        this.tenant = tenant;
        this.gateway = gateway;
        this.pools = List.copyOf(pools);
        this.strategy = strategy;
        this.allocated = allocated;
        this.free = free;
    }

    /**
     * @return the id.
     */
    /**
     * @return the release cooldown: how long a released, expired or reclaimed address stays out of automatic
     * choice (SPEC 9); zero when the subnet has none.
     */
    public Duration cooldown()
    {
        return Duration.ofMillis(cooldownMs);
    }

    /**
     * @return addresses cooling down now (counted in neither {@link #allocated()} nor {@link #free()}).
     */
    public long cooling()
    {
        return cooling;
    }

    public String id()
    {
        return id;
    }

    /**
     * @return the CIDR, canonical.
     */
    public String cidr()
    {
        return cidr;
    }

    /**
     * @return the tenant, empty for the default tenant.
     */
    public Optional<String> tenant()
    {
        return Optional.ofNullable(tenant);
    }

    /**
     * @return the gateway, empty when there is none.
     */
    public Optional<String> gateway()
    {
        return Optional.ofNullable(gateway);
    }

    /**
     * @return the allocation pools, ascending.
     */
    public List<IpRange> pools()
    {
        return pools;
    }

    /**
     * @return the strategy for "any" requests.
     */
    public AllocationStrategy strategy()
    {
        return strategy;
    }

    /**
     * @return addresses allocated, in or out of the pools.
     */
    public long allocated()
    {
        return allocated;
    }

    /**
     * @return pool addresses automatic allocation can still hand out.
     */
    public BigInteger free()
    {
        return free;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof SubnetInfo))
        {
            return false;
        }
        final SubnetInfo s = (SubnetInfo)o;
        return s.id.equals(id) && s.cidr.equals(cidr) && Objects.equals(s.tenant, tenant) &&
            Objects.equals(s.gateway, gateway) && s.pools.equals(pools) && s.strategy == strategy &&
            s.allocated == allocated && s.free.equals(free) && s.cooldownMs == cooldownMs && s.cooling == cooling;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id, cidr, tenant, gateway, pools, strategy, allocated, free);
    }

    @Override
    public String toString()
    {
        return "SubnetInfo{id=" + id + ", cidr=" + cidr + ", tenant=" + tenant + ", gateway=" + gateway +
            ", pools=" + pools + ", strategy=" + strategy + ", allocated=" + allocated + ", free=" + free + '}';
    }
}
