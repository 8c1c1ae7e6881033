package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;

/**
 * Prefix pools (subnet pools, SPEC section 4), part of the engine's state and driven by its thread only.
 * <p>
 * Free space is kept as maximal CIDR-aligned blocks, one ordered set per prefix length (a buddy system): the
 * best fit for length L is the lowest block of the longest length at or under L, found in at most L set
 * lookups, and carving or merging touches one block per level, so every operation costs O(width * log n).
 * Nothing grows with the size of the free space: at most {@code width} free blocks per child and per root.
 * <p>
 * Allocation and release return result codes ({@link AllocatorEngine#OK}, negative {@link ErrorCode} values)
 * and write the child into the caller's {@link EngineResult}; creating and reshaping pools throws
 * {@link IpamException}.
 */
public final class PrefixPools
{
    private static final int PREFIX_LENGTH = ErrorCode.PREFIX_LENGTH.resultCode();
    private static final int POOL_NOT_FOUND = ErrorCode.POOL_NOT_FOUND.resultCode();
    private static final int QUOTA_EXCEEDED = ErrorCode.QUOTA_EXCEEDED.resultCode();
    private static final int EXHAUSTED = ErrorCode.EXHAUSTED.resultCode();
    private static final int PREFIX_UNAVAILABLE = ErrorCode.PREFIX_UNAVAILABLE.resultCode();
    private static final int CIDR_INVALID = ErrorCode.CIDR_INVALID.resultCode();

    private final Map<String, PrefixPool> pools = new HashMap<>();
    private final AllocatorEngine engine;
    private long childTotal;

    PrefixPools(final AllocatorEngine engine)
    {
        this.engine = engine;
    }

    long childTotal()
    {
        return childTotal;
    }

    private static EngineImage.PrefixPoolImage meta(final PrefixPool p)
    {
        return new EngineImage.PrefixPoolImage(p.id, p.v6, p.min, p.def, p.max, p.quota,
            new ArrayList<>(p.prefixes), List.of(), List.of());
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
        final PrefixPool p = new PrefixPool(id, v6, mn, df, mx, quota);
        p.prefixes.addAll(prefixes);
        Collections.sort(p.prefixes);
        p.rebuild();
        pools.put(id, p);
        engine.listener().onPrefixPool(meta(p));
        return info(p);
    }

    private static void checkPrefixes(final List<Cidr> prefixes, final PrefixPool existing)
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

    private PrefixPool require(final String id)
    {
        final PrefixPool p = pools.get(id);
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

    private static PrefixPoolInfo info(final PrefixPool p)
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
     * @param out    receives the child.
     * @return {@link AllocatorEngine#OK} or a negative error code.
     */
    public int allocate(final String id, final String tenant, final int len, final EngineResult out)
    {
        final PrefixPool p = pools.get(id);
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
            final TreeSet<PrefixPool.Block> set = p.free[k];
            if (set != null && !set.isEmpty())
            {
                final PrefixPool.Block b = set.first();
                final PrefixPool.Block child = new PrefixPool.Block(b.hi, b.lo, l);
                p.carve(child);
                out.prefix = take(p, child, tenant);
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
     * @param out    receives the child.
     * @return {@link AllocatorEngine#OK} or a negative error code.
     */
    public int allocate(final String id, final String tenant, final Cidr cidr, final EngineResult out)
    {
        final PrefixPool p = pools.get(id);
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
        final PrefixPool.Block child = new PrefixPool.Block(cidr.address().hi(), cidr.address().lo(),
            cidr.prefixLength());
        if (!p.carve(child))
        {
            return PREFIX_UNAVAILABLE;
        }
        out.prefix = take(p, child, tenant);
        return AllocatorEngine.OK;
    }

    /**
     * Take a given child back (restore, which knows the child): as
     * {@link #allocate(String, String, Cidr, EngineResult)}.
     *
     * @param id     pool id.
     * @param tenant the tenant it belongs to.
     * @param cidr   the child.
     * @return {@link AllocatorEngine#OK} or a negative error code.
     */
    public int allocate(final String id, final String tenant, final Cidr cidr)
    {
        return allocate(id, tenant, cidr, new EngineResult());
    }

    private static boolean withinQuota(final PrefixPool p, final String tenant, final int len)
    {
        if (p.quota < 0)
        {
            return true;
        }
        final long used = p.usage.getOrDefault(tenant, 0L);
        final long units = p.units(len);
        return units <= p.quota && used <= p.quota - units;
    }

    private Cidr take(final PrefixPool p, final PrefixPool.Block child, final String tenant)
    {
        p.children.put(child, tenant);
        childTotal++;
        p.usage.merge(tenant, p.units(child.len), Long::sum);
        final Cidr taken = p.cidrOf(child);
        engine.listener().onPrefixAllocated(p.id, taken, tenant);
        return taken;
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
        final PrefixPool p = pools.get(id);
        if (p == null || cidr.isV6() != p.v6)
        {
            return null;
        }
        return p.children.get(new PrefixPool.Block(cidr.address().hi(), cidr.address().lo(), cidr.prefixLength()));
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
        final PrefixPool p = pools.get(id);
        if (p == null)
        {
            return POOL_NOT_FOUND;
        }
        if (cidr.isV6() != p.v6)
        {
            return CIDR_INVALID;
        }
        final PrefixPool.Block child = new PrefixPool.Block(cidr.address().hi(), cidr.address().lo(),
            cidr.prefixLength());
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
        final PrefixPool p = require(id);
        final List<String> out = new ArrayList<>(scope == null ? p.children.size() : 16);
        for (final Map.Entry<PrefixPool.Block, String> e : p.children.entrySet())
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
        final PrefixPool p = require(id);
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
        final PrefixPool p = require(id);
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
            final PrefixPool.Block removed = new PrefixPool.Block(c.address().hi(), c.address().lo(), c.prefixLength());
            for (final PrefixPool.Block child : p.children.keySet())
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
                final PrefixPool.Block onPath = p.truncate(removed, k);
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
            final PrefixPool p = pools.get(id);
            final List<Cidr> children = new ArrayList<>(p.children.size());
            final List<String> tenants = new ArrayList<>(p.children.size());
            for (final Map.Entry<PrefixPool.Block, String> e : p.children.entrySet())
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
