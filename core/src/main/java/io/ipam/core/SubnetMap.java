package io.ipam.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A subnet's addresses summarised into a fixed number of cells, for a map (issue 27): a window of the subnet (the
 * subnet itself, or an aligned block inside it) is cut into {@code 2^cellBits} cells of {@code 2^addressBits}
 * consecutive addresses each, and each cell carries its counts of held, cooling, leased and router addresses. Its
 * size depends on the number of cells asked for, never on the number of allocations. When the window holds at most
 * {@link #DETAIL_ADDRESSES} addresses, every held or cooling address in it is listed too, with its owner, time and
 * expiry ({@link #entries()}). Immutable.
 */
public final class SubnetMap
{
    /** Most cells a map has: {@code 2^MAX_CELL_BITS}. */
    public static final int MAX_CELL_BITS = 16;
    /** A window of at most this many addresses lists each held or cooling address ({@link #entries()}). */
    public static final int DETAIL_ADDRESSES = 4096;

    private final SubnetInfo subnet;
    private final String window;
    private final Instant time;
    private final int cellBits;
    private final int addressBits;
    private final long[] held;
    private final long[] cooling;
    private final long[] leased;
    private final long[] router;
    private final List<Entry> entries;

    /**
     * @param subnet      the subnet at the moment of the map.
     * @param window      the block mapped (CIDR), the subnet's own CIDR for the whole subnet.
     * @param time        the moment (the command's time).
     * @param cellBits    log2 of the number of cells.
     * @param addressBits log2 of the addresses per cell (cellBits + addressBits = the window's host bits).
     * @param held        per cell: addresses held by an owner ({@code 2^cellBits} entries; copied).
     * @param cooling     per cell: released addresses cooling down.
     * @param leased      per cell: held addresses with a lease.
     * @param router      per cell: held addresses a router's request made.
     * @param entries     the held and cooling addresses of a small window, ascending; empty for a larger one.
     */
    public SubnetMap(final SubnetInfo subnet, final String window, final Instant time, final int cellBits,
        final int addressBits, final long[] held, final long[] cooling, final long[] leased, final long[] router,
        final List<Entry> entries)
    {
        final int cells = 1 << cellBits;
        if (cellBits < 0 || cellBits > MAX_CELL_BITS || addressBits < 0 || addressBits > 128 ||
            held.length != cells || cooling.length != cells || leased.length != cells || router.length != cells)
        {
            throw new IllegalArgumentException("cells do not match cellBits " + cellBits);
        }
        this.subnet = Objects.requireNonNull(subnet);
        this.window = Objects.requireNonNull(window);
        this.time = Objects.requireNonNull(time);
        this.cellBits = cellBits;
        this.addressBits = addressBits;
        this.held = held.clone();
        this.cooling = cooling.clone();
        this.leased = leased.clone();
        this.router = router.clone();
        this.entries = List.copyOf(entries);
    }

    /** @return the subnet as it was when the map was made. */
    public SubnetInfo subnet()
    {
        return subnet;
    }

    /** @return the block mapped, as a CIDR. */
    public String window()
    {
        return window;
    }

    /** @return the moment of the map. */
    public Instant time()
    {
        return time;
    }

    /** @return log2 of the number of cells. */
    public int cellBits()
    {
        return cellBits;
    }

    /** @return the number of cells, {@code 2^cellBits}. */
    public int cells()
    {
        return held.length;
    }

    /** @return log2 of the addresses each cell covers. */
    public int addressBits()
    {
        return addressBits;
    }

    /**
     * @param cell a cell, 0 for the window's first addresses.
     * @return addresses in it held by an owner.
     */
    public long held(final int cell)
    {
        return held[cell];
    }

    /**
     * @param cell a cell.
     * @return released addresses in it cooling down (neither held nor free).
     */
    public long cooling(final int cell)
    {
        return cooling[cell];
    }

    /**
     * @param cell a cell.
     * @return held addresses in it with a lease.
     */
    public long leased(final int cell)
    {
        return leased[cell];
    }

    /**
     * @param cell a cell.
     * @return held addresses in it that a router's request made.
     */
    public long router(final int cell)
    {
        return router[cell];
    }

    /** @return the held and cooling addresses of a window of at most {@link #DETAIL_ADDRESSES}, ascending. */
    public List<Entry> entries()
    {
        return entries;
    }

    @Override
    public String toString()
    {
        return "SubnetMap{" + subnet.id() + " " + window + ", " + cells() + " cells of 2^" + addressBits + "}";
    }

    /** What an address listed in a map is. */
    public enum State
    {
        /** Held by an owner. */
        HELD,
        /** Released, expired or reclaimed, cooling down until {@link Entry#until()}. */
        COOLING
    }

    /** One held or cooling address of a small window. Immutable. */
    public static final class Entry
    {
        private final String address;
        private final State state;
        private final UUID owner;
        private final Instant time;
        private final Instant until;
        private final boolean router;

        /**
         * @param address the address, canonical text.
         * @param state   held or cooling.
         * @param owner   its owner (held), or null (cooling).
         * @param time    when it was allocated (held) or freed (cooling).
         * @param until   its lease end (held with a lease) or the end of its cooldown (cooling), or null.
         * @param router  true if a router's request made it.
         */
        public Entry(final String address, final State state, final UUID owner, final Instant time,
            final Instant until, final boolean router)
        {
            this.address = Objects.requireNonNull(address);
            this.state = Objects.requireNonNull(state);
            this.owner = owner;
            this.time = Objects.requireNonNull(time);
            this.until = until;
            this.router = router;
        }

        /** @return the address. */
        public String address()
        {
            return address;
        }

        /** @return held or cooling. */
        public State state()
        {
            return state;
        }

        /** @return the owner of a held address. */
        public Optional<UUID> owner()
        {
            return Optional.ofNullable(owner);
        }

        /** @return when it was allocated (held) or freed (cooling). */
        public Instant time()
        {
            return time;
        }

        /** @return its lease end (held) or cooldown end (cooling), if any. */
        public Optional<Instant> until()
        {
            return Optional.ofNullable(until);
        }

        /** @return true if a router's request made it. */
        public boolean router()
        {
            return router;
        }

        @Override
        public String toString()
        {
            return address + " " + state + (owner != null ? " " + owner : "");
        }
    }
}
