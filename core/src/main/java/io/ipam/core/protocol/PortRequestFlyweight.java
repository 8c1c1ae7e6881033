package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#ALLOCATE_PORT}: owner high and low (long, long), item count (int), then per item:
 * kind (byte: {@link #ANY}, {@link #NEXT}, {@link #SPECIFIC}, {@link #EUI64}, {@link #GROUP}), handle count (int)
 * and the handles (int each: one, or the group in order), then for {@link #SPECIFIC} an address, for
 * {@link #EUI64} a long MAC.
 * <p>
 * Reading: {@link #wrap} reads the owner and the count; {@link #items} reads every item once, checks its
 * structure (a handle at least, a known kind, a specific address present) and hands it to a sink.
 */
public final class PortRequestFlyweight extends BodyFlyweight
{
    /** Item kind: any address, by the subnet's strategy. */
    public static final int ANY = 0;
    /** Item kind: the lowest free address. */
    public static final int NEXT = 1;
    /** Item kind: a given address, which follows. */
    public static final int SPECIFIC = 2;
    /** Item kind: the EUI-64 address of a MAC, which follows. */
    public static final int EUI64 = 3;
    /** Item kind: any address of the first subnet of a group that is not exhausted. */
    public static final int GROUP = 4;

    /**
     * Receives the items of a port request in order.
     */
    @FunctionalInterface
    public interface ItemSink
    {
        /**
         * @param index       the item's index.
         * @param kind        its kind.
         * @param handles     its subnet handles (only the first {@code handleCount} are its; reused).
         * @param handleCount 1 or more.
         * @param v6          a {@link #SPECIFIC} address is IPv6.
         * @param hi          a {@link #SPECIFIC} address's high bits.
         * @param lo          a {@link #SPECIFIC} address's low bits (value), or an {@link #EUI64} item's MAC.
         */
        void onItem(int index, int kind, int[] handles, int handleCount, boolean v6, long hi, long lo);
    }

    private long ownerMsb;
    private long ownerLsb;
    private int count;
    private int[] handles = new int[8];

    /**
     * Begin a port request; {@link #count} items follow, each written with one of the item methods.
     *
     * @param w        positioned at the body.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param count    items that follow.
     * @return the wire.
     */
    public static Wire encode(final Wire w, final long ownerMsb, final long ownerLsb, final int count)
    {
        return w.putLong(ownerMsb).putLong(ownerLsb).putInt(count);
    }

    /**
     * @param w      the wire.
     * @param kind   {@link #ANY} or {@link #NEXT}.
     * @param handle the subnet.
     * @return the wire.
     */
    public static Wire item(final Wire w, final int kind, final int handle)
    {
        return w.putByte(kind).putInt(1).putInt(handle);
    }

    /**
     * @param w       the wire.
     * @param handle  the subnet.
     * @param address the address.
     * @return the wire.
     */
    public static Wire specific(final Wire w, final int handle, final IpAddress address)
    {
        return item(w, SPECIFIC, handle).putAddress(address);
    }

    /**
     * @param w      the wire.
     * @param handle the subnet.
     * @param mac    the 48-bit MAC.
     * @return the wire.
     */
    public static Wire eui64(final Wire w, final int handle, final long mac)
    {
        return item(w, EUI64, handle).putLong(mac);
    }

    /**
     * @param w       the wire.
     * @param handles the group's subnets, in order.
     * @param n       how many.
     * @return the wire.
     */
    public static Wire group(final Wire w, final int[] handles, final int n)
    {
        w.putByte(GROUP).putInt(n);
        for (int i = 0; i < n; i++)
        {
            w.putInt(handles[i]);
        }
        return w;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, owner and count read; the items are read by {@link #items}.
     */
    public PortRequestFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        ownerMsb = w.getLong();
        ownerLsb = w.getLong();
        count = w.getCount(6);
        return this;
    }

    /**
     * @return owner high bits.
     */
    public long ownerMsb()
    {
        return ownerMsb;
    }

    /**
     * @return owner low bits.
     */
    public long ownerLsb()
    {
        return ownerLsb;
    }

    /**
     * @return the number of items.
     */
    public int count()
    {
        return count;
    }

    /**
     * Read every item, once, in order.
     *
     * @param sink receives each.
     * @throws IpamException {@code MALFORMED} for an item without a handle or a specific address, or of a kind not
     *                       known, naming the item.
     */
    public void items(final ItemSink sink)
    {
        for (int i = 0; i < count; i++)
        {
            final int kind = in.getByte();
            final int n = in.getCount(4);
            if (n < 1)
            {
                throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " names no subnet");
            }
            if (handles.length < n)
            {
                handles = new int[Math.max(n, handles.length * 2)];
            }
            for (int h = 0; h < n; h++)
            {
                handles[h] = in.getInt();
            }
            switch (kind)
            {
                case ANY:
                case NEXT:
                case GROUP:
                    sink.onItem(i, kind, handles, n, false, 0, 0);
                    break;
                case SPECIFIC:
                {
                    final IpAddress a = in.getAddress();
                    if (a == null)
                    {
                        throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " has no address");
                    }
                    sink.onItem(i, kind, handles, n, a.isV6(), a.hi(), a.lo());
                    break;
                }
                case EUI64:
                    sink.onItem(i, kind, handles, n, false, 0, in.getLong());
                    break;
                default:
                    throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " has unknown kind " + kind);
            }
        }
    }
}
