package io.ipam.core;

import java.util.Objects;

import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;

/**
 * An inclusive range of addresses, used for allocation pools. Immutable; holds canonical text.
 */
public final class IpRange
{
    private final String first;
    private final String last;

    private IpRange(final String first, final String last)
    {
        this.first = first;
        this.last = last;
    }

    /**
     * A range from two addresses in any valid textual form; valid addresses are stored canonically.
     * Validation happens where the range is used ({@code createSubnet}, {@code updatePools}): text that does
     * not parse is {@code MALFORMED} there, a reversed or mixed-family range {@code POOL_INVALID}.
     *
     * @param first the first address, inclusive.
     * @param last  the last address, inclusive.
     * @return the range.
     */
    public static IpRange of(final String first, final String last)
    {
        return new IpRange(canonical(first), canonical(last));
    }

    private static String canonical(final String text)
    {
        final IpAddress a = AddressText.tryParseAddress(text);
        return a == null ? text : a.toString();
    }

    /**
     * @return the first address, canonical text.
     */
    public String first()
    {
        return first;
    }

    /**
     * @return the last address, canonical text.
     */
    public String last()
    {
        return last;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof IpRange && Objects.equals(((IpRange)o).first, first) &&
            Objects.equals(((IpRange)o).last, last);
    }

    @Override
    public int hashCode()
    {
        return Objects.hashCode(first) * 31 + Objects.hashCode(last);
    }

    @Override
    public String toString()
    {
        return first + "-" + last;
    }
}
