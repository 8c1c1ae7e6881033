package io.ipam.core;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A prefix pool as it is now. Immutable.
 */
public final class PrefixPoolInfo
{
    private final String id;
    private final List<String> prefixes;
    private final int minPrefixLength;
    private final int defaultPrefixLength;
    private final int maxPrefixLength;
    private final OptionalLong quota;
    private final long childCount;

    /**
     * @param id                  id.
     * @param prefixes            canonical prefixes, ascending.
     * @param minPrefixLength     min.
     * @param defaultPrefixLength default.
     * @param maxPrefixLength     max.
     * @param quota               per-tenant quota.
     * @param childCount          allocated children.
     */
    public PrefixPoolInfo(
        final String id,
        final List<String> prefixes,
        final int minPrefixLength,
        final int defaultPrefixLength,
        final int maxPrefixLength,
        final OptionalLong quota,
        final long childCount)
    {
        this.id = id;
        this.prefixes = List.copyOf(prefixes);
        this.minPrefixLength = minPrefixLength;
        this.defaultPrefixLength = defaultPrefixLength;
        this.maxPrefixLength = maxPrefixLength;
        this.quota = quota;
        this.childCount = childCount;
    }

    /**
     * @return the id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the pool's prefixes, canonical, ascending.
     */
    public List<String> prefixes()
    {
        return prefixes;
    }

    /**
     * @return the shortest child length.
     */
    public int minPrefixLength()
    {
        return minPrefixLength;
    }

    /**
     * @return the default child length.
     */
    public int defaultPrefixLength()
    {
        return defaultPrefixLength;
    }

    /**
     * @return the longest child length.
     */
    public int maxPrefixLength()
    {
        return maxPrefixLength;
    }

    /**
     * @return the per-tenant quota, if any.
     */
    public OptionalLong quota()
    {
        return quota;
    }

    /**
     * @return the number of allocated children.
     */
    public long childCount()
    {
        return childCount;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof PrefixPoolInfo))
        {
            return false;
        }
        final PrefixPoolInfo p = (PrefixPoolInfo)o;
        return p.id.equals(id) && p.prefixes.equals(prefixes) && p.minPrefixLength == minPrefixLength &&
            p.defaultPrefixLength == defaultPrefixLength && p.maxPrefixLength == maxPrefixLength &&
            p.quota.equals(quota) && p.childCount == childCount;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(id, prefixes, minPrefixLength, defaultPrefixLength, maxPrefixLength, quota, childCount);
    }

    @Override
    public String toString()
    {
        return "PrefixPoolInfo{id=" + id + ", prefixes=" + prefixes + ", min=" + minPrefixLength + ", default=" +
            defaultPrefixLength + ", max=" + maxPrefixLength + ", quota=" + quota + ", children=" + childCount + '}';
    }
}
