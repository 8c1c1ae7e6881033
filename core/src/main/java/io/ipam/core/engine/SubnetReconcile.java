package io.ipam.core.engine;

import java.util.Arrays;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * {@code reconcileSubnet} (SPEC 9): one subnet made to match the caller's truth address by address, in one writer
 * step, so nothing can be handed out between the look and the change. An allocation that is not expected and was
 * made at or before the cutoff is released ({@code RECLAIMED}); an expected address that is free is allocated to its
 * owner, cooling or not ({@code ALLOCATED}); an expected address held by another owner since at or before the cutoff
 * is given to the expected one ({@code RELEASED} then {@code ALLOCATED}); a younger holder keeps it (the caller's
 * truth may predate it: the grace protects allocations in flight). The IPv6 subnet-router anycast address, when
 * expected, is allocated as a router's (only a router may hold it); a re-owned address keeps its router mark.
 * Every rule is checked and the whole plan made before anything changes. Writer's thread only.
 */
public final class SubnetReconcile
{
    /** Group of an entry: released. */
    public static final int RELEASED = 0;
    /** Group of an entry: allocated to its expected owner. */
    public static final int ALLOCATED = 1;
    /** Group of an entry: taken from another owner and given to the expected one. */
    public static final int REOWNED = 2;

    private static final AllocationTerms ROUTER = new AllocationTerms().set(null, 0, true);

    private final SubnetRegistry subnets;
    private final Allocations allocations;
    private final Lifecycle lifecycle;
    private final SubnetAdmin admin;

    SubnetReconcile(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle,
        final SubnetAdmin admin)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
        this.admin = admin;
    }

    /**
     * Receives the report, group by group (released, allocated, re-owned), each ascending by address.
     */
    @FunctionalInterface
    public interface Visitor
    {
        /**
         * @param group     {@link #RELEASED}, {@link #ALLOCATED} or {@link #REOWNED}.
         * @param addressHi the address's high 64 bits.
         * @param address   the address's value (low 64 bits).
         * @param ownerMsb  owner (released: the one it had; else the expected one), high bits.
         * @param ownerLsb  owner, low bits.
         * @param timeMs    allocation time (released: when it had been made; else now).
         * @param router    the router mark.
         */
        void onEntry(int group, long addressHi, long address, long ownerMsb, long ownerLsb, long timeMs,
            boolean router);
    }

    /**
     * A growable list of entries (address high, address, owner high, owner low, time, router).
     */
    private static final class Entries
    {
        long[] v = new long[6 * 16];
        int n;

        void add(final long hi, final long lo, final long msb, final long lsb, final long time, final boolean router)
        {
            if ((n + 1) * 6 > v.length)
            {
                v = Arrays.copyOf(v, v.length * 2);
            }
            final int i = n++ * 6;
            v[i] = hi;
            v[i + 1] = lo;
            v[i + 2] = msb;
            v[i + 3] = lsb;
            v[i + 4] = time;
            v[i + 5] = router ? 1 : 0;
        }

        void visit(final int group, final Visitor out)
        {
            for (int k = 0; k < n; k++)
            {
                final int i = k * 6;
                out.onEntry(group, v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5] != 0);
            }
        }
    }

    /**
     * @param id        subnet id.
     * @param scope     a view's tenant, or null.
     * @param hi        expected addresses' high words, with {@code lo} strictly ascending (128-bit).
     * @param lo        expected addresses' values.
     * @param ownerMsb  expected owners, high bits.
     * @param ownerLsb  expected owners, low bits.
     * @param n         how many are expected, from index 0.
     * @param cutoffMs  allocations made after this are left alone (now - grace).
     * @param dryRun    only report.
     * @param out       receives the report.
     * @return entries reported.
     * @throws IpamException {@code SUBNET_NOT_FOUND}, {@code MALFORMED} (not ascending), {@code ADDRESS_INVALID} (an
     *                       expected address the subnet cannot hold), the capacity's code; nothing changed then.
     */
    int reconcile(final String id, final String scope, final long[] hi, final long[] lo, final long[] ownerMsb,
        final long[] ownerLsb, final int n, final long cutoffMs, final boolean dryRun, final Visitor out)
    {
        final Subnet s = subnets.require(id, scope);
        allocations.expire(Integer.MAX_VALUE);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && !Wide.lt(hi[i - 1], lo[i - 1], hi[i], lo[i]))
            {
                throw new IpamException(ErrorCode.MALFORMED, "expected addresses are not strictly ascending at " +
                    s.address(lo[i]) + " (each address once)");
            }
            if (!s.contains(hi[i], lo[i]) ||
                !s.usable(s.offsetHiOf(hi[i]), s.offsetOf(lo[i])) && !isAnycast(s, hi[i], lo[i]))
            {
                throw new IpamException(ErrorCode.ADDRESS_INVALID, "expected address " +
                    SubnetRules.at(s.cidr, s.offsetHiOf(hi[i]), s.offsetOf(lo[i])) + " is not a usable address of " +
                    "subnet " + s.id);
            }
        }
        final long now = lifecycle.now();
        final Entries released = new Entries();
        final Entries allocated = new Entries();
        final Entries reowned = new Entries();
        // the expected ones: free, held by their owner, or by another
        for (int i = 0; i < n; i++)
        {
            final int r = Allocations.recordAt(s, s.offsetHiOf(hi[i]), s.offsetOf(lo[i]));
            if (r == Records.NONE)
            {
                allocated.add(hi[i], lo[i], ownerMsb[i], ownerLsb[i], now, isAnycast(s, hi[i], lo[i]));
            }
            else
            {
                final int o = allocations.records.owner(r);
                if ((allocations.owners.msb(o) != ownerMsb[i] || allocations.owners.lsb(o) != ownerLsb[i]) &&
                    allocations.records.time(r) <= cutoffMs)
                {
                    reowned.add(hi[i], lo[i], ownerMsb[i], ownerLsb[i], now, allocations.records.router(r));
                }
            }
        }
        // the held ones that are not expected (both lists ascending: a merge)
        final int[] next = {0};
        allocations.lookups.forEachAllocation(s, (sid, v6, ahi, alo, msb, lsb, t, expiresAt, router) ->
        {
            int k = next[0];
            while (k < n && Wide.lt(hi[k], lo[k], ahi, alo))
            {
                k++;
            }
            next[0] = k;
            final boolean expected = k < n && hi[k] == ahi && lo[k] == alo;
            if (!expected && t <= cutoffMs)
            {
                released.add(ahi, alo, msb, lsb, t, router);
            }
        });
        if (!dryRun)
        {
            if (allocated.n > released.n && !allocations.hasRoom(allocated.n - released.n))
            {
                throw new IpamException(ErrorCode.ofResultCode(allocations.fullCode()), "reconciling subnet " + s.id +
                    " needs room for " + (allocated.n - released.n) + " more allocation(s)");
            }
            apply(s, released, allocated, reowned);
        }
        released.visit(RELEASED, out);
        allocated.visit(ALLOCATED, out);
        reowned.visit(REOWNED, out);
        return released.n + allocated.n + reowned.n;
    }

    private void apply(final Subnet s, final Entries released, final Entries allocated, final Entries reowned)
    {
        for (int k = 0; k < released.n; k++)
        {
            final int i = k * 6;
            if (admin.reclaim(s, released.v[i], released.v[i + 1], StateListener.RECLAIMED))
            {
                s.reclaimed++;
            }
        }
        for (int k = 0; k < reowned.n; k++)
        {
            final int i = k * 6;
            admin.reclaim(s, reowned.v[i], reowned.v[i + 1], 0);
            take(s, reowned, i);
        }
        for (int k = 0; k < allocated.n; k++)
        {
            final int i = k * 6;
            final long oh = s.offsetHiOf(allocated.v[i]);
            final long ol = s.offsetOf(allocated.v[i + 1]);
            lifecycle.takeCooling(s, oh, ol);
            take(s, allocated, i);
        }
    }

    private void take(final Subnet s, final Entries e, final int i)
    {
        final long oh = s.offsetHiOf(e.v[i]);
        final long ol = s.offsetOf(e.v[i + 1]);
        allocations.commit(s, oh, ol, Allocations.poolOf(s, oh, ol), e.v[i + 2], e.v[i + 3], e.v[i + 4],
            e.v[i + 5] != 0 ? ROUTER : AllocationTerms.NONE);
    }

    private static boolean isAnycast(final Subnet s, final long hi, final long lo)
    {
        return s.v6 && s.offsetHiOf(hi) == 0 && s.offsetOf(lo) == 0 && !s.isPointToPoint();
    }
}
