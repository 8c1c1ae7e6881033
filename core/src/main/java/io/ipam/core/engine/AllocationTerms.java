package io.ipam.core.engine;

/**
 * The terms an allocation is made under (SPEC 9), passed with every allocation call: a lease, and the request key
 * whose first answer it belongs to. {@link #NONE} for neither. A caller reuses one instance ({@link #set}); the
 * engine reads it during the call only.
 */
public final class AllocationTerms
{
    /** No lease, no key. Never changed. */
    public static final AllocationTerms NONE = new AllocationTerms();

    private RequestKeys.Key key;
    private long leaseMs;
    private boolean router;

    /**
     * @param key     the key (from {@link AllocatorEngine#beginKey}) or null.
     * @param leaseMs the lease, or 0 for none.
     * @return this.
     */
    public AllocationTerms set(final RequestKeys.Key key, final long leaseMs)
    {
        if (this == NONE)
        {
            throw new IllegalStateException("AllocationTerms.NONE never changes");
        }
        this.key = key;
        this.leaseMs = leaseMs;
        this.router = false;
        return this;
    }

    /**
     * @param key     the key (from {@link AllocatorEngine#beginKey}) or null.
     * @param leaseMs the lease, or 0 for none.
     * @param router  a router's request (SPEC 2): may take the IPv6 subnet-router anycast address, and its
     *                allocations are marked.
     * @return this.
     */
    public AllocationTerms set(final RequestKeys.Key key, final long leaseMs, final boolean router)
    {
        set(key, leaseMs);
        this.router = router;
        return this;
    }

    /**
     * @return true for a router's request.
     */
    public boolean router()
    {
        return router;
    }

    /**
     * @return the key, or null.
     */
    public RequestKeys.Key key()
    {
        return key;
    }

    /**
     * @return the lease in ms, or 0 for none.
     */
    public long leaseMs()
    {
        return leaseMs;
    }

    /**
     * @return true without a lease and a key (a router's mark is not looked at here).
     */
    public boolean isNone()
    {
        return key == null && leaseMs == 0;
    }
}
