package io.ipam.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.ipam.core.addr.AddressText;

/**
 * Options of an allocation request (SPEC 9): a request key, so that a retried request returns its first answer
 * and allocates nothing, and a lease, after which the allocation expires unless renewed; and (SPEC 2) the mark of a
 * router's request, which may take the IPv6 subnet-router anycast address. Immutable.
 */
public final class AllocationOptions
{
    private static final AllocationOptions NONE = new AllocationOptions(null, null, false);

    /** Longest request key. */
    public static final int MAX_KEY_LENGTH = 128;

    private final String requestKey;
    private final Duration lease;
    private final boolean router;

    private AllocationOptions(final String requestKey, final Duration lease, final boolean router)
    {
        this.requestKey = requestKey;
        this.lease = lease;
        this.router = router;
    }

    /**
     * @return no key, no lease: the same as the calls without options.
     */
    public static AllocationOptions none()
    {
        return NONE;
    }

    /**
     * @return a builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return the request key, if any.
     */
    public Optional<String> requestKey()
    {
        return Optional.ofNullable(requestKey);
    }

    /**
     * @return the lease, if any.
     */
    public Optional<Duration> lease()
    {
        return Optional.ofNullable(lease);
    }

    /**
     * @return true for a router's request (Neutron's router interface and gateway ports): a specific request may
     * then take the IPv6 subnet-router anycast address, and the allocation is marked {@link Allocation#router()}.
     */
    public boolean router()
    {
        return router;
    }

    /**
     * @return true for no key and no lease (a router's request may still be marked: see {@link #router()}).
     */
    public boolean isNone()
    {
        return requestKey == null && lease == null;
    }

    /**
     * Check a request key: 1-128 characters of {@code [A-Za-z0-9._:-]}.
     *
     * @param key the key.
     * @throws IpamException {@code MALFORMED} naming the problem.
     */
    public static void checkKey(final String key)
    {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH)
        {
            throw new IpamException(ErrorCode.MALFORMED, "request key must be 1 to " + MAX_KEY_LENGTH +
                " characters, was " + (key == null ? "null" : key.length() + " characters"));
        }
        for (int i = 0; i < key.length(); i++)
        {
            final char c = key.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' ||
                c == ':' || c == '-'))
            {
                throw new IpamException(ErrorCode.MALFORMED, "request key has character " +
                    AddressText.quote(String.valueOf(c)) + " at " + i +
                    " (allowed: A-Z a-z 0-9 . _ : -)");
            }
        }
    }

    /**
     * Check a lease: positive, whole milliseconds, at most 100 years.
     *
     * @param lease the lease.
     * @throws IpamException {@code MALFORMED} naming the problem.
     */
    public static void checkLease(final Duration lease)
    {
        if (lease == null || lease.isNegative() || lease.isZero() || lease.toMillis() < 1 ||
            lease.compareTo(Duration.ofDays(36_500)) > 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "lease must be 1 ms to 100 years, was " + lease);
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof AllocationOptions && Objects.equals(((AllocationOptions)o).requestKey, requestKey) &&
            Objects.equals(((AllocationOptions)o).lease, lease) && ((AllocationOptions)o).router == router;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(requestKey, lease, router);
    }

    @Override
    public String toString()
    {
        return "AllocationOptions{" + (requestKey == null ? "" : "requestKey=" + requestKey) +
            (lease == null ? "" : (requestKey == null ? "" : ", ") + "lease=" + lease) +
            (router ? (requestKey == null && lease == null ? "" : ", ") + "router" : "") + '}';
    }

    /**
     * Builds options; {@link #build()} validates them.
     */
    public static final class Builder
    {
        private String requestKey;
        private Duration lease;
        private boolean requestKeySet;
        private boolean leaseSet;
        private boolean router;

        private Builder()
        {
        }

        /**
         * @param key 1-128 characters of {@code [A-Za-z0-9._:-]}; null is {@code MALFORMED} at {@link #build()}.
         * @return this.
         */
        public Builder requestKey(final String key)
        {
            requestKey = key;
            requestKeySet = true;
            return this;
        }

        /**
         * @param ttl positive: the allocation expires after it unless renewed; null is {@code MALFORMED} at
         *            {@link #build()}.
         * @return this.
         */
        public Builder lease(final Duration ttl)
        {
            lease = ttl;
            leaseSet = true;
            return this;
        }

        /**
         * Mark the request as a router's (SPEC 2): a specific request may then take the IPv6 subnet-router anycast
         * address (never an IPv4 network or broadcast address), and the allocation keeps the mark.
         *
         * @return this.
         */
        public Builder router()
        {
            router = true;
            return this;
        }

        /**
         * @return the options.
         * @throws IpamException {@code MALFORMED} for a bad key or lease, null included (a key given as null is not
         *                       "no key": a caller that means none does not set one).
         */
        public AllocationOptions build()
        {
            if (requestKeySet)
            {
                checkKey(requestKey);
            }
            if (leaseSet)
            {
                checkLease(lease);
            }
            return requestKey == null && lease == null && !router ? NONE :
                new AllocationOptions(requestKey, lease, router);
        }
    }
}
