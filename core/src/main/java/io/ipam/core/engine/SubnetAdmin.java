package io.ipam.core.engine;

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
    private final SubnetReconcile reconciler;
    private StateListener listener = StateListener.NONE;

    SubnetAdmin(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
        this.reconciler = new SubnetReconcile(subnets, allocations, lifecycle, this);
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
        if (s.wide)
        {
            final WidePools p = s.widePools;
            return new EngineImage.SubnetImage(s.handle, s.id, s.tenant, s.cidr, s.strategy, s.gateway, p.firstHi,
                p.firstLo, p.lastHi, p.lastLo, s.held(), s.cooldownMs);
        }
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
        final List<IpRange> pools = new ArrayList<>(s.pools());
        for (int i = 0; i < s.pools(); i++)
        {
            pools.add(IpRange.of(s.poolFirstAddress(i).toString(), s.poolLastAddress(i).toString()));
        }
        return new SubnetInfo(s.id, s.cidr.toString(), s.tenant, s.gateway == null ? null : s.gateway.toString(),
            pools, s.strategy, s.held(), s.free(), s.cooldownMs, s.coolingCount());
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
                out.add(new SubnetStats(s.id, s.tenant, s.held(), s.free(), s.coolingCount(), s.leased,
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
        s.setPools(pools[2], pools[0], pools[3], pools[1]);
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
        checkGatewayChange(s, gateway, null);
        s.gateway = gateway;
        listener.onSubnet(image(s));
        return info(s);
    }

    /**
     * Check a gateway change against the subnet as it would be: the gateway rules, outside the (new) pools, and
     * {@code GATEWAY_IN_USE} only while a router's allocation holds the old gateway (SPEC 1: any other holder keeps
     * its address and the change succeeds).
     *
     * @param gateway the new gateway or null.
     * @param pools   the pools it will have ({first, last, firstHi, lastHi}), or null for the ones it has.
     */
    private void checkGatewayChange(final Subnet s, final IpAddress gateway, final long[][] pools)
    {
        if (gateway != null)
        {
            SubnetRules.checkGateway(s.cidr, gateway);
            if (s.cidr.contains(gateway))
            {
                final long gh = SubnetRules.offsetHi(s.cidr, gateway);
                final long gl = SubnetRules.offsetLo(s.cidr, gateway);
                final int p = pools != null ? poolOf(pools, gh, gl) : Allocations.poolOf(s, gh, gl);
                if (p >= 0)
                {
                    throw new IpamException(ErrorCode.GATEWAY_IN_POOL, "gateway " + gateway + " lies in pool " +
                        (pools != null ? SubnetRules.at(s.cidr, pools[2][p], pools[0][p]) + "-" +
                        SubnetRules.at(s.cidr, pools[3][p], pools[1][p]) :
                        s.poolFirstAddress(p) + "-" + s.poolLastAddress(p)) + " of subnet " + s.id);
                }
            }
        }
        final IpAddress old = s.gateway;
        if (old != null && !old.equals(gateway) && s.cidr.contains(old))
        {
            final int r = allocations.liveRecord(s, SubnetRules.offsetHi(s.cidr, old),
                SubnetRules.offsetLo(s.cidr, old));
            if (r != Records.NONE && allocations.records.router(r))
            {
                throw new IpamException(ErrorCode.GATEWAY_IN_USE, "gateway " + old + " of subnet " + s.id +
                    " is held by a router; release the router's address before changing the gateway");
            }
        }
    }

    private static int poolOf(final long[][] pools, final long offsetHi, final long offset)
    {
        for (int i = 0; i < pools[0].length; i++)
        {
            if (Wide.le(pools[2][i], pools[0][i], offsetHi, offset) &&
                Wide.le(offsetHi, offset, pools[3][i], pools[1][i]))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Change pools, gateway and cooldown in one step (SPEC 1): every rule is checked against the subnet as it would
     * be after the whole change, then all of it is applied, or nothing is.
     *
     * @param id         subnet id.
     * @param scope      a view's tenant, or null.
     * @param ranges     the new pools (parsed), or null to keep them.
     * @param setGateway true to change the gateway to {@code gateway} (null: none).
     * @param gateway    the new gateway, or null.
     * @param cooldownMs the new cooldown in ms, or -1 to keep it.
     * @return the subnet now.
     */
    public SubnetInfo update(final String id, final String scope, final List<IpAddress[]> ranges,
        final boolean setGateway, final IpAddress gateway, final long cooldownMs)
    {
        final Subnet s = subnets.require(id, scope);
        final IpAddress newGateway = setGateway ? gateway : s.gateway;
        final long[][] pools = ranges == null ? null : SubnetRules.checkPools(s.cidr, newGateway, ranges);
        if (setGateway)
        {
            checkGatewayChange(s, gateway, pools);
        }
        if (cooldownMs < -1 || cooldownMs > SubnetRules.MAX_COOLDOWN_MS)
        {
            throw new IpamException(ErrorCode.MALFORMED, "cooldown must be 0 to " + SubnetRules.MAX_COOLDOWN_MS +
                " ms, was " + cooldownMs);
        }
        // every rule holds for the end state: apply all of it
        if (pools != null)
        {
            s.setPools(pools[2], pools[0], pools[3], pools[1]);
        }
        s.gateway = newGateway;
        if (cooldownMs >= 0)
        {
            s.cooldownMs = cooldownMs;
        }
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
        final long taken = s.wide ? s.wideSet.cardinality() : s.allocated.cardinality();
        if (taken > 0)
        {
            final long[] offsets = new long[(int)taken];
            final long[] offsetsHi = new long[(int)taken];
            final int[] n = {0};
            if (s.wide)
            {
                s.wideSet.forEach((oh, ol) ->
                {
                    offsetsHi[n[0]] = oh;
                    offsets[n[0]++] = ol;
                });
            }
            else
            {
                s.allocated.forEach(o -> offsets[n[0]++] = o);
            }
            // a deleted subnet has nothing left to cool: its cooling addresses go with it
            s.cooldownMs = 0;
            for (int i = 0; i < offsets.length; i++)
            {
                final int r = Allocations.recordAt(s, offsetsHi[i], offsets[i]);
                if (r != Records.NONE)
                {
                    allocations.free(s, offsetsHi[i], offsets[i], r, false);
                }
                else
                {
                    listener.onCoolingEnded(s.id, s.addressHiOf(offsetsHi[i]), s.addressOf(offsets[i]));
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
            allocations.lookups.forEachAllocation(s, (id, v6, hi, value, msb, lsb, t, expiresAt, router) ->
            {
                if (t <= cutoffMs && !liveOwners.contains(new UUID(msb, lsb)))
                {
                    in.add(s);
                    found.add(new long[] {value, msb, lsb, t, in.size() - 1, hi, router ? 1 : 0});
                }
            });
        }
        // by subnet id, then address (a hashed set visits its words in no order)
        found.sort((x, y) ->
        {
            final int c = in.get((int)x[4]).id.compareTo(in.get((int)y[4]).id);
            return c != 0 ? c : Wide.compare(x[5], x[0], y[5], y[0]);
        });
        for (final long[] f : found)
        {
            final Subnet s = in.get((int)f[4]);
            if (!dryRun && reclaim(s, f[5], f[0], 0))
            {
                s.reclaimed++;
            }
            visitor.onAllocation(s.id, s.v6, f[5], f[0], f[1], f[2], f[3], 0, f[6] != 0);
        }
        return found.size();
    }

    /**
     * Make one subnet match the caller's truth, address by address, in this one step (see {@link SubnetReconcile}).
     *
     * @param id       subnet id.
     * @param scope    a view's tenant, or null.
     * @param hi       expected addresses' high words ({@code lo} strictly ascending, 128-bit).
     * @param lo       expected addresses' values.
     * @param ownerMsb expected owners, high bits.
     * @param ownerLsb expected owners, low bits.
     * @param n        how many, from index 0.
     * @param cutoffMs allocations made after this are left alone (now - grace).
     * @param dryRun   only report.
     * @param out      receives the report, group by group.
     * @return entries reported.
     */
    public int reconcileSubnet(final String id, final String scope, final long[] hi, final long[] lo,
        final long[] ownerMsb, final long[] ownerLsb, final int n, final long cutoffMs, final boolean dryRun,
        final SubnetReconcile.Visitor out)
    {
        return reconciler.reconcile(id, scope, hi, lo, ownerMsb, ownerLsb, n, cutoffMs, dryRun, out);
    }

    /**
     * Release one allocation for a reconcile.
     *
     * @param flags {@link StateListener#RECLAIMED} to record it as reclaimed whatever the command's release kind.
     * @return false if it was gone already.
     */
    boolean reclaim(final Subnet s, final long addressHi, final long address, final int flags)
    {
        final long offsetHi = s.offsetHiOf(addressHi);
        final long offset = s.offsetOf(address);
        final int r = allocations.liveRecord(s, offsetHi, offset);
        if (r == Records.NONE)
        {
            return false;
        }
        allocations.free(s, offsetHi, offset, r, false, flags);
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
