package io.ipam.core.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetStats;
import io.ipam.core.addr.IpAddress;

/**
 * Subnets as administered: created from a validated plan, described, reshaped (pools, gateway), deleted. Every
 * method checks all its rules before it changes anything and throws {@link IpamException} for a broken one; a view
 * (scope) sees its own tenant's subnets only. Answers see expired leases as gone and cooled addresses as free.
 * Writer's thread only.
 */
public final class SubnetAdmin
{
    private final SubnetRegistry subnets;
    private final Allocations allocations;
    private final Lifecycle lifecycle;
    private StateListener listener = StateListener.NONE;

    SubnetAdmin(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
    }

    void listener(final StateListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return the new subnet's handle.
     */
    int create(final SubnetRules.Plan plan)
    {
        final Subnet s = subnets.add(plan);
        listener.onSubnet(image(s));
        return s.handle;
    }

    static EngineImage.SubnetImage image(final Subnet s)
    {
        // pool arrays are replaced, never written in place, so sharing them is safe
        return new EngineImage.SubnetImage(s.handle, s.id, s.tenant, s.cidr, s.strategy, s.gateway, s.poolFirst,
            s.poolLast, s.held(), s.cooldownMs);
    }

    /**
     * @param id    subnet id.
     * @param scope a view's tenant, or null for the whole allocator.
     * @return a view of the subnet now (due leases expired first).
     * @throws IpamException {@code SUBNET_NOT_FOUND}, also for another tenant's subnet seen through a view.
     */
    public SubnetInfo info(final String id, final String scope)
    {
        final Subnet s = subnets.require(id, scope);
        allocations.expire(Integer.MAX_VALUE);
        lifecycle.drainCooling(s, Integer.MAX_VALUE);
        return info(s);
    }

    private static SubnetInfo info(final Subnet s)
    {
        final List<IpRange> pools = new ArrayList<>(s.poolCount);
        for (int i = 0; i < s.poolCount; i++)
        {
            pools.add(IpRange.of(s.address(s.addressOf(s.poolFirst[i])).toString(),
                s.address(s.addressOf(s.poolLast[i])).toString()));
        }
        return new SubnetInfo(s.id, s.cidr.toString(), s.tenant, s.gateway == null ? null : s.gateway.toString(),
            pools, s.strategy, s.held(), unsigned(s.poolFree()), s.cooldownMs, s.coolingCount());
    }

    private static BigInteger unsigned(final long v)
    {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v & Long.MAX_VALUE).setBit(63);
    }

    /**
     * @param scope a view's tenant, or null.
     * @return every subnet the scope sees, ascending by id.
     */
    public List<SubnetInfo> list(final String scope)
    {
        allocations.expire(Integer.MAX_VALUE);
        final List<Subnet> all = subnets.sorted(null);
        final List<SubnetInfo> out = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            // every subnet's cooled addresses come back, as when every subnet is listed
            lifecycle.drainCooling(s, Integer.MAX_VALUE);
            if (SubnetRegistry.inScope(s, scope))
            {
                out.add(info(s));
            }
        }
        return out;
    }

    /**
     * Lifecycle counts of every subnet the scope sees, for metrics: allocated, free, cooling and leased now;
     * expired and reclaimed since start.
     *
     * @param scope a view's tenant, or null.
     * @return one entry per subnet, ascending by id.
     */
    public List<SubnetStats> stats(final String scope)
    {
        allocations.expire(Integer.MAX_VALUE);
        final List<Subnet> all = subnets.sorted(null);
        final List<SubnetStats> out = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            lifecycle.drainCooling(s, Integer.MAX_VALUE);
            if (SubnetRegistry.inScope(s, scope))
            {
                out.add(new SubnetStats(s.id, s.tenant, s.held(), unsigned(s.poolFree()), s.coolingCount(), s.leased,
                    s.expired, s.reclaimed));
            }
        }
        return out;
    }

    /**
     * Lifecycle counts of a subnet as they are, nothing expired or drained first (tests): {allocated, free (pool,
     * unsigned), cooling, leased, expired since start, reclaimed since start}.
     */
    long[] counts(final String id)
    {
        final Subnet s = subnets.require(id);
        return new long[] {s.held(), s.poolFree(), s.coolingCount(), s.leased, s.expired, s.reclaimed};
    }

    /**
     * Replace a subnet's pools. Never evicts; allocated addresses outside the new pools stay allocated.
     *
     * @param id     subnet id.
     * @param scope  a view's tenant, or null.
     * @param ranges parsed pools (checked here against the subnet).
     * @return the subnet now.
     */
    public SubnetInfo updatePools(final String id, final String scope, final List<IpAddress[]> ranges)
    {
        final Subnet s = subnets.require(id, scope);
        final long[][] pools = SubnetRules.checkPools(s.cidr, s.gateway, ranges);
        s.setPools(pools[0], pools[1]);
        listener.onSubnet(image(s));
        return info(s);
    }

    /**
     * Change or remove the gateway. Pools are never recomputed.
     *
     * @param id      subnet id.
     * @param scope   a view's tenant, or null.
     * @param gateway the new gateway, or null to remove it.
     * @return the subnet now.
     */
    public SubnetInfo updateGateway(final String id, final String scope, final IpAddress gateway)
    {
        final Subnet s = subnets.require(id, scope);
        if (gateway != null)
        {
            SubnetRules.checkGateway(s.cidr, gateway);
            final int p = s.cidr.contains(gateway) ? s.poolOf(s.offsetOf(gateway.lo())) : -1;
            if (p >= 0)
            {
                throw new IpamException(ErrorCode.GATEWAY_IN_POOL, "gateway " + gateway + " lies in pool " +
                    s.address(s.addressOf(s.poolFirst[p])) + "-" + s.address(s.addressOf(s.poolLast[p])) +
                    " of subnet " + s.id);
            }
        }
        final IpAddress old = s.gateway;
        if (old != null && !old.equals(gateway) && s.cidr.contains(old) &&
            s.allocated.contains(s.offsetOf(old.lo())))
        {
            throw new IpamException(ErrorCode.GATEWAY_IN_USE, "gateway " + old + " of subnet " + s.id +
                " is allocated; release it before changing the gateway");
        }
        s.gateway = gateway;
        listener.onSubnet(image(s));
        return info(s);
    }

    /**
     * Delete a subnet.
     *
     * @param id    subnet id.
     * @param scope a view's tenant, or null.
     * @param force release its allocations too; else {@code SUBNET_IN_USE} while it holds any.
     * @return the number of allocations released.
     */
    public long delete(final String id, final String scope, final boolean force)
    {
        final Subnet s = subnets.require(id, scope);
        allocations.expire(Integer.MAX_VALUE);
        final long held = s.held();
        if (held > 0 && !force)
        {
            throw new IpamException(ErrorCode.SUBNET_IN_USE, "subnet " + s.id + " holds " + held +
                " allocation(s); release them or delete with force");
        }
        if (s.allocated.cardinality() > 0)
        {
            final long[] offsets = new long[(int)s.allocated.cardinality()];
            final int[] n = {0};
            s.allocated.forEach(o -> offsets[n[0]++] = o);
            // a deleted subnet has nothing left to cool: its cooling addresses go with it
            s.cooldownMs = 0;
            for (final long offset : offsets)
            {
                final int r = s.recordByOffset.get(offset);
                if (r != Records.NONE)
                {
                    allocations.free(s, offset, r, false);
                }
                else
                {
                    listener.onCoolingEnded(s.id, s.addressOf(offset));
                }
            }
            s.cooling = null;
        }
        subnets.remove(s);
        listener.onSubnetDeleted(s.id);
        return held;
    }

    /**
     * Release what owners not among the live ones hold, made at or before a cutoff, in the subnets a scope sees,
     * in ascending subnet id and address order; each released one counts as reclaimed in its subnet.
     *
     * @param liveOwners owners whose allocations stay.
     * @param cutoffMs   allocations made after this stay.
     * @param scope      a view's tenant, or null for all.
     * @param dryRun     only report what would be released.
     * @param visitor    receives each allocation found.
     * @return how many were found.
     */
    public int reconcile(final Set<UUID> liveOwners, final long cutoffMs, final String scope, final boolean dryRun,
        final AllocationVisitor visitor)
    {
        final List<Subnet> in = new ArrayList<>();
        final List<long[]> found = new ArrayList<>();
        allocations.expire(Integer.MAX_VALUE);
        for (final Subnet s : subnets.sorted(scope))
        {
            allocations.forEachAllocation(s, (id, v6, hi, value, msb, lsb, t, expiresAt) ->
            {
                if (t <= cutoffMs && !liveOwners.contains(new UUID(msb, lsb)))
                {
                    in.add(s);
                    found.add(new long[] {value, msb, lsb, t, in.size() - 1});
                }
            });
        }
        // by subnet id, then address (a hashed set visits its words in no order)
        found.sort((x, y) ->
        {
            final int c = in.get((int)x[4]).id.compareTo(in.get((int)y[4]).id);
            return c != 0 ? c : Long.compareUnsigned(x[0], y[0]);
        });
        for (final long[] f : found)
        {
            final Subnet s = in.get((int)f[4]);
            if (!dryRun && reclaim(s, f[0]))
            {
                s.reclaimed++;
            }
            visitor.onAllocation(s.id, s.v6, s.hi, f[0], f[1], f[2], f[3], 0);
        }
        return found.size();
    }

    private boolean reclaim(final Subnet s, final long address)
    {
        final long offset = s.offsetOf(address);
        final int r = allocations.liveRecord(s, offset);
        if (r == Records.NONE)
        {
            return false;
        }
        allocations.free(s, offset, r, false);
        return true;
    }

    /**
     * A view's command on a subnet: another tenant's subnet does not exist for it.
     *
     * @param id    a subnet id.
     * @param scope a view's tenant, or null.
     * @throws IpamException {@code SUBNET_NOT_FOUND} if the subnet exists and the scope does not see it.
     */
    public void checkScope(final String id, final String scope)
    {
        final Subnet s = subnets.byId(id);
        if (s != null && !SubnetRegistry.inScope(s, scope))
        {
            throw SubnetRegistry.notFound(id);
        }
    }
}
