package io.ipam.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A cursor over a buffer for the variable bodies of commands and replies: fields are written and read in
 * sequence, each in a fixed encoding (little-endian):
 * <ul>
 *   <li>int: 4 bytes; long: 8 bytes; byte: 1 byte; a boolean is a byte 0 or 1.</li>
 *   <li>string: int length in bytes ({@code -1} for null), then UTF-8 bytes.</li>
 *   <li>address: byte family (4 or 6, 0 for none), long high bits, long low bits; CIDR: an address then a byte
 *       prefix length: both through {@link AddressCodec}, the one address codec of snapshots, stores and the
 *       wire.</li>
 * </ul>
 * Reading checks every length against the bytes that remain, so a damaged or hostile body is refused with
 * {@code MALFORMED}, never read past its end. One instance is reused by one thread; it allocates nothing
 * except the strings and objects it reads.
 */
public final class Wire implements AddressCodec.Source, AddressCodec.Sink
{
    private static final Function<String, IpamException> MALFORMED =
        what -> new IpamException(ErrorCode.MALFORMED, "encoded " + what);

    private MutableDirectBuffer mutable;
    private DirectBuffer buffer;
    private int position;
    private int limit;

    /**
     * Start writing at an offset of a buffer that grows as needed (an {@code ExpandableArrayBuffer}) or is
     * large enough.
     *
     * @param out    the buffer.
     * @param offset where to start.
     * @return this.
     */
    public Wire writeTo(final MutableDirectBuffer out, final int offset)
    {
        this.mutable = out;
        this.buffer = out;
        this.position = offset;
        this.limit = Integer.MAX_VALUE;
        return this;
    }

    /**
     * Start reading a region of a buffer.
     *
     * @param in     the buffer.
     * @param offset first byte.
     * @param length bytes that may be read.
     * @return this.
     */
    public Wire readFrom(final DirectBuffer in, final int offset, final int length)
    {
        this.mutable = null;
        this.buffer = in;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    /**
     * @return the cursor: after writing, the end of what was written.
     */
    public int position()
    {
        return position;
    }

    /**
     * @return bytes left to read.
     */
    public int remaining()
    {
        return limit - position;
    }

    private void need(final int n)
    {
        if (n < 0 || limit - position < n)
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded message is shorter than its fields say");
        }
    }

    // writing

    /**
     * @param v value.
     * @return this.
     */
    public Wire putInt(final int v)
    {
        mutable.putInt(position, v);
        position += 4;
        return this;
    }

    /**
     * @param v value.
     * @return this.
     */
    public Wire putLong(final long v)
    {
        mutable.putLong(position, v);
        position += 8;
        return this;
    }

    /**
     * @param v value.
     * @return this.
     */
    public Wire putByte(final int v)
    {
        mutable.putByte(position, (byte)v);
        position += 1;
        return this;
    }

    /**
     * @param v value.
     * @return this.
     */
    public Wire putBoolean(final boolean v)
    {
        return putByte(v ? 1 : 0);
    }

    /**
     * @param s a string or null.
     * @return this.
     */
    public Wire putString(final String s)
    {
        if (s == null)
        {
            return putInt(-1);
        }
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        putInt(bytes.length);
        mutable.putBytes(position, bytes);
        position += bytes.length;
        return this;
    }

    /**
     * @param a an address or null (written as family 0).
     * @return this.
     */
    public Wire putAddress(final IpAddress a)
    {
        AddressCodec.putAddressOrNone(this, a);
        return this;
    }

    /**
     * @param c a CIDR.
     * @return this.
     */
    public Wire putCidr(final Cidr c)
    {
        AddressCodec.putCidr(this, c);
        return this;
    }

    /**
     * Write an int at an absolute position already written past (a count known only at the end).
     *
     * @param at the position.
     * @param v  the value.
     * @return this.
     */
    public Wire putIntAt(final int at, final int v)
    {
        mutable.putInt(at, v);
        return this;
    }

    // reading

    /**
     * @return the next int.
     */
    public int getInt()
    {
        need(4);
        final int v = buffer.getInt(position);
        position += 4;
        return v;
    }

    /**
     * @return the next long.
     */
    public long getLong()
    {
        need(8);
        final long v = buffer.getLong(position);
        position += 8;
        return v;
    }

    /**
     * @return the next byte, unsigned.
     */
    public int getByte()
    {
        need(1);
        final int v = buffer.getByte(position) & 0xFF;
        position += 1;
        return v;
    }

    /**
     * @return the next boolean.
     */
    public boolean getBoolean()
    {
        return getByte() != 0;
    }

    /**
     * @return the next string, or null.
     */
    public String getString()
    {
        final int n = getInt();
        if (n == -1)
        {
            return null;
        }
        need(n);
        final byte[] bytes = new byte[n];
        buffer.getBytes(position, bytes);
        position += n;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return the next address, or null.
     */
    public IpAddress getAddress()
    {
        return AddressCodec.getAddressOrNone(this, MALFORMED);
    }

    /**
     * @return the next CIDR.
     */
    public Cidr getCidr()
    {
        return AddressCodec.getCidr(this, MALFORMED);
    }

    /**
     * A count read from the message, checked against the bytes that remain: each element takes at least
     * {@code minBytesEach} bytes, so a count larger than the message could hold is refused before anything is
     * allocated for it.
     *
     * @param minBytesEach the smallest encoding of one element.
     * @return the count.
     */
    public int getCount(final int minBytesEach)
    {
        final int n = getInt();
        if (n < 0 || (long)n * minBytesEach > remaining())
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded count " + n + " does not fit the message");
        }
        return n;
    }
}
