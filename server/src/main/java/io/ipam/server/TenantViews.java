package io.ipam.server;

import io.ipam.core.Ipam;
import io.ipam.core.access.Principal;

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
     * the tenant's view (SPEC 8, {@link Ipam#forTenant}) for a tenant: other tenants' subnets do not exist for it,
     * and administrative calls are {@code FORBIDDEN}. Scoping happens in the core's writer, so a delete and
     * re-create of an id under another tenant cannot race it.
     *
     * @param root         the server's allocator.
     * @param tenantOrStar a tenant id or {@code *}.
     * @return the allocator this caller acts on.
     */
    public static Ipam viewFor(final Ipam root, final String tenantOrStar)
    {
        if (Principal.ADMIN_NAME.equals(tenantOrStar))
        {
            return root;
        }
        return root.forTenant(tenantOrStar);
    }
}
