package io.ipam.ui;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.ipam.core.Ipam;
import io.ipam.core.access.Principal;
import io.ipam.core.access.TokenFile;
import io.ipam.server.TenantViews;

/**
 * Who asks, from the {@code Authorization: Bearer TOKEN} header, with the same tokens file and the same rule as the
 * gRPC API: a {@code *} token sees the whole allocator, a tenant's token that tenant's view ({@link TenantViews},
 * SPEC 8), no token or an unknown one nothing. Without a tokens file every caller is the administrator, as on the
 * API. Decided before anything is read from the allocator. Thread-safe.
 */
final class Access
{
    private static final String BEARER = "bearer ";

    private final Ipam root;
    private final TokenFile tokens;
    private final Map<String, Ipam> views = new ConcurrentHashMap<>();

    Access(final Ipam root, final TokenFile tokens)
    {
        this.root = root;
        this.tokens = tokens;
    }

    /**
     * @return true when tokens are required.
     */
    boolean tokensRequired()
    {
        return tokens != null;
    }

    /**
     * @param authorization the header's value, or null.
     * @return the caller, or null when it is not known.
     */
    Principal principal(final String authorization)
    {
        if (tokens == null)
        {
            return Principal.ADMIN;
        }
        final String token = authorization != null && authorization.length() > BEARER.length() &&
            authorization.regionMatches(true, 0, BEARER, 0, BEARER.length()) ?
            authorization.substring(BEARER.length()).strip() : null;
        return tokens.principal(token);
    }

    /**
     * @param p a known caller.
     * @return the allocator it may read: the root or its tenant's view (one per tenant, kept).
     */
    Ipam view(final Principal p)
    {
        return views.computeIfAbsent(p.tenantOrStar(), t -> TenantViews.viewFor(root, t));
    }

    /**
     * @param p a known caller.
     * @return the scope its answers are cached under.
     */
    static String scope(final Principal p)
    {
        return p.isAdmin() ? "*" : "t:" + p.tenantOrNull();
    }
}
