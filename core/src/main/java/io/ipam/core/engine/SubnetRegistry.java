package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * The engine's subnets: by handle (the hot path's key: an array read), by id, and per tenant by network address
 * (the overlap check). Handles are given in creation order and never reused, so a replayed command log names the
 * same subnets. Writer's thread only.
 */
final class SubnetRegistry
{
    private final Map<String, Subnet> byId = new HashMap<>();
    private final Map<String, TreeMap<IpAddress, Subnet>> byTenant = new HashMap<>();
    private Subnet[] byHandle = new Subnet[16];
    private int nextHandle;

    /**
     * @param handle a handle.
     * @return its subnet, or null for one never given or deleted.
     */
    Subnet at(final int handle)
    {
        // slots from nextHandle on are never written, so the array's bound is the handles' bound (one load fewer
        // on every hot-path command than reading nextHandle too)
        final Subnet[] subnets = byHandle;
        return handle >= 0 && handle < subnets.length ? subnets[handle] : null;
    }

    /**
     * @param id a subnet id.
     * @return its subnet, or null.
     */
    Subnet byId(final String id)
    {
        return id == null ? null : byId.get(id);
    }

    /**
     * @param id a subnet id.
     * @return its subnet.
     * @throws IpamException {@code SUBNET_NOT_FOUND}.
     */
    Subnet require(final String id)
    {
        final Subnet s = byId(id);
        if (s == null)
        {
            throw notFound(id);
        }
        return s;
    }

    /**
     * @param id    a subnet id.
     * @param scope a view's tenant, or null for the whole allocator.
     * @return the subnet, if the scope sees it.
     * @throws IpamException {@code SUBNET_NOT_FOUND}, also for another tenant's subnet seen through a view.
     */
    Subnet require(final String id, final String scope)
    {
        final Subnet s = require(id);
        if (!inScope(s, scope))
        {
            throw notFound(id);
        }
        return s;
    }

    static IpamException notFound(final String id)
    {
        return new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " + AddressText.quote(id) + " not found");
    }

    /**
     * @param s     a subnet.
     * @param scope a view's tenant, or null for the whole allocator.
     * @return true if the scope sees it.
     */
    static boolean inScope(final Subnet s, final String scope)
    {
        return scope == null || scope.equals(s.tenant);
    }

    /**
     * @return subnets held.
     */
    int count()
    {
        return byId.size();
    }

    /**
     * @return one above the highest handle given (every subnet's handle is below it).
     */
    int handleLimit()
    {
        return nextHandle;
    }

    /**
     * @return the handle the next subnet created gets.
     */
    int nextHandle()
    {
        return nextHandle;
    }

    /**
     * Give the next subnet created this handle, leaving the ones below it unused.
     *
     * @param handle at least {@link #nextHandle()}.
     */
    void nextHandle(final int handle)
    {
        if (handle < nextHandle)
        {
            throw new IllegalArgumentException("handle " + handle + " is below the next handle " + nextHandle +
                ": handles are never reused");
        }
        if (handle >= byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, Math.max(byHandle.length * 2, handle + 1));
        }
        nextHandle = handle;
    }

    /**
     * Add a subnet at the next handle.
     *
     * @param plan its validated parts.
     * @return the subnet.
     * @throws IpamException {@code SUBNET_EXISTS}, {@code SUBNET_OVERLAP} (within its tenant).
     */
    Subnet add(final SubnetRules.Plan plan)
    {
        if (byId.containsKey(plan.id))
        {
            throw new IpamException(ErrorCode.SUBNET_EXISTS, "subnet " + plan.id + " exists");
        }
        final TreeMap<IpAddress, Subnet> tenantSubnets = byTenant.computeIfAbsent(tenantKey(plan.tenant),
            k -> new TreeMap<>());
        final Subnet overlap = findOverlap(tenantSubnets, plan.cidr);
        if (overlap != null)
        {
            throw new IpamException(ErrorCode.SUBNET_OVERLAP, "subnet " + plan.cidr + " overlaps subnet " +
                overlap.id + " (" + overlap.cidr + ")" + (plan.tenant == null ? "" : " of tenant " + plan.tenant));
        }
        if (nextHandle == byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, byHandle.length * 2);
        }
        final Subnet s = new Subnet(nextHandle, plan.id, plan.tenant, plan.cidr, plan.strategy, plan.poolFirstHi,
            plan.poolFirst, plan.poolLastHi, plan.poolLast);
        s.gateway = plan.gateway;
        s.cooldownMs = plan.cooldownMs;
        s.setPools(plan.poolFirstHi, plan.poolFirst, plan.poolLastHi, plan.poolLast);
        byHandle[nextHandle++] = s;
        byId.put(s.id, s);
        tenantSubnets.put(s.cidr.address(), s);
        return s;
    }

    /**
     * Forget a subnet (its allocations are gone already); its handle is never given again.
     *
     * @param s the subnet.
     */
    void remove(final Subnet s)
    {
        byId.remove(s.id);
        byTenant.get(tenantKey(s.tenant)).remove(s.cidr.address());
        byHandle[s.handle] = null;
    }

    /**
     * @param scope a view's tenant, or null for all.
     * @return the subnets the scope sees, ascending by id (a new list).
     */
    List<Subnet> sorted(final String scope)
    {
        final List<Subnet> all = new ArrayList<>(byId.size());
        for (final Subnet s : byId.values())
        {
            if (inScope(s, scope))
            {
                all.add(s);
            }
        }
        all.sort(Comparator.comparing(s -> s.id));
        return all;
    }

    private static String tenantKey(final String tenant)
    {
        return tenant == null ? "" : "t:" + tenant;
    }

    private static Subnet findOverlap(final TreeMap<IpAddress, Subnet> subnets, final Cidr cidr)
    {
        final Map.Entry<IpAddress, Subnet> below = subnets.floorEntry(cidr.address());
        if (below != null && below.getValue().cidr.overlaps(cidr))
        {
            return below.getValue();
        }
        final Map.Entry<IpAddress, Subnet> above = subnets.higherEntry(cidr.address());
        if (above != null && above.getValue().cidr.overlaps(cidr))
        {
            return above.getValue();
        }
        return null;
    }
}
