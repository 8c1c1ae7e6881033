package io.ipam.core.protocol;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * The answer of {@link MessageTypes#SUBNET_MAP} (kept apart from {@link ReplyCodec} for its size): the subnet (as
 * {@link ReplyCodec#putSubnet}), the window (cidr), long time (ms), byte cell bits, byte address bits, the non-empty
 * cells as a list of (int cell, long held, long cooling, long leased, long router), then the listed addresses as a
 * list of (address, byte state: 0 held, 1 cooling, long owner high, long owner low, long time, long until (0: none),
 * bool router). A cell or entry written twice, out of order or out of range is refused as {@code MALFORMED}.
 */
public final class SubnetMapCodec
{
    private static final int CELL_BYTES = 36;
    private static final int ENTRY_BYTES = 17 + 1 + 8 * 4 + 1;
    private static final SubnetMap.State[] STATES = SubnetMap.State.values();

    private SubnetMapCodec()
    {
    }

    /**
     * The fields before the cells.
     *
     * @param w           the wire, positioned.
     * @param subnet      the subnet.
     * @param window      the window.
     * @param timeMs      the map's time.
     * @param cellBits    log2 of the cells.
     * @param addressBits log2 of the addresses per cell.
     */
    public static void putHead(final Wire w, final SubnetInfo subnet, final Cidr window, final long timeMs,
        final int cellBits, final int addressBits)
    {
        ReplyCodec.putSubnet(w, subnet);
        w.putCidr(window).putLong(timeMs).putByte(cellBits).putByte(addressBits);
    }

    /**
     * One non-empty cell, in ascending cell order, between {@link ReplyCodec#beginList} and
     * {@link ReplyCodec#endList}.
     *
     * @param w       the wire.
     * @param cell    the cell.
     * @param held    held addresses.
     * @param cooling cooling addresses.
     * @param leased  leased addresses.
     * @param router  router addresses.
     */
    public static void putCell(final Wire w, final int cell, final long held, final long cooling, final long leased,
        final long router)
    {
        w.putInt(cell).putLong(held).putLong(cooling).putLong(leased).putLong(router);
    }

    /**
     * One listed address, ascending, in a second list.
     *
     * @param w        the wire.
     * @param address  the address.
     * @param state    held or cooling.
     * @param ownerMsb owner high bits (0 when cooling).
     * @param ownerLsb owner low bits.
     * @param timeMs   allocated or freed.
     * @param untilMs  lease or cooldown end, 0 for none.
     * @param router   a router's allocation.
     */
    public static void putEntry(final Wire w, final IpAddress address, final SubnetMap.State state,
        final long ownerMsb, final long ownerLsb, final long timeMs, final long untilMs, final boolean router)
    {
        w.putAddress(address).putByte(state.ordinal()).putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs)
            .putLong(untilMs).putBoolean(router);
    }

    /**
     * @param w the wire, positioned at the answer.
     * @return the map.
     */
    public static SubnetMap get(final Wire w)
    {
        final SubnetInfo subnet = ReplyCodec.getSubnet(w);
        final Cidr window = w.getCidr();
        final long timeMs = w.getLong();
        final int cellBits = w.getByte();
        final int addressBits = w.getByte();
        if (cellBits > SubnetMap.MAX_CELL_BITS || cellBits + addressBits != window.address().bits() -
            window.prefixLength())
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded map cells do not fit its window");
        }
        final int cells = 1 << cellBits;
        final long[] held = new long[cells];
        final long[] cooling = new long[cells];
        final long[] leased = new long[cells];
        final long[] router = new long[cells];
        final int n = w.getCount(CELL_BYTES);
        int previous = -1;
        for (int i = 0; i < n; i++)
        {
            final int c = w.getInt();
            if (c <= previous || c >= cells)
            {
                throw new IpamException(ErrorCode.MALFORMED, "encoded map cell " + c + " out of order or range");
            }
            previous = c;
            held[c] = w.getLong();
            cooling[c] = w.getLong();
            leased[c] = w.getLong();
            router[c] = w.getLong();
        }
        final int m = w.getCount(ENTRY_BYTES);
        final List<SubnetMap.Entry> entries = new ArrayList<>(m);
        IpAddress before = null;
        for (int i = 0; i < m; i++)
        {
            final IpAddress a = w.getAddress();
            final int state = w.getByte();
            if (a == null || state >= STATES.length || (before != null && a.compareTo(before) <= 0))
            {
                throw new IpamException(ErrorCode.MALFORMED, "encoded map entry is damaged or out of order");
            }
            before = a;
            final long msb = w.getLong();
            final long lsb = w.getLong();
            final long time = w.getLong();
            final long until = w.getLong();
            final boolean isRouter = w.getBoolean();
            final SubnetMap.State s = STATES[state];
            entries.add(new SubnetMap.Entry(a.toString(), s, s == SubnetMap.State.HELD ? new UUID(msb, lsb) : null,
                Instant.ofEpochMilli(time), until == 0 ? null : Instant.ofEpochMilli(until), isRouter));
        }
        return new SubnetMap(subnet, window.toString(), Instant.ofEpochMilli(timeMs), cellBits, addressBits, held,
            cooling, leased, router, entries);
    }
}
