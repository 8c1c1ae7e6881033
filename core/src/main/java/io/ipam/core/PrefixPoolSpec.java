package io.ipam.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;

/**
 * What a prefix pool (subnet pool) should be. Immutable; validated by {@link Ipam#createPrefixPool}.
 * Lengths left unset take the family's defaults: min 8 (IPv4) or 64 (IPv6), max 32 or 128, default = min.
 */
public final class PrefixPoolSpec
{
    /** Marks a length that was not set. */
    public static final int UNSET = -1;

    private final String id;
    private final List<String> prefixes;
    private final int minPrefixLength;
    private final int maxPrefixLength;
    private final int defaultPrefixLength;
    private final long quota;
    private final boolean quotaSet;

    private PrefixPoolSpec(final Builder b)
    {
        id = b.id;
        prefixes = b.prefixes;
        minPrefixLength = b.min;
        maxPrefixLength = b.max;
        defaultPrefixLength = b.def;
        quota = b.quota;
        quotaSet = b.quotaSet;
    }

    /**
     * @param id       pool id, same rules as subnet ids.
     * @param prefixes one or more CIDRs of one family (copied).
     * @return a builder.
     */
    public static Builder builder(final String id, final List<String> prefixes)
    {
        return new Builder(id, prefixes);
    }

    /**
     * @return the id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the prefixes as given, or null.
     */
    public List<String> prefixes()
    {
        return prefixes;
    }

    /**
     * @return the minimum length, or {@link #UNSET}.
     */
    public int minPrefixLength()
    {
        return minPrefixLength;
    }

    /**
     * @return the maximum length, or {@link #UNSET}.
     */
    public int maxPrefixLength()
    {
        return maxPrefixLength;
    }

    /**
     * @return the default length, or {@link #UNSET}.
     */
    public int defaultPrefixLength()
    {
        return defaultPrefixLength;
    }

    /**
     * @return the per-tenant quota (IPv4 addresses or IPv6 /64s) if set.
     */
    public OptionalLong quota()
    {
        return quotaSet ? OptionalLong.of(quota) : OptionalLong.empty();
    }

    /**
     * Collects the fields of a {@link PrefixPoolSpec}.
     */
    public static final class Builder
    {
        private final String id;
        private final List<String> prefixes;
        private int min = UNSET;
        private int max = UNSET;
        private int def = UNSET;
        private long quota;
        private boolean quotaSet;

        private Builder(final String id, final List<String> prefixes)
        {
            this.id = id;
            this.prefixes = prefixes == null ? null : Collections.unmodifiableList(new ArrayList<>(prefixes));
        }

        /**
         * @param l shortest child length allowed.
         * @return this.
         */
        public Builder minPrefixLength(final int l)
        {
            min = l;
            return this;
        }

        /**
         * @param l longest child length allowed.
         * @return this.
         */
        public Builder maxPrefixLength(final int l)
        {
            max = l;
            return this;
        }

        /**
         * @param l length used when a request names none.
         * @return this.
         */
        public Builder defaultPrefixLength(final int l)
        {
            def = l;
            return this;
        }

        /**
         * @param q per-tenant quota in IPv4 addresses or IPv6 /64s.
         * @return this.
         */
        public Builder quota(final long q)
        {
            quota = q;
            quotaSet = true;
            return this;
        }

        /**
         * @return the spec.
         */
        public PrefixPoolSpec build()
        {
            return new PrefixPoolSpec(this);
        }
    }
}
