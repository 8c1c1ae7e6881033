package io.ipam.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A change to a subnet's pools, gateway and cooldown, applied in one step by {@code updateSubnet}: every rule
 * of SPEC 1 is checked against the subnet as it would be after the whole change, and either all of it is applied
 * or nothing is. A field left out stays as it is. Built with {@link #builder()}; immutable. Like
 * {@link SubnetSpec}, nothing is validated here: {@code updateSubnet} validates every field and reports the first
 * problem ({@code MALFORMED} for a null pool list, a null pool, a null gateway or a null or negative cooldown).
 */
public final class SubnetUpdate
{
    private final boolean poolsGiven;
    private final List<IpRange> pools;
    private final boolean gatewayGiven;
    private final String gateway;
    private final boolean noGateway;
    private final boolean cooldownGiven;
    private final Duration cooldown;

    private SubnetUpdate(final Builder b)
    {
        poolsGiven = b.poolsGiven;
        pools = b.pools == null ? null : Collections.unmodifiableList(new ArrayList<>(b.pools));
        gatewayGiven = b.gatewayGiven;
        gateway = b.gateway;
        noGateway = b.noGateway;
        cooldownGiven = b.cooldownGiven;
        cooldown = b.cooldown;
    }

    /**
     * @return a builder that changes nothing until told to.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return true when the update sets the pools.
     */
    public boolean changesPools()
    {
        return poolsGiven;
    }

    /**
     * @return the new pools (empty: no pools) when {@link #changesPools()}, else null; null, or holding null
     * elements, when the caller passed them so (refused as {@code MALFORMED} by {@code updateSubnet}).
     */
    public List<IpRange> pools()
    {
        return pools;
    }

    /**
     * @return true when the update sets or removes the gateway.
     */
    public boolean changesGateway()
    {
        return gatewayGiven;
    }

    /**
     * @return true when the update removes the gateway ({@link Builder#noGateway()}).
     */
    public boolean removesGateway()
    {
        return noGateway;
    }

    /**
     * @return the new gateway's text as given, or null when the gateway is unchanged, removed, or was given as null
     * (refused as {@code MALFORMED} by {@code updateSubnet}).
     */
    public String gateway()
    {
        return gateway;
    }

    /**
     * @return true when the update sets the cooldown.
     */
    public boolean changesCooldown()
    {
        return cooldownGiven;
    }

    /**
     * @return the new cooldown when {@link #changesCooldown()}, else null; null or negative when the caller passed
     * it so (refused as {@code MALFORMED} by {@code updateSubnet}).
     */
    public Duration cooldown()
    {
        return cooldown;
    }

    /**
     * @return true when the update changes nothing ({@code updateSubnet} then only answers the subnet as it is).
     */
    public boolean isEmpty()
    {
        return !poolsGiven && !gatewayGiven && !cooldownGiven;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof SubnetUpdate))
        {
            return false;
        }
        final SubnetUpdate u = (SubnetUpdate)o;
        return u.poolsGiven == poolsGiven && Objects.equals(u.pools, pools) && u.gatewayGiven == gatewayGiven &&
            Objects.equals(u.gateway, gateway) && u.noGateway == noGateway && u.cooldownGiven == cooldownGiven &&
            Objects.equals(u.cooldown, cooldown);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(poolsGiven, pools, gatewayGiven, gateway, noGateway, cooldownGiven, cooldown);
    }

    @Override
    public String toString()
    {
        final StringBuilder b = new StringBuilder("SubnetUpdate{");
        String sep = "";
        if (poolsGiven)
        {
            b.append("pools=").append(pools);
            sep = ", ";
        }
        if (gatewayGiven)
        {
            b.append(sep).append("gateway=").append(noGateway ? "none" : gateway);
            sep = ", ";
        }
        if (cooldownGiven)
        {
            b.append(sep).append("cooldown=").append(cooldown);
        }
        return b.append('}').toString();
    }

    /**
     * Collects the fields of a {@link SubnetUpdate}; the last call for a field wins. Not thread-safe.
     */
    public static final class Builder
    {
        private boolean poolsGiven;
        private List<IpRange> pools;
        private boolean gatewayGiven;
        private String gateway;
        private boolean noGateway;
        private boolean cooldownGiven;
        private Duration cooldown;

        private Builder()
        {
        }

        /**
         * @param ranges the new pools, replacing all of the old ones; an empty list leaves the subnet with no pools
         *               (only specific requests succeed then). Copied, never kept.
         * @return this.
         */
        public Builder pools(final List<IpRange> ranges)
        {
            poolsGiven = true;
            pools = ranges == null ? null : new ArrayList<>(ranges);
            return this;
        }

        /**
         * @param ip the new gateway (inside the CIDR, or outside it for an on-link gateway; in IPv6 the network
         *           address is allowed: the subnet-router anycast address). Pools are never recomputed.
         * @return this.
         */
        public Builder gateway(final String ip)
        {
            gatewayGiven = true;
            gateway = ip;
            noGateway = false;
            return this;
        }

        /**
         * The subnet has no gateway after the update.
         *
         * @return this.
         */
        public Builder noGateway()
        {
            gatewayGiven = true;
            gateway = null;
            noGateway = true;
            return this;
        }

        /**
         * @param d the new release cooldown (SPEC 9): zero or positive, whole milliseconds.
         * @return this.
         */
        public Builder cooldown(final Duration d)
        {
            cooldownGiven = true;
            cooldown = d;
            return this;
        }

        /**
         * @return the update.
         */
        public SubnetUpdate build()
        {
            return new SubnetUpdate(this);
        }
    }
}
