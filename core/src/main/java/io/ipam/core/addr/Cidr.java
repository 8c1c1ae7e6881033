package io.ipam.core.addr;

/**
 * An address with a prefix length, as parsed; host bits may still be set ({@link #hostBitsSet()}).
 * Immutable.
 */
public final class Cidr implements Comparable<Cidr>
{
    private final IpAddress address;
    private final int prefixLength;

    /**
     * @param address      the address part.
     * @param prefixLength 0 .. address bits.
     */
    public Cidr(final IpAddress address, final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > address.bits())
        {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        this.address = address;
        this.prefixLength = prefixLength;
    }

    /**
     * @return the address part as given.
     */
    public IpAddress address()
    {
        return address;
    }

    /**
     * @return the prefix length.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * @return true for IPv6.
     */
    public boolean isV6()
    {
        return address.isV6();
    }

    /**
     * @return the mask of the high 64 bits (IPv6) for this prefix length.
     */
    public long hiMask()
    {
        return hiMask(address.isV6(), prefixLength);
    }

    /**
     * @return the mask of the low 64 bits for this prefix length.
     */
    public long loMask()
    {
        return loMask(address.isV6(), prefixLength);
    }

    /**
     * @param v6     family.
     * @param prefix prefix length.
     * @return mask of the high 64 bits.
     */
    public static long hiMask(final boolean v6, final int prefix)
    {
        if (!v6)
        {
            return 0;
        }
        return prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    /**
     * @param v6     family.
     * @param prefix prefix length.
     * @return mask of the low 64 bits (IPv4: within the low 32 bits).
     */
    public static long loMask(final boolean v6, final int prefix)
    {
        if (!v6)
        {
            return prefix == 0 ? 0 : (-1L << (32 - prefix)) & 0xFFFF_FFFFL;
        }
        return prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    /**
     * @return true if bits below the prefix are set in the address.
     */
    public boolean hostBitsSet()
    {
        return (address.hi() & ~hiMask()) != 0 || (address.lo() & ~loMask() & (isV6() ? -1L : 0xFFFF_FFFFL)) != 0;
    }

    /**
     * @return this prefix with host bits cleared.
     */
    public Cidr network()
    {
        return new Cidr(new IpAddress(isV6(), address.hi() & hiMask(), address.lo() & loMask()), prefixLength);
    }

    /**
     * @return the last address of the block.
     */
    public IpAddress last()
    {
        final long lo = address.lo() | ~loMask();
        return new IpAddress(isV6(), address.hi() | ~hiMask(), isV6() ? lo : lo & 0xFFFF_FFFFL);
    }

    /**
     * @param a an address.
     * @return true if the address lies in this block (same family).
     */
    public boolean contains(final IpAddress a)
    {
        return contains(a.isV6(), a.hi(), a.lo());
    }

    /**
     * {@link #contains(IpAddress)} of an address given as its family and 64-bit halves (no object made).
     *
     * @param v6 true for IPv6.
     * @param hi the high 64 bits (0 for IPv4).
     * @param lo the low 64 bits.
     * @return true if the address lies in this block (same family).
     */
    public boolean contains(final boolean v6, final long hi, final long lo)
    {
        return v6 == isV6() &&
            (hi & hiMask()) == (address.hi() & hiMask()) && (lo & loMask()) == (address.lo() & loMask());
    }

    /**
     * @param o another block.
     * @return true if the two blocks share an address.
     */
    public boolean overlaps(final Cidr o)
    {
        if (o.isV6() != isV6())
        {
            return false;
        }
        return prefixLength <= o.prefixLength ? contains(o.address) : o.contains(address);
    }

    @Override
    public int compareTo(final Cidr o)
    {
        final int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Cidr && ((Cidr)o).address.equals(address) && ((Cidr)o).prefixLength == prefixLength;
    }

    @Override
    public int hashCode()
    {
        return address.hashCode() * 131 + prefixLength;
    }

    /**
     * @return canonical text, {@code address/length}.
     */
    @Override
    public String toString()
    {
        return address + "/" + prefixLength;
    }
}
