package io.ipam.core.addr;

import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.function.Function;

import io.ipam.core.IpamException;

/**
 * The one byte codec of addresses and CIDRs, shared by the snapshot format, the durable store and the command
 * wire: an address is {@code u8 family (4 or 6)}, {@code i64 high 64 bits}, {@code i64 low 64 bits} (IPv4: high
 * 0 and the 32-bit value in low); a CIDR is an address then {@code u8 prefix length}. Where a format allows "no
 * address" it writes family 0 and two zero words. Byte order is the buffer's: the files are big-endian, the wire
 * little-endian; each format keeps its own record layout around these fields.
 * <p>
 * Decoding checks the family, the IPv4 range and the prefix length and reports a problem through the caller's
 * function, which makes the exception its format wants ({@code STORE_CORRUPT} naming a file, {@code MALFORMED}
 * for a message).
 */
public final class AddressCodec
{
    /** Bytes an address takes. */
    public static final int ADDRESS_BYTES = 17;
    /** Bytes a CIDR takes. */
    public static final int CIDR_BYTES = 18;

    private AddressCodec()
    {
    }

    /**
     * Where fields are written, in order.
     */
    public interface Sink
    {
        /**
         * @param v the low 8 bits are written.
         * @return this.
         */
        Sink putByte(int v);

        /**
         * @param v value.
         * @return this.
         */
        Sink putLong(long v);
    }

    /**
     * Where fields are read from, in order; reading past the end throws (an unchecked exception the caller's
     * format turns into its error).
     */
    public interface Source
    {
        /**
         * @return the next byte, unsigned.
         */
        int getByte();

        /**
         * @return the next long.
         */
        long getLong();
    }

    /**
     * @param a an address.
     * @return its family byte: 4 or 6.
     */
    public static int family(final IpAddress a)
    {
        return a.isV6() ? 6 : 4;
    }

    /**
     * @param out target.
     * @param a   an address.
     */
    public static void putAddress(final Sink out, final IpAddress a)
    {
        out.putByte(family(a)).putLong(a.hi()).putLong(a.lo());
    }

    /**
     * @param out target.
     * @param a   an address, or null (family 0 and two zero words).
     */
    public static void putAddressOrNone(final Sink out, final IpAddress a)
    {
        if (a == null)
        {
            out.putByte(0).putLong(0).putLong(0);
        }
        else
        {
            putAddress(out, a);
        }
    }

    /**
     * @param out target.
     * @param c   a CIDR.
     */
    public static void putCidr(final Sink out, final Cidr c)
    {
        putAddress(out, c.address());
        out.putByte(c.prefixLength());
    }

    /**
     * @param in  source.
     * @param bad makes the exception for a problem description.
     * @return the address.
     */
    public static IpAddress getAddress(final Source in, final Function<String, IpamException> bad)
    {
        return address(in, in.getByte(), bad);
    }

    /**
     * @param in  source.
     * @param bad makes the exception for a problem description.
     * @return the address, or null for family 0 (its two words are read and not looked at).
     */
    public static IpAddress getAddressOrNone(final Source in, final Function<String, IpamException> bad)
    {
        final int family = in.getByte();
        if (family == 0)
        {
            in.getLong();
            in.getLong();
            return null;
        }
        return address(in, family, bad);
    }

    /**
     * @param in  source.
     * @param bad makes the exception for a problem description.
     * @return the CIDR.
     */
    public static Cidr getCidr(final Source in, final Function<String, IpamException> bad)
    {
        final IpAddress a = getAddress(in, bad);
        final int len = in.getByte();
        if (len > a.bits())
        {
            throw bad.apply("prefix length " + len + " out of range");
        }
        return new Cidr(a, len);
    }

    private static IpAddress address(final Source in, final int family, final Function<String, IpamException> bad)
    {
        if (family != 4 && family != 6)
        {
            throw bad.apply("address family " + family + " is neither 4 nor 6");
        }
        final long hi = in.getLong();
        final long lo = in.getLong();
        if (family == 4 && (hi != 0 || (lo >>> 32) != 0))
        {
            throw bad.apply("IPv4 address out of range");
        }
        return new IpAddress(family == 6, hi, lo);
    }

    /**
     * @param b a buffer, read from its position in its byte order.
     * @return it as a source.
     */
    public static Source source(final ByteBuffer b)
    {
        return new Source()
        {
            @Override
            public int getByte()
            {
                return b.get() & 0xFF;
            }

            @Override
            public long getLong()
            {
                return b.getLong();
            }
        };
    }

    /**
     * @param b a buffer, written at its position in its byte order.
     * @return it as a sink.
     */
    public static Sink sink(final ByteBuffer b)
    {
        return new Sink()
        {
            @Override
            public Sink putByte(final int v)
            {
                b.put((byte)v);
                return this;
            }

            @Override
            public Sink putLong(final long v)
            {
                b.putLong(v);
                return this;
            }
        };
    }

    /**
     * @param d a stream (big-endian); a failure to write comes out as {@link UncheckedIOException}.
     * @return it as a sink.
     */
    public static Sink sink(final DataOutput d)
    {
        return new Sink()
        {
            @Override
            public Sink putByte(final int v)
            {
                try
                {
                    d.writeByte(v);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                return this;
            }

            @Override
            public Sink putLong(final long v)
            {
                try
                {
                    d.writeLong(v);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
                return this;
            }
        };
    }
}
