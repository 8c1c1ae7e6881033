package io.ipam.core.access;

/**
 * Who a call acts for: the administrator ({@code *} in the tokens file) or one tenant. Immutable.
 */
public final class Principal
{
    /** The tokens-file spelling of the administrator. */
    public static final String ADMIN_NAME = "*";

    /** The administrator: every subnet, every admin call. */
    public static final Principal ADMIN = new Principal(ADMIN_NAME);

    private final String tenant;

    private Principal(final String tenant)
    {
        this.tenant = tenant;
    }

    /**
     * @param tenantOrStar a tenant id, or {@code *} for the administrator.
     * @return the principal.
     */
    public static Principal of(final String tenantOrStar)
    {
        return ADMIN_NAME.equals(tenantOrStar) ? ADMIN : new Principal(tenantOrStar);
    }

    /**
     * @return true for the administrator.
     */
    public boolean isAdmin()
    {
        return this == ADMIN;
    }

    /**
     * @return the tenant, or {@code *} for the administrator.
     */
    public String tenantOrStar()
    {
        return tenant;
    }

    /**
     * @return the tenant, or null for the administrator.
     */
    public String tenantOrNull()
    {
        return isAdmin() ? null : tenant;
    }

    @Override
    public String toString()
    {
        return isAdmin() ? "admin" : "tenant " + tenant;
    }
}
