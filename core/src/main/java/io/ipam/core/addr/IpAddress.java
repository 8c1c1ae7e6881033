package io.ipam.core.addr;

/**
 * An IPv4 or IPv6 address as primitive values. IPv4: {@code lo} holds the unsigned 32-bit value and
 * {@code hi} is 0. IPv6: {@code hi} and {@code lo} are the high and low 64 bits. Immutable.
 */
public final class IpAddress implements Comparable<IpAddress>
{
    private final boolean v6;
    private final long hi;
    private final long lo;

    /**
     * @param v6 true for IPv6.
     * @param hi high 64 bits (0 for IPv4).
     * @param lo low 64 bits (IPv4: the unsigned 32-bit value).
     */
    public IpAddress(final boolean v6, final long hi, final long lo)
    {
        this.v6 = v6;
        this.hi = v6 ? hi : 0;
        this.lo = v6 ? lo : lo & 0xFFFF_FFFFL;
    }

    /**
     * @param value unsigned 32-bit value.
     * @return the IPv4 address.
     */
    public static IpAddress v4(final long value)
    {
        return new IpAddress(false, 0, value);
    }

    /**
     * @return true for IPv6.
     */
    public boolean isV6()
    {
        return v6;
    }

    /**
     * @return the high 64 bits (0 for IPv4).
     */
    public long hi()
    {
        return hi;
    }

    /**
     * @return the low 64 bits (IPv4: the unsigned 32-bit value).
     */
    public long lo()
    {
        return lo;
    }

    /**
     * @return 32 for IPv4, 128 for IPv6.
     */
    public int bits()
    {
        return v6 ? 128 : 32;
    }

    @Override
    public int compareTo(final IpAddress o)
    {
        if (v6 != o.v6)
        {
            return v6 ? 1 : -1;
        }
        final int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof IpAddress && ((IpAddress)o).v6 == v6 && ((IpAddress)o).hi == hi && ((IpAddress)o).lo == lo;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(hi) * 31 + Long.hashCode(lo) + (v6 ? 7 : 0);
    }

    /**
     * @return canonical text: dotted quad, or RFC 5952 for IPv6.
     */
    @Override
    public String toString()
    {
        return v6 ? AddressText.formatV6(hi, lo) : AddressText.formatV4(lo);
    }
}
