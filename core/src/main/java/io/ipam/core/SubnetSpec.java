package io.ipam.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a subnet should be. Built with {@link #builder(String, String)}; immutable. Nothing is validated
 * here: {@link Ipam#createSubnet(SubnetSpec)} validates every field and reports the first problem.
 */
public final class SubnetSpec
{
    private final String id;
    private final String cidr;
    private final String gateway;
    private final boolean noGateway;
    private final List<IpRange> pools;
    private final boolean poolsGiven;
    private final AllocationStrategy strategy;
    private final String tenant;
    private final Duration cooldown;

    private SubnetSpec(final Builder b)
    {
        id = b.id;
        cidr = b.cidr;
        gateway = b.gateway;
        noGateway = b.noGateway;
        pools = Collections.unmodifiableList(new ArrayList<>(b.pools));
        poolsGiven = b.poolsGiven;
        strategy = b.strategy;
        tenant = b.tenant;
        cooldown = b.cooldown;
    }

    /**
     * @param id   subnet id, 1-64 characters of {@code [A-Za-z0-9._:-]}.
     * @param cidr the subnet's CIDR.
     * @return a builder.
     */
    public static Builder builder(final String id, final String cidr)
    {
        return new Builder(id, cidr);
    }

    /**
     * @return the id as given.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the CIDR text as given.
     */
    public String cidr()
    {
        return cidr;
    }

    /**
     * @return the gateway text as given, or null when none was given.
     */
    public String gateway()
    {
        return gateway;
    }

    /**
     * @return true when {@link Builder#noGateway()} was called.
     */
    public boolean noGateway()
    {
        return noGateway;
    }

    /**
     * @return the pools given (empty when none were given).
     */
    public List<IpRange> pools()
    {
        return pools;
    }

    /**
     * @return true when at least one pool was given (else default pools apply).
     */
    public boolean poolsGiven()
    {
        return poolsGiven;
    }

    /**
     * @return the strategy (RANDOM unless set; null if set to null).
     */
    public AllocationStrategy strategy()
    {
        return strategy;
    }

    /**
     * @return the tenant, or null for the default tenant.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * @return how long a released, expired or reclaimed address stays out of automatic choice (SPEC 9); may be
     * null or negative when the caller set it so (refused as {@code MALFORMED} when the subnet is created).
     */
    public Duration cooldown()
    {
        return cooldown;
    }

    /**
     * Collects the fields of a {@link SubnetSpec}. Not thread-safe.
     */
    public static final class Builder
    {
        private final String id;
        private final String cidr;
        private String gateway;
        private boolean noGateway;
        private final List<IpRange> pools = new ArrayList<>();
        private boolean poolsGiven;
        private AllocationStrategy strategy = AllocationStrategy.RANDOM;
        private String tenant;
        private Duration cooldown = Duration.ZERO;

        private Builder(final String id, final String cidr)
        {
            this.id = id;
            this.cidr = cidr;
        }

        /**
         * @param ip the gateway address (inside the CIDR, or outside it for an on-link gateway).
         * @return this.
         */
        public Builder gateway(final String ip)
        {
            gateway = ip;
            noGateway = false;
            return this;
        }

        /**
         * The subnet has no gateway.
         *
         * @return this.
         */
        public Builder noGateway()
        {
            gateway = null;
            noGateway = true;
            return this;
        }

        /**
         * Add an allocation pool. When none is added the default pools apply.
         *
         * @param first first address, inclusive.
         * @param last  last address, inclusive.
         * @return this.
         */
        public Builder pool(final String first, final String last)
        {
            pools.add(IpRange.of(first, last));
            poolsGiven = true;
            return this;
        }

        /**
         * @param s the strategy for "any" requests.
         * @return this.
         */
        public Builder strategy(final AllocationStrategy s)
        {
            strategy = s;
            return this;
        }

        /**
         * @param t the owning tenant (project, VRF); none means the default tenant.
         * @return this.
         */
        public Builder tenant(final String t)
        {
            tenant = t;
            return this;
        }

        /**
         * @return the spec.
         */
        /**
         * @param d the release cooldown (SPEC 9): zero (the default) or positive, whole milliseconds.
         * @return this builder.
         */
        public Builder cooldown(final Duration d)
        {
            cooldown = d;
            return this;
        }

        public SubnetSpec build()
        {
            return new SubnetSpec(this);
        }
    }
}
