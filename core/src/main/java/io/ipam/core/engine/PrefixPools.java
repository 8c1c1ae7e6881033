package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * Prefix pools (subnet pools, SPEC section 4), part of the engine's state and driven by its thread only.
 * <p>
 * Free space is kept as maximal CIDR-aligned blocks, one ordered set per prefix length (a buddy system): the
 * best fit for length L is the lowest block of the longest length at or under L, found in at most L set
 * lookups, and carving or merging touches one block per level, so every operation costs O(width * log n).
 * Nothing grows with the size of the free space: at most {@code width} free blocks per child and per root.
 * <p>
 * Allocation and release return result codes ({@link AllocatorEngine#OK}, negative {@link ErrorCode} values)
 * and leave the child in {@link #lastPrefix()}; creating and reshaping pools throws {@link IpamException}.
 */
public final class PrefixPools
{
    private static final int PREFIX_LENGTH = -ErrorCode.PREFIX_LENGTH.value();
    private static final int POOL_NOT_FOUND = -ErrorCode.POOL_NOT_FOUND.value();
    private static final int QUOTA_EXCEEDED = -ErrorCode.QUOTA_EXCEEDED.value();
    private static final int EXHAUSTED = -ErrorCode.EXHAUSTED.value();
    private static final int PREFIX_UNAVAILABLE = -ErrorCode.PREFIX_UNAVAILABLE.value();
    private static final int CIDR_INVALID = -ErrorCode.CIDR_INVALID.value();

    private final Map<String, Pool> pools = new HashMap<>();
    private final AllocatorEngine engine;
    private Cidr lastPrefix;
    private long childTotal;

    PrefixPools(final AllocatorEngine engine)
    {
        this.engine = engine;
    }

    long childTotal()
    {
        return childTotal;
    }

    private static EngineImage.PrefixPoolImage meta(final Pool p)
    {
        return new EngineImage.PrefixPoolImage(p.id, p.v6, p.min, p.def, p.max, p.quota,
            new ArrayList<>(p.prefixes), List.of(), List.of());
    }

    /**
     * An aligned block: start address and prefix length. Ordered by start (unsigned), then length.
     */
    static final class Block implements Comparable<Block>
    {
        final long hi;
        final long lo;
        final int len;

        Block(final long hi, final long lo, final int len)
        {
            this.hi = hi;
            this.lo = lo;
            this.len = len;
        }

        @Override
        public int compareTo(final Block o)
        {
            int c = Long.compareUnsigned(hi, o.hi);
            if (c == 0)
            {
                c = Long.compareUnsigned(lo, o.lo);
            }
            return c != 0 ? c : Integer.compare(len, o.len);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Block && ((Block)o).hi == hi && ((Block)o).lo == lo && ((Block)o).len == len;
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(hi * 31 + lo) * 131 + len;
        }
    }

    static final class Pool
    {
        final String id;
        final boolean v6;
        final int width;
        final int min;
        final int def;
        final int max;
        final long quota;   // -1: none
        final List<Cidr> prefixes = new ArrayList<>();
        final TreeMap<Block, Block> roots = new TreeMap<>();
        @SuppressWarnings({"unchecked", "rawtypes"})
        final TreeSet<Block>[] free = new TreeSet[129];
        final TreeMap<Block, String> children = new TreeMap<>();
        final Map<String, Long> usage = new HashMap<>();

        Pool(final String id, final boolean v6, final int min, final int def, final int max, final long quota)
        {
            this.id = id;
            this.v6 = v6;
            this.width = v6 ? 128 : 32;
            this.min = min;
            this.def = def;
            this.max = max;
            this.quota = quota;
        }

        TreeSet<Block> free(final int len)
        {
            TreeSet<Block> s = free[len];
            if (s == null)
            {
                s = new TreeSet<>();
                free[len] = s;
            }
            return s;
        }

        /** The bit that distinguishes the two halves of a block of length len - 1. */
        Block withBit(final Block b, final int len, final boolean set)
        {
            final int pos = width - len;
            long h = b.hi;
            long l = b.lo;
            if (pos >= 64)
            {
                h = set ? h | (1L << (pos - 64)) : h & ~(1L << (pos - 64));
            }
            else
            {
                l = set ? l | (1L << pos) : l & ~(1L << pos);
            }
            return new Block(h, l, len);
        }

        Block truncate(final Block b, final int len)
        {
            final long hm = Cidr.hiMask(v6, len);
            final long lm = Cidr.loMask(v6, len);
            return new Block(b.hi & hm, b.lo & lm, len);
        }

        boolean contains(final Block outer, final Block inner)
        {
            return inner.len >= outer.len && truncate(inner, outer.len).equals(outer);
        }

        Block rootOf(final Block b)
        {
            final Map.Entry<Block, Block> e = roots.floorEntry(new Block(b.hi, b.lo, 129));
            return e != null && contains(e.getValue(), b) ? e.getValue() : null;
        }

        long units(final int len)
        {
            if (!v6)
            {
                return 1L << (32 - len);
            }
            if (len >= 64)
            {
                return 1;
            }
            return 64 - len >= 63 ? Long.MAX_VALUE : 1L << (64 - len);
        }

        void rebuild()
        {
            roots.clear();
            for (int i = 0; i < free.length; i++)
            {
                free[i] = null;
            }
            final TreeSet<Block> merged = new TreeSet<>();
            for (final Cidr c : prefixes)
            {
                merged.add(new Block(c.address().hi(), c.address().lo(), c.prefixLength()));
            }
            // merge buddies so the free space is split into maximal aligned blocks
            boolean changed = true;
            while (changed)
            {
                changed = false;
                for (final Block b : new ArrayList<>(merged))
                {
                    if (b.len == 0 || !merged.contains(b))
                    {
                        continue;
                    }
                    final Block buddy = withBit(b, b.len, !bitSet(b));
                    if (merged.contains(buddy))
                    {
                        merged.remove(b);
                        merged.remove(buddy);
                        merged.add(truncate(b, b.len - 1));
                        changed = true;
                    }
                }
            }
            for (final Block b : merged)
            {
                roots.put(b, b);
                free(b.len).add(b);
            }
            for (final Block child : children.keySet())
            {
                if (!carve(child))
                {
                    throw new IllegalStateException("child outside pool " + id);
                }
            }
        }

        boolean bitSet(final Block b)
        {
            final int pos = width - b.len;
            return pos >= 64 ? (b.hi >>> (pos - 64) & 1) != 0 : (b.lo >>> pos & 1) != 0;
        }

        /** Take a specific aligned block out of the free space, splitting the free block that holds it. */
        boolean carve(final Block target)
        {
            for (int l = target.len; l >= 0; l--)
            {
                final TreeSet<Block> set = free[l];
                if (set == null || set.isEmpty())
                {
                    continue;
                }
                final Block holder = truncate(target, l);
                if (set.remove(holder))
                {
                    for (int k = l + 1; k <= target.len; k++)
                    {
                        final Block onPath = truncate(target, k);
                        free(k).add(withBit(onPath, k, !bitSet(onPath)));
                    }
                    return true;
                }
            }
            return false;
        }

        /** Return a block to the free space, merging with free buddies up to its root. */
        void giveBack(final Block child)
        {
            final Block root = rootOf(child);
            Block cur = child;
            while (root != null && cur.len > root.len)
            {
                final Block buddy = withBit(cur, cur.len, !bitSet(cur));
                final TreeSet<Block> set = free[cur.len];
                if (set == null || !set.remove(buddy))
                {
                    break;
                }
                cur = truncate(cur, cur.len - 1);
            }
            free(cur.len).add(cur);
        }

        Cidr cidrOf(final Block b)
        {
            return new Cidr(new IpAddress(v6, b.hi, b.lo), b.len);
        }
    }

    /**
     * @return the child chosen or taken by the last successful allocation.
     */
    public Cidr lastPrefix()
    {
        return lastPrefix;
    }

    /**
     * Create a pool.
     *
     * @param id       validated id.
     * @param prefixes parsed prefixes (checked here).
     * @param min      min length or -1.
     * @param max      max length or -1.
     * @param def      default length or -1.
     * @param quota    per-tenant quota or -1.
     * @return the pool.
     */
    public PrefixPoolInfo create(
        final String id, final List<Cidr> prefixes, final int min, final int max, final int def, final long quota)
    {
        checkPrefixes(prefixes, null);
        final boolean v6 = prefixes.get(0).isV6();
        final int width = v6 ? 128 : 32;
        final int mn = min < 0 ? (v6 ? 64 : 8) : min;
        final int mx = max < 0 ? width : max;
        final int df = def < 0 ? mn : def;
        if (mn < 1 || mn > width || mx < mn || mx > width || df < mn || df > mx)
        {
            throw new IpamException(ErrorCode.PREFIX_LENGTH, "prefix lengths must satisfy 1 <= min <= default <= " +
                "max <= " + width + "; got min " + mn + ", default " + df + ", max " + mx);
        }
        if (quota < -1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "quota must be 0 or more, was " + quota);
        }
        if (pools.containsKey(id))
        {
            throw new IpamException(ErrorCode.POOL_EXISTS, "prefix pool " + id + " exists");
        }
        final Pool p = new Pool(id, v6, mn, df, mx, quota);
        p.prefixes.addAll(prefixes);
        Collections.sort(p.prefixes);
        p.rebuild();
        pools.put(id, p);
        engine.listener().onPrefixPool(meta(p));
        return info(p);
    }

    private static void checkPrefixes(final List<Cidr> prefixes, final Pool existing)
    {
        if (prefixes.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "a prefix pool needs one or more prefixes");
        }
        final List<Cidr> all = new ArrayList<>(prefixes);
        if (existing != null)
        {
            all.addAll(existing.prefixes);
        }
        final boolean v6 = all.get(0).isV6();
        for (final Cidr c : prefixes)
        {
            if (c.hostBitsSet())
            {
                throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + c + " has host bits set; did you mean " +
                    c.network() + "?");
            }
            if (c.isV6() != v6)
            {
                throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + c +
                    " is of another family than the pool's prefixes");
            }
        }
        Collections.sort(all);
        for (int i = 1; i < all.size(); i++)
        {
            if (all.get(i - 1).overlaps(all.get(i)))
            {
                throw new IpamException(ErrorCode.CIDR_INVALID, "prefixes " + all.get(i - 1) + " and " + all.get(i) +
                    " overlap");
            }
        }
    }

    private Pool require(final String id)
    {
        final Pool p = pools.get(id);
        if (p == null)
        {
            throw new IpamException(ErrorCode.POOL_NOT_FOUND, "prefix pool " + AddressText.quote(id) + " not found");
        }
        return p;
    }

    /**
     * @param id pool id.
     * @return the pool now.
     */
    public PrefixPoolInfo info(final String id)
    {
        return info(require(id));
    }

    private static PrefixPoolInfo info(final Pool p)
    {
        final List<String> prefixes = new ArrayList<>(p.prefixes.size());
        for (final Cidr c : p.prefixes)
        {
            prefixes.add(c.toString());
        }
        return new PrefixPoolInfo(p.id, prefixes, p.min, p.def, p.max,
            p.quota < 0 ? OptionalLong.empty() : OptionalLong.of(p.quota), p.children.size());
    }

    /**
     * @return ids of all pools, ascending.
     */
    public List<String> ids()
    {
        final List<String> ids = new ArrayList<>(pools.keySet());
        Collections.sort(ids);
        return ids;
    }

    /**
     * @param id pool id.
     * @return the pool's family.
     */
    public boolean isV6(final String id)
    {
        return require(id).v6;
    }

    /**
     * Allocate a child of a length, best fit.
     *
     * @param id     pool id.
     * @param tenant requesting tenant.
     * @param len    length, or -1 for the pool's default.
     * @return {@link AllocatorEngine#OK} (child in {@link #lastPrefix()}) or a negative error code.
     */
    public int allocate(final String id, final String tenant, final int len)
    {
        final Pool p = pools.get(id);
        if (p == null)
        {
            return POOL_NOT_FOUND;
        }
        final int l = len < 0 ? p.def : len;
        if (l < p.min || l > p.max)
        {
            return PREFIX_LENGTH;
        }
        if (!engine.hasRoom(1))
        {
            return engine.fullCode();
        }
        if (!withinQuota(p, tenant, l))
        {
            return QUOTA_EXCEEDED;
        }
        for (int k = l; k >= 0; k--)
        {
            final TreeSet<Block> set = p.free[k];
            if (set != null && !set.isEmpty())
            {
                final Block b = set.first();
                final Block child = new Block(b.hi, b.lo, l);
                p.carve(child);
                take(p, child, tenant);
                return AllocatorEngine.OK;
            }
        }
        return EXHAUSTED;
    }

    /**
     * Allocate a given child; it must lie wholly in free space.
     *
     * @param id     pool id.
     * @param tenant requesting tenant.
     * @param cidr   the child (host bits clear).
     * @return {@link AllocatorEngine#OK} or a negative error code.
     */
    public int allocate(final String id, final String tenant, final Cidr cidr)
    {
        final Pool p = pools.get(id);
        if (p == null)
        {
            return POOL_NOT_FOUND;
        }
        if (cidr.isV6() != p.v6 || cidr.hostBitsSet())
        {
            return CIDR_INVALID;
        }
        if (cidr.prefixLength() < p.min || cidr.prefixLength() > p.max)
        {
            return PREFIX_LENGTH;
        }
        if (!engine.hasRoom(1))
        {
            return engine.fullCode();
        }
        if (!withinQuota(p, tenant, cidr.prefixLength()))
        {
            return QUOTA_EXCEEDED;
        }
        final Block child = new Block(cidr.address().hi(), cidr.address().lo(), cidr.prefixLength());
        if (!p.carve(child))
        {
            return PREFIX_UNAVAILABLE;
        }
        take(p, child, tenant);
        return AllocatorEngine.OK;
    }

    private static boolean withinQuota(final Pool p, final String tenant, final int len)
    {
        if (p.quota < 0)
        {
            return true;
        }
        final long used = p.usage.getOrDefault(tenant, 0L);
        final long units = p.units(len);
        return units <= p.quota && used <= p.quota - units;
    }

    private void take(final Pool p, final Block child, final String tenant)
    {
        p.children.put(child, tenant);
        childTotal++;
        p.usage.merge(tenant, p.units(child.len), Long::sum);
        lastPrefix = p.cidrOf(child);
        engine.listener().onPrefixAllocated(p.id, lastPrefix, tenant);
    }

    /**
     * Release a child.
     *
     * @param id   pool id.
     * @param cidr the child.
     * @return {@link AllocatorEngine#RELEASED}, {@link AllocatorEngine#WAS_FREE} or a negative error code.
     */
    public int release(final String id, final Cidr cidr)
    {
        return release(id, cidr, null);
    }

    /**
     * @param id   pool id.
     * @param cidr a child.
     * @return the tenant holding it, or null if it is not an allocated child (or the pool is unknown).
     */
    public String holder(final String id, final Cidr cidr)
    {
        final Pool p = pools.get(id);
        if (p == null || cidr.isV6() != p.v6)
        {
            return null;
        }
        return p.children.get(new Block(cidr.address().hi(), cidr.address().lo(), cidr.prefixLength()));
    }

    /**
     * Release a child if it belongs to a tenant (a tenant view's release: another tenant's child stays).
     *
     * @param id     pool id.
     * @param cidr   the child.
     * @param scope  the tenant it must belong to, or null for any.
     * @return {@link AllocatorEngine#RELEASED}, {@link AllocatorEngine#WAS_FREE} (also for another tenant's
     * child) or a negative error code.
     */
    public int release(final String id, final Cidr cidr, final String scope)
    {
        final Pool p = pools.get(id);
        if (p == null)
        {
            return POOL_NOT_FOUND;
        }
        if (cidr.isV6() != p.v6)
        {
            return CIDR_INVALID;
        }
        final Block child = new Block(cidr.address().hi(), cidr.address().lo(), cidr.prefixLength());
        final String holder = p.children.get(child);
        if (holder == null || (scope != null && !scope.equals(holder)))
        {
            return AllocatorEngine.WAS_FREE;
        }
        final String tenant = p.children.remove(child);
        childTotal--;
        final long left = p.usage.get(tenant) - p.units(child.len);
        if (left == 0)
        {
            p.usage.remove(tenant);
        }
        else
        {
            p.usage.put(tenant, left);
        }
        p.giveBack(child);
        engine.listener().onPrefixReleased(p.id, cidr);
        return AllocatorEngine.RELEASED;
    }

    /**
     * @param id pool id.
     * @return children ascending, canonical text.
     */
    public List<String> children(final String id)
    {
        return children(id, null);
    }

    /**
     * @param id    pool id.
     * @param scope the tenant whose children to list, or null for all.
     * @return children ascending, canonical text.
     */
    public List<String> children(final String id, final String scope)
    {
        final Pool p = require(id);
        final List<String> out = new ArrayList<>(scope == null ? p.children.size() : 16);
        for (final java.util.Map.Entry<Block, String> e : p.children.entrySet())
        {
            if (scope == null || scope.equals(e.getValue()))
            {
                out.add(p.cidrOf(e.getKey()).toString());
            }
        }
        return out;
    }

    /**
     * @param id     pool id.
     * @param tenant tenant.
     * @return the tenant's usage in quota units.
     */
    public long usage(final String id, final String tenant)
    {
        return require(id).usage.getOrDefault(tenant, 0L);
    }

    /**
     * Add prefixes: same family, overlapping nothing the pool holds.
     *
     * @param id       pool id.
     * @param prefixes parsed prefixes.
     * @return the pool now.
     */
    public PrefixPoolInfo addPrefixes(final String id, final List<Cidr> prefixes)
    {
        final Pool p = require(id);
        checkPrefixes(prefixes, p);
        if (prefixes.get(0).isV6() != p.v6)
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + prefixes.get(0) +
                " is of another family than pool " + id);
        }
        p.prefixes.addAll(prefixes);
        Collections.sort(p.prefixes);
        p.rebuild();
        engine.listener().onPrefixPool(meta(p));
        return info(p);
    }

    /**
     * Remove space: each CIDR must lie inside the pool and hold no child ({@code PREFIX_UNAVAILABLE}).
     *
     * @param id       pool id.
     * @param prefixes parsed prefixes.
     * @return the pool now.
     */
    public PrefixPoolInfo removePrefixes(final String id, final List<Cidr> prefixes)
    {
        final Pool p = require(id);
        List<Cidr> remaining = new ArrayList<>(p.prefixes);
        for (final Cidr c : prefixes)
        {
            if (c.hostBitsSet() || c.isV6() != p.v6)
            {
                throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + c +
                    (c.hostBitsSet() ? " has host bits set" : " is of another family than pool " + id));
            }
            Cidr holder = null;
            for (final Cidr r : remaining)
            {
                if (r.prefixLength() <= c.prefixLength() && r.contains(c.address()))
                {
                    holder = r;
                }
            }
            if (holder == null)
            {
                throw new IpamException(ErrorCode.PREFIX_UNAVAILABLE, "prefix " + c + " is not part of pool " + id);
            }
            final Block removed = new Block(c.address().hi(), c.address().lo(), c.prefixLength());
            for (final Block child : p.children.keySet())
            {
                if (p.contains(removed, child) || p.contains(child, removed))
                {
                    throw new IpamException(ErrorCode.PREFIX_UNAVAILABLE, "prefix " + c + " of pool " + id +
                        " holds child " + p.cidrOf(child) + "; release it first");
                }
            }
            final List<Cidr> next = new ArrayList<>(remaining);
            next.remove(holder);
            // the holder minus the removed block: the siblings on the path from holder down to it
            for (int k = holder.prefixLength() + 1; k <= c.prefixLength(); k++)
            {
                final Block onPath = p.truncate(removed, k);
                next.add(p.cidrOf(p.withBit(onPath, k, !p.bitSet(onPath))));
            }
            remaining = next;
        }
        if (remaining.isEmpty())
        {
            throw new IpamException(ErrorCode.PREFIX_UNAVAILABLE, "removing " + prefixes + " would leave pool " + id +
                " with no prefix");
        }
        Collections.sort(remaining);
        p.prefixes.clear();
        p.prefixes.addAll(remaining);
        p.rebuild();
        engine.listener().onPrefixPool(meta(p));
        return info(p);
    }

    /**
     * @return copies of all pools, ascending by id.
     */
    List<EngineImage.PrefixPoolImage> capture()
    {
        final List<EngineImage.PrefixPoolImage> out = new ArrayList<>(pools.size());
        for (final String id : ids())
        {
            final Pool p = pools.get(id);
            final List<Cidr> children = new ArrayList<>(p.children.size());
            final List<String> tenants = new ArrayList<>(p.children.size());
            for (final Map.Entry<Block, String> e : p.children.entrySet())
            {
                children.add(p.cidrOf(e.getKey()));
                tenants.add(e.getValue());
            }
            out.add(new EngineImage.PrefixPoolImage(p.id, p.v6, p.min, p.def, p.max, p.quota,
                new ArrayList<>(p.prefixes), children, tenants));
        }
        return out;
    }

    /**
     * @return number of pools.
     */
    public int size()
    {
        return pools.size();
    }
}
