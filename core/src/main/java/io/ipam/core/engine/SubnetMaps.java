package io.ipam.core.engine;

import java.util.Arrays;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.addr.Cidr;

/**
 * A subnet summarised into a fixed number of cells for a map (issue 27), a query: a window of the subnet (an
 * aligned block, the whole subnet by default) is cut into {@code 2^cellBits} cells and each cell gets its counts of
 * held, cooling, leased and router addresses; a window of at most {@link SubnetMap#DETAIL_ADDRESSES} addresses also
 * lists each held or cooling address. The cost does not grow with the cells asked for beyond their number, and is
 * bounded by what the subnet holds, never by its size: word popcounts over the bitmap's chunks for subnets of up to
 * 2^32 addresses (a /8 full of 10 million allocations: 262,144 words), one pass over the set for a hashed one, one
 * pass over the subnet's cooling queue, one over the leases when the subnet has any. Nothing here runs on the
 * allocation path. The result is written into this room's reused {@link Sheet}; the writer encodes it at once.
 * Writer's thread only.
 */
public final class SubnetMaps
{
    private final SubnetRegistry subnets;
    private final Allocations allocations;
    private final Lifecycle lifecycle;
    private final SubnetAdmin admin;
    private final Sheet sheet = new Sheet();

    SubnetMaps(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle,
        final SubnetAdmin admin)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
        this.admin = admin;
    }

    /**
     * Map a window of a subnet, due leases expired and cooled addresses returned first (as {@link SubnetAdmin#info}).
     *
     * @param id       the subnet.
     * @param scope    a view's tenant, or null for the whole allocator.
     * @param window   the block to map (inside the subnet, its host bits ignored), or null for the whole subnet.
     * @param cellBits log2 of the cells wanted, 0 to {@link SubnetMap#MAX_CELL_BITS}; fewer when the window has
     *                 fewer addresses.
     * @return this room's sheet, filled (valid until the next call).
     * @throws IpamException {@code SUBNET_NOT_FOUND} (also another tenant's subnet through a view),
     *                       {@code CIDR_INVALID} for a window outside the subnet, {@code MALFORMED} for cellBits.
     */
    public Sheet map(final String id, final String scope, final Cidr window, final int cellBits)
    {
        if (cellBits < 0 || cellBits > SubnetMap.MAX_CELL_BITS)
        {
            throw new IpamException(ErrorCode.MALFORMED, "cell bits must be 0 to " + SubnetMap.MAX_CELL_BITS +
                ", was " + cellBits);
        }
        final SubnetInfo info = admin.info(id, scope);
        final Subnet s = subnets.require(id, scope);
        final Cidr w = window == null ? s.cidr : window.network();
        if (w.isV6() != s.v6 || w.prefixLength() < s.cidr.prefixLength() || !s.cidr.contains(w.address()))
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "window " + w + " is not inside subnet " + id + " (" +
                s.cidr + ")");
        }
        final int hostBits = w.address().bits() - w.prefixLength();
        final int cb = Math.min(cellBits, hostBits);
        final Sheet out = sheet.reset(info, w, lifecycle.now(), cb, hostBits - cb);
        if (s.wide)
        {
            return mapWide(s, w, hostBits, out);
        }
        // narrow subnets (every IPv4 one, IPv6 /64 and longer): one-word offsets, hostBits <= 64
        final long first = s.offsetOf(w.address().lo());
        final long last = hostBits == 64 ? -1L : first + (1L << hostBits) - 1;
        countHeld(s.allocated, first, last, out);
        if (s.cooling != null && s.cooling.size() > 0)
        {
            s.cooling.forEach((offset, freedAt) ->
            {
                if (inWindow(offset, first, last))
                {
                    final int c = out.cellOf(offset - first);
                    out.cooling[c]++;
                    out.held[c]--; // a cooling address keeps its bit in the set
                }
            });
        }
        if (s.leased > 0)
        {
            final Records records = allocations.records;
            lifecycle.forEachLease((r, expiresAt) ->
            {
                if (records.subnet(r) == s.handle)
                {
                    final long offset = s.offsetOf(records.address(r));
                    if (inWindow(offset, first, last))
                    {
                        out.leased[out.cellOf(offset - first)]++;
                    }
                }
            });
        }
        final Records records = allocations.records;
        records.forEachRouter(r ->
        {
            if (records.subnet(r) == s.handle)
            {
                final long offset = s.offsetOf(records.address(r));
                if (inWindow(offset, first, last))
                {
                    out.router[out.cellOf(offset - first)]++;
                }
            }
        });
        if (hostBits <= Integer.numberOfTrailingZeros(SubnetMap.DETAIL_ADDRESSES))
        {
            listEntries(s, first, 1 << hostBits, out);
        }
        return out;
    }

    /**
     * The map of a wide subnet (IPv6 /1 to /63): the same counts over 128-bit offsets (cells of up to 2^127
     * addresses), one pass over the wide set, the cooling queue, the leases and the router marks.
     */
    private Sheet mapWide(final Subnet s, final Cidr w, final int hostBits, final Sheet out)
    {
        final long firstHi = s.offsetHiOf(w.address().hi());
        final long firstLo = w.address().lo();
        final int addressBits = out.addressBits;
        countWide(s.wideSet, firstHi, firstLo, hostBits, addressBits, out.held);
        if (s.cooling != null && s.cooling.size() > 0)
        {
            s.cooling.forEach((long offsetHi, long offset, long freedAt) ->
            {
                final int c = wideCell(offsetHi, offset, firstHi, firstLo, hostBits, addressBits);
                if (c >= 0)
                {
                    out.cooling[c]++;
                    out.held[c]--; // a cooling address keeps its bit in the set
                }
            });
        }
        final Records records = allocations.records;
        if (s.leased > 0)
        {
            lifecycle.forEachLease((r, expiresAt) ->
            {
                if (records.subnet(r) == s.handle)
                {
                    final int c = wideCell(s.offsetHiOf(records.addressHi(r)), records.address(r), firstHi, firstLo,
                        hostBits, addressBits);
                    if (c >= 0)
                    {
                        out.leased[c]++;
                    }
                }
            });
        }
        records.forEachRouter(r ->
        {
            if (records.subnet(r) == s.handle)
            {
                final int c = wideCell(s.offsetHiOf(records.addressHi(r)), records.address(r), firstHi, firstLo,
                    hostBits, addressBits);
                if (c >= 0)
                {
                    out.router[c]++;
                }
            }
        });
        if (hostBits <= Integer.numberOfTrailingZeros(SubnetMap.DETAIL_ADDRESSES))
        {
            listWideEntries(s, firstHi, firstLo, 1 << hostBits, out);
        }
        return out;
    }

    /**
     * Each held or cooling address of a small window of a wide subnet (aligned, so its offsets share a high word).
     */
    private void listWideEntries(final Subnet s, final long firstHi, final long firstLo, final int size,
        final Sheet out)
    {
        final long[] freedAt = out.freedAt;
        Arrays.fill(freedAt, 0, size, Long.MIN_VALUE);
        if (s.cooling != null && s.cooling.size() > 0)
        {
            s.cooling.forEach((long offsetHi, long offset, long at) ->
            {
                final long i = offset - firstLo;
                if (offsetHi == firstHi && i >= 0 && i < size)
                {
                    freedAt[(int)i] = at;
                }
            });
        }
        final long addressHi = s.addressHiOf(firstHi);
        for (int i = 0; i < size; i++)
        {
            entry(s, s.wideIndex.get(firstHi, firstLo + i), addressHi, firstLo + i, freedAt[i], out);
        }
    }

    private static boolean inWindow(final long offset, final long first, final long last)
    {
        return Long.compareUnsigned(offset, first) >= 0 && Long.compareUnsigned(offset, last) <= 0;
    }

    /**
     * Set bits per cell: a bitmap's range counts (whole chunks from their counts, the rest by word popcounts), or
     * one pass over a hashed set.
     */
    private static void countHeld(final AddressSet set, final long first, final long last, final Sheet out)
    {
        if (set instanceof BitmapAddressSet)
        {
            // a bitmap covers at most 2^32 offsets, so a cell's size fits a shift
            final long size = 1L << out.addressBits;
            for (int c = 0; c < out.cells; c++)
            {
                final long from = first + c * size;
                out.held[c] = set.cardinality(from, from + size - 1);
            }
            return;
        }
        set.forEach(offset ->
        {
            if (inWindow(offset, first, last))
            {
                out.held[out.cellOf(offset - first)]++;
            }
        });
    }

    /**
     * Each held or cooling address of a small window, ascending: owner, time and lease end of a held one (from its
     * record), time freed and end of cooldown of a cooling one.
     */
    private void listEntries(final Subnet s, final long first, final int size, final Sheet out)
    {
        final long[] freedAt = out.freedAt;
        Arrays.fill(freedAt, 0, size, Long.MIN_VALUE);
        if (s.cooling != null && s.cooling.size() > 0)
        {
            s.cooling.forEach((offset, at) ->
            {
                final long i = offset - first;
                if (i >= 0 && i < size)
                {
                    freedAt[(int)i] = at;
                }
            });
        }
        for (int i = 0; i < size; i++)
        {
            final long offset = first + i;
            entry(s, s.recordByOffset.get(offset), s.hi, s.addressOf(offset), freedAt[i], out);
        }
    }

    /**
     * List one address: held (its record's owner, time, lease end and router mark) or cooling (freed at, end of
     * cooldown), or nothing.
     */
    private void entry(final Subnet s, final int r, final long addressHi, final long address, final long freedAt,
        final Sheet out)
    {
        if (r != Records.NONE)
        {
            final Records records = allocations.records;
            final OwnerTable owners = allocations.owners;
            final int o = records.owner(r);
            out.entry(addressHi, address, SubnetMap.State.HELD, owners.msb(o), owners.lsb(o), records.time(r),
                lifecycle.expiresAt(r), records.router(r));
        }
        else if (freedAt != Long.MIN_VALUE)
        {
            out.entry(addressHi, address, SubnetMap.State.COOLING, 0, 0, freedAt,
                saturatedAdd(freedAt, s.cooldownMs), false);
        }
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * Count 128-bit offsets of a wide set (IPv6 /1 to /63) into cells of {@code 2^addressBits} (up to 2^127)
     * addresses from a window's first offset: the arithmetic a map of a wide subnet needs (issue 22's subnets), kept
     * apart from the narrow path so that both are exercised alike.
     *
     * @param set         the wide set.
     * @param firstHi     the window's first offset, high word.
     * @param firstLo     its low word.
     * @param hostBits    the window's host bits (1 to 127).
     * @param addressBits log2 of each cell's addresses.
     * @param counts      per cell, added to.
     */
    static void countWide(final WideAddressSet set, final long firstHi, final long firstLo, final int hostBits,
        final int addressBits, final long[] counts)
    {
        set.forEach((hi, lo) ->
        {
            final int c = wideCell(hi, lo, firstHi, firstLo, hostBits, addressBits);
            if (c >= 0)
            {
                counts[c]++;
            }
        });
    }

    /**
     * @return the cell of a 128-bit offset in a window starting at (firstHi, firstLo) of 2^hostBits addresses cut
     *         into cells of 2^addressBits, or -1 outside the window.
     */
    static int wideCell(final long hi, final long lo, final long firstHi, final long firstLo, final int hostBits,
        final int addressBits)
    {
        if (Long.compareUnsigned(hi, firstHi) < 0 || (hi == firstHi && Long.compareUnsigned(lo, firstLo) < 0))
        {
            return -1; // below the window
        }
        final long dLo = lo - firstLo;
        final long dHi = hi - firstHi - (Long.compareUnsigned(lo, firstLo) < 0 ? 1 : 0);
        final boolean inside = hostBits >= 64 ? (hostBits == 128 || (dHi >>> (hostBits - 64)) == 0) :
            dHi == 0 && (dLo >>> hostBits) == 0;
        return inside ? cellOf(dHi, dLo, addressBits) : -1;
    }

    /**
     * @return the cell of a 128-bit offset within the window (dHi, dLo) for cells of 2^addressBits addresses.
     */
    static int cellOf(final long dHi, final long dLo, final int addressBits)
    {
        if (addressBits >= 128)
        {
            return 0;
        }
        if (addressBits >= 64)
        {
            return (int)(dHi >>> (addressBits - 64));
        }
        if (addressBits == 0)
        {
            return (int)dLo;
        }
        return (int)((dLo >>> addressBits) | (dHi << (64 - addressBits)));
    }

    /**
     * One map as the engine made it: the subnet, the window, the cells' counts and the listed addresses; reused by
     * the room, read by the writer at once. Arrays are valid up to {@link #cells()} and {@link #entries()}.
     */
    public static final class Sheet
    {
        private SubnetInfo subnet;
        private Cidr window;
        private long timeMs;
        private int cellBits;
        private int addressBits;
        private int cells;
        private long[] held = new long[1];
        private long[] cooling = new long[1];
        private long[] leased = new long[1];
        private long[] router = new long[1];
        private final long[] freedAt = new long[SubnetMap.DETAIL_ADDRESSES];
        private int entries;
        private long[] entryHi = new long[16];
        private long[] entryLo = new long[16];
        private SubnetMap.State[] entryState = new SubnetMap.State[16];
        private long[] entryOwnerMsb = new long[16];
        private long[] entryOwnerLsb = new long[16];
        private long[] entryTime = new long[16];
        private long[] entryUntil = new long[16];
        private boolean[] entryRouter = new boolean[16];

        Sheet reset(final SubnetInfo subnet, final Cidr window, final long timeMs, final int cellBits,
            final int addressBits)
        {
            this.subnet = subnet;
            this.window = window;
            this.timeMs = timeMs;
            this.cellBits = cellBits;
            this.addressBits = addressBits;
            this.cells = 1 << cellBits;
            if (held.length < cells)
            {
                held = new long[cells];
                cooling = new long[cells];
                leased = new long[cells];
                router = new long[cells];
            }
            Arrays.fill(held, 0, cells, 0);
            Arrays.fill(cooling, 0, cells, 0);
            Arrays.fill(leased, 0, cells, 0);
            Arrays.fill(router, 0, cells, 0);
            entries = 0;
            return this;
        }

        int cellOf(final long offsetInWindow)
        {
            return addressBits >= 64 ? 0 : (int)(offsetInWindow >>> addressBits);
        }

        void entry(final long hi, final long lo, final SubnetMap.State state, final long ownerMsb,
            final long ownerLsb, final long time, final long until, final boolean isRouter)
        {
            if (entries == entryHi.length)
            {
                final int n = entries * 2;
                entryHi = Arrays.copyOf(entryHi, n);
                entryLo = Arrays.copyOf(entryLo, n);
                entryState = Arrays.copyOf(entryState, n);
                entryOwnerMsb = Arrays.copyOf(entryOwnerMsb, n);
                entryOwnerLsb = Arrays.copyOf(entryOwnerLsb, n);
                entryTime = Arrays.copyOf(entryTime, n);
                entryUntil = Arrays.copyOf(entryUntil, n);
                entryRouter = Arrays.copyOf(entryRouter, n);
            }
            entryHi[entries] = hi;
            entryLo[entries] = lo;
            entryState[entries] = state;
            entryOwnerMsb[entries] = ownerMsb;
            entryOwnerLsb[entries] = ownerLsb;
            entryTime[entries] = time;
            entryUntil[entries] = until;
            entryRouter[entries] = isRouter;
            entries++;
        }

        /** @return the subnet, described after due leases expired. */
        public SubnetInfo subnet()
        {
            return subnet;
        }

        /** @return the window mapped (its network). */
        public Cidr window()
        {
            return window;
        }

        /** @return the engine's clock when the map was made. */
        public long timeMs()
        {
            return timeMs;
        }

        /** @return log2 of the cells. */
        public int cellBits()
        {
            return cellBits;
        }

        /** @return log2 of the addresses per cell. */
        public int addressBits()
        {
            return addressBits;
        }

        /** @return the number of cells. */
        public int cells()
        {
            return cells;
        }

        /** @param c a cell. @return its held addresses. */
        public long held(final int c)
        {
            return held[c];
        }

        /** @param c a cell. @return its cooling addresses. */
        public long cooling(final int c)
        {
            return cooling[c];
        }

        /** @param c a cell. @return its leased addresses. */
        public long leased(final int c)
        {
            return leased[c];
        }

        /** @param c a cell. @return its router addresses (allocations made by a router's request, SPEC 2). */
        public long router(final int c)
        {
            return router[c];
        }

        /** @return the number of listed addresses. */
        public int entries()
        {
            return entries;
        }

        /** @param i an entry. @return its address, high word. */
        public long entryHi(final int i)
        {
            return entryHi[i];
        }

        /** @param i an entry. @return its address, low word. */
        public long entryLo(final int i)
        {
            return entryLo[i];
        }

        /** @param i an entry. @return held or cooling. */
        public SubnetMap.State entryState(final int i)
        {
            return entryState[i];
        }

        /** @param i an entry. @return its owner's high bits (0 when cooling). */
        public long entryOwnerMsb(final int i)
        {
            return entryOwnerMsb[i];
        }

        /** @param i an entry. @return its owner's low bits (0 when cooling). */
        public long entryOwnerLsb(final int i)
        {
            return entryOwnerLsb[i];
        }

        /** @param i an entry. @return when it was allocated (held) or freed (cooling), epoch ms. */
        public long entryTime(final int i)
        {
            return entryTime[i];
        }

        /** @param i an entry. @return its lease end (held) or cooldown end (cooling), epoch ms; 0 for none. */
        public long entryUntil(final int i)
        {
            return entryUntil[i];
        }

        /** @param i an entry. @return true if a router's request made it. */
        public boolean entryRouter(final int i)
        {
            return entryRouter[i];
        }
    }
}
