package io.ipam.core.engine;

import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * A point-in-time view of an engine's state, taken on the writer's thread by {@link AllocatorEngine#capture()}
 * without copying the records: it holds the engine's record pages, which the engine copies before it next writes
 * one (copy-on-write, {@code Records.capture}), so the view stays as it was while the writer goes on. Read on any
 * thread. Records are raw (unsorted, with holes where {@code owner(r) < 0});
 * {@link io.ipam.core.snapshot.SnapshotData#of(EngineImage, long)} orders them.
 */
public final class EngineImage
{
    /** Subnets, ascending by id. */
    public final List<SubnetImage> subnets;
    /** Owner ids to UUID halves. */
    public final long[] ownerMsb;
    public final long[] ownerLsb;
    /** Prefix pools, ascending by id. */
    public final List<PrefixPoolImage> prefixPools;
    /** The random source's state ({@link io.ipam.core.RandomSource#state()}), or null when it has none. */
    public final byte[] randomState;

    /** Record pages of 2^16 records, shared with the engine until it writes them. */
    private final int[][] subnetPages;
    private final long[][] addressPages;
    private final int[][] ownerPages;
    private final long[][] timePages;
    /** High words of wide subnets' records: null, or pages that may be null (no wide record there). */
    private final long[][] hiPages;
    /** Router marks, a bit per record: null, or pages that may be null (no mark there). */
    private final long[][] routerPages;
    private final int records;

    EngineImage(final List<SubnetImage> subnets, final int records, final int[][] subnetPages,
        final long[][] addressPages, final int[][] ownerPages, final long[][] timePages, final long[][] hiPages,
        final long[][] routerPages, final long[] ownerMsb, final long[] ownerLsb,
        final List<PrefixPoolImage> prefixPools, final byte[] randomState)
    {
        this.subnets = subnets;
        this.records = records;
        this.subnetPages = subnetPages;
        this.addressPages = addressPages;
        this.ownerPages = ownerPages;
        this.timePages = timePages;
        this.hiPages = hiPages;
        this.routerPages = routerPages;
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
        return new EngineImage(subnets, records, subnetPages, addressPages, ownerPages, timePages, hiPages,
            routerPages, ownerMsb, ownerLsb, prefixPools, state);
    }

    /**
     * @return the number of records: indexes 0 to this less one, free ones among them.
     */
    public int records()
    {
        return records;
    }

    /**
     * @param r a record.
     * @return its subnet's handle.
     */
    public int subnet(final int r)
    {
        return subnetPages[r >>> Records.PAGE_BITS][r & Records.PAGE_MASK];
    }

    /**
     * @param r a record.
     * @return its address value (a wide subnet's: the low 64 bits).
     */
    public long address(final int r)
    {
        return addressPages[r >>> Records.PAGE_BITS][r & Records.PAGE_MASK];
    }

    /**
     * @param r a record.
     * @return its owner id, negative for a free record.
     */
    public int owner(final int r)
    {
        return ownerPages[r >>> Records.PAGE_BITS][r & Records.PAGE_MASK];
    }

    /**
     * @param r a record.
     * @return its allocation time.
     */
    public long time(final int r)
    {
        return timePages[r >>> Records.PAGE_BITS][r & Records.PAGE_MASK];
    }

    /**
     * @param r a record of a wide subnet (IPv6 /1 to /63).
     * @return its address's high 64 bits (0 where none was recorded).
     */
    public long addressHi(final int r)
    {
        final int p = r >>> Records.PAGE_BITS;
        return hiPages == null || p >= hiPages.length || hiPages[p] == null ? 0 : hiPages[p][r & Records.PAGE_MASK];
    }

    /**
     * @param r a record.
     * @return true for a router's allocation (SPEC 2).
     */
    public boolean router(final int r)
    {
        final int p = r >>> Records.PAGE_BITS;
        return routerPages != null && p < routerPages.length && routerPages[p] != null &&
            (routerPages[p][(r & Records.PAGE_MASK) >>> 6] & (1L << r)) != 0;
    }

    /**
     * @return true when some record may carry a router mark (false: none does).
     */
    public boolean anyRouter()
    {
        return routerPages != null;
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
