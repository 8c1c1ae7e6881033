package io.ipam.server;

import io.grpc.StatusRuntimeException;
import io.ipam.client.StatusCodes;
import io.ipam.core.Ipam;

/**
 * The one place that decides which {@link Ipam} a principal may use. Thread-safe (stateless).
 */
public final class TenantViews
{
    private TenantViews()
    {
    }

    /**
     * The {@link Ipam} a caller acting as {@code tenantOrStar} gets: the root for the administrator ({@code *}),
     * the tenant's view (SPEC 8) for a tenant.
     *
     * <p>Tenant views are {@code Ipam.forTenant(String)} of the core, which this build's core does not have yet.
     * Scoping at this layer instead (check a subnet's tenant, then act) would race with a delete and re-create
     * of the same id under another tenant, and release-by-owner could not be scoped atomically at all, so until
     * the core provides it a tenant token is authenticated but every call it makes is refused with
     * {@code PERMISSION_DENIED} / {@code FORBIDDEN} (30): fail closed, never admin. When the core lands
     * {@code forTenant}, the body of the tenant branch becomes {@code return root.forTenant(tenantOrStar);}
     * (a view is cheap; cache it per tenant if it is not).
     *
     * @param root         the server's allocator.
     * @param tenantOrStar a tenant id or {@code *}.
     * @return the allocator this caller acts on.
     * @throws StatusRuntimeException {@code PERMISSION_DENIED} with ipam code {@code FORBIDDEN} for a tenant
     *                                while the core has no tenant views.
     */
    public static Ipam viewFor(final Ipam root, final String tenantOrStar)
    {
        if (Principal.ADMIN_NAME.equals(tenantOrStar))
        {
            return root;
        }
        throw StatusCodes.toStatus(StatusCodes.FORBIDDEN, "FORBIDDEN",
            "FORBIDDEN: tenant tokens need tenant views (Ipam.forTenant), which this server build does not have");
    }
}
