package io.ipam.core.internal;

import java.util.concurrent.ConcurrentHashMap;

import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.Wire;

/**
 * The facade's cache of subnet handles: a subnet's handle, CIDR and tenant are fixed for its life and a handle is
 * never reused, so a cached one is either right or answered {@code SUBNET_NOT_FOUND} (the subnet was deleted, and
 * maybe created again under the same id), after which it is asked again. Shared by an allocator and its views.
 * Thread-safe.
 */
final class SubnetHandles
{
    /**
     * A subnet as the edge knows it: its handle, CIDR and tenant, all fixed for the subnet's life.
     */
    static final class SubnetRef
    {
        final String id;
        final int handle;
        final Cidr cidr;
        final String tenant;

        SubnetRef(final String id, final int handle, final Cidr cidr, final String tenant)
        {
            this.id = id;
            this.handle = handle;
            this.cidr = cidr;
            this.tenant = tenant;
        }
    }

    private final ConcurrentHashMap<String, SubnetRef> byId = new ConcurrentHashMap<>();
    private final CommandProxy proxy;

    SubnetHandles(final CommandProxy proxy)
    {
        this.proxy = proxy;
    }

    /**
     * The subnet as a facade of a scope may see it: a view sees its own tenant's subnets only (a handle never
     * changes tenant, so the check cannot race; a cached reference of another tenant is checked once more with the
     * writer, in case the id was deleted and created again).
     *
     * @param subnetId a subnet id (not null).
     * @param scope    the view's tenant, or null.
     * @return the reference.
     */
    SubnetRef ref(final String subnetId, final String scope)
    {
        SubnetRef ref = byId.get(subnetId);
        if (ref == null)
        {
            ref = resolve(subnetId);
        }
        if (scope != null && !scope.equals(ref.tenant))
        {
            ref = resolve(subnetId);
            if (!scope.equals(ref.tenant))
            {
                throw ErrorMessages.notFound(subnetId);
            }
        }
        return ref;
    }

    /**
     * Ask the writer for a subnet's handle (a cache miss, or a cached handle the writer no longer knows).
     */
    private SubnetRef resolve(final String subnetId)
    {
        SubnetRules.checkId(subnetId, "subnet id");
        final Reply r = proxy.id(MessageTypes.RESOLVE_SUBNET, subnetId);
        try
        {
            if (r.code != AllocatorEngine.FOUND)
            {
                byId.remove(subnetId);
                throw ErrorMessages.notFound(subnetId);
            }
            final Wire in = proxy.wire().readFrom(r.payload, 0, r.payloadLength);
            final Cidr cidr = ReplyCodec.getResolvedCidr(in);
            final SubnetRef ref = new SubnetRef(subnetId, (int)r.value, cidr, in.getString());
            byId.put(subnetId, ref);
            return ref;
        }
        finally
        {
            proxy.transport().release(r);
        }
    }

    /**
     * Remember a subnet just created.
     */
    void created(final String subnetId, final int handle, final Cidr cidr, final String tenant)
    {
        byId.put(subnetId, new SubnetRef(subnetId, handle, cidr, tenant));
    }

    /**
     * Forget a subnet (deleted).
     */
    void forget(final String subnetId)
    {
        byId.remove(subnetId);
    }

    /**
     * Forget a reference the writer no longer knows (only if it is still the cached one).
     */
    void stale(final SubnetRef ref)
    {
        byId.remove(ref.id, ref);
    }
}
