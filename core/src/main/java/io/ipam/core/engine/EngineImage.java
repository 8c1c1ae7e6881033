package io.ipam.core.engine;

import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * A point-in-time copy of an engine's state, taken on the writer's thread by {@link AllocatorEngine#capture()}
 * at the cost of a few array copies, then read on any thread. Record arrays are raw (unsorted, with holes where
 * {@code owner < 0}); {@link io.ipam.core.snapshot.SnapshotData#of(EngineImage)} orders them.
 */
public final class EngineImage
{
    /** Subnets, ascending by id. */
    public final List<SubnetImage> subnets;
    /** Record arrays: subnet handle, address value, owner id (negative: free record), time. */
    public final int[] recordSubnet;
    public final long[] recordAddress;
    public final int[] recordOwner;
    public final long[] recordTime;
    /** Owner ids to UUID halves. */
    public final long[] ownerMsb;
    public final long[] ownerLsb;
    /** Prefix pools, ascending by id. */
    public final List<PrefixPoolImage> prefixPools;
    /** The random source's state ({@link io.ipam.core.RandomSource#state()}), or null when it has none. */
    public final byte[] randomState;
    /** Per record, the address's high 64 bits where the subnet is wide (IPv6 /1 to /63); null without wide subnets. */
    public final long[] recordAddressHi;
    /** Per record, true for a router's allocation (SPEC 2); null when there is none. */
    public final boolean[] recordRouter;

    EngineImage(
        final List<SubnetImage> subnets,
        final int[] recordSubnet,
        final long[] recordAddress,
        final int[] recordOwner,
        final long[] recordTime,
        final long[] ownerMsb,
        final long[] ownerLsb,
        final List<PrefixPoolImage> prefixPools)
    {
        this(subnets, recordSubnet, recordAddress, recordOwner, recordTime, ownerMsb, ownerLsb, prefixPools, null,
            null, null);
    }

    private EngineImage(
        final List<SubnetImage> subnets,
        final int[] recordSubnet,
        final long[] recordAddress,
        final int[] recordOwner,
        final long[] recordTime,
        final long[] ownerMsb,
        final long[] ownerLsb,
        final List<PrefixPoolImage> prefixPools,
        final byte[] randomState,
        final long[] recordAddressHi,
        final boolean[] recordRouter)
    {
        this.recordAddressHi = recordAddressHi;
        this.recordRouter = recordRouter;
        this.subnets = subnets;
        this.recordSubnet = recordSubnet;
        this.recordAddress = recordAddress;
        this.recordOwner = recordOwner;
        this.recordTime = recordTime;
        this.ownerMsb = ownerMsb;
        this.ownerLsb = ownerLsb;
        this.prefixPools = prefixPools;
        this.randomState = randomState;
    }

    /**
     * @param state the random source's state, or null.
     * @return this image carrying it.
     */
    EngineImage randomState(final byte[] state)
    {
        return new EngineImage(subnets, recordSubnet, recordAddress, recordOwner, recordTime, ownerMsb, ownerLsb,
            prefixPools, state, recordAddressHi, recordRouter);
    }

    /**
     * @param hi      per record, the address's high bits in a wide subnet, or null.
     * @param routers per record, the router mark, or null.
     * @return this image carrying them.
     */
    EngineImage wide(final long[] hi, final boolean[] routers)
    {
        return new EngineImage(subnets, recordSubnet, recordAddress, recordOwner, recordTime, ownerMsb, ownerLsb,
            prefixPools, randomState, hi, routers);
    }

    /**
     * One subnet's settings.
     */
    public static final class SubnetImage
    {
        public final int handle;
        public final String id;
        public final String tenant;
        public final Cidr cidr;
        public final AllocationStrategy strategy;
        public final IpAddress gateway;
        /** Pool bounds as offsets from the network address. */
        public final long[] poolFirst;
        public final long[] poolLast;
        public final long allocated;
        /** Release cooldown in milliseconds (0: none). */
        public final long cooldownMs;
        /** High words of the pool offsets: all zero but in a wide subnet (IPv6 /1 to /63). */
        public final long[] poolFirstHi;
        public final long[] poolLastHi;

        /**
         * @param handle    engine handle.
         * @param id        id.
         * @param tenant    tenant or null.
         * @param cidr      CIDR.
         * @param strategy  strategy.
         * @param gateway   gateway or null.
         * @param poolFirst pool first offsets.
         * @param poolLast  pool last offsets.
         * @param allocated allocation count.
         */
        public SubnetImage(final int handle, final String id, final String tenant, final Cidr cidr,
            final AllocationStrategy strategy, final IpAddress gateway, final long[] poolFirst, final long[] poolLast,
            final long allocated)
        {
            this(handle, id, tenant, cidr, strategy, gateway, poolFirst, poolLast, allocated, 0);
        }

        /**
         * @param handle     engine handle.
         * @param id         id.
         * @param tenant     tenant or null.
         * @param cidr       CIDR.
         * @param strategy   strategy.
         * @param gateway    gateway or null.
         * @param poolFirst  pool first offsets.
         * @param poolLast   pool last offsets.
         * @param allocated  allocation count.
         * @param cooldownMs release cooldown in milliseconds.
         */
        public SubnetImage(final int handle, final String id, final String tenant, final Cidr cidr,
            final AllocationStrategy strategy, final IpAddress gateway, final long[] poolFirst, final long[] poolLast,
            final long allocated, final long cooldownMs)
        {
            this(handle, id, tenant, cidr, strategy, gateway, new long[poolFirst.length], poolFirst,
                new long[poolLast.length], poolLast, allocated, cooldownMs);
        }

        /**
         * @param handle      engine handle.
         * @param id          id.
         * @param tenant      tenant or null.
         * @param cidr        CIDR.
         * @param strategy    strategy.
         * @param gateway     gateway or null.
         * @param poolFirstHi pool first offsets, high words (zero but in a wide subnet).
         * @param poolFirst   pool first offsets, low words.
         * @param poolLastHi  pool last offsets, high words.
         * @param poolLast    pool last offsets, low words.
         * @param allocated   allocation count.
         * @param cooldownMs  release cooldown in milliseconds.
         */
        public SubnetImage(final int handle, final String id, final String tenant, final Cidr cidr,
            final AllocationStrategy strategy, final IpAddress gateway, final long[] poolFirstHi,
            final long[] poolFirst, final long[] poolLastHi, final long[] poolLast, final long allocated,
            final long cooldownMs)
        {
            this.poolFirstHi = poolFirstHi;
            this.poolLastHi = poolLastHi;
            this.cooldownMs = cooldownMs;
            this.handle = handle;
            this.id = id;
            this.tenant = tenant;
            this.cidr = cidr;
            this.strategy = strategy;
            this.gateway = gateway;
            this.poolFirst = poolFirst;
            this.poolLast = poolLast;
            this.allocated = allocated;
        }
    }

    /**
     * One prefix pool with its children.
     */
    public static final class PrefixPoolImage
    {
        public final String id;
        public final boolean v6;
        public final int min;
        public final int def;
        public final int max;
        /** Per-tenant quota or -1. */
        public final long quota;
        public final List<Cidr> prefixes;
        public final List<Cidr> children;
        public final List<String> tenants;

        /**
         * @param id       id.
         * @param v6       family.
         * @param min      min length.
         * @param def      default length.
         * @param max      max length.
         * @param quota    quota or -1.
         * @param prefixes prefixes ascending.
         * @param children children ascending.
         * @param tenants  tenant of each child.
         */
        public PrefixPoolImage(final String id, final boolean v6, final int min, final int def, final int max,
            final long quota, final List<Cidr> prefixes, final List<Cidr> children, final List<String> tenants)
        {
            this.id = id;
            this.v6 = v6;
            this.min = min;
            this.def = def;
            this.max = max;
            this.quota = quota;
            this.prefixes = prefixes;
            this.children = children;
            this.tenants = tenants;
        }
    }
}
