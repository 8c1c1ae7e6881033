package io.ipam.ui.map;

import java.math.BigInteger;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.ipam.core.IpRange;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * A subnet's Hilbert map that explains itself, as a {@link Scene}: a title (subnet, CIDR, tenant, time), the cells
 * coloured by what they hold (held, leased, router, cooling; free addresses in a pool apart from those outside every
 * pool), the gateway marked, a legend with the counts, and the scale (addresses per cell, and a square drawn to
 * scale with the block it covers). The same scene is the web page's map and {@code ipam map}'s SVG and PNG. Cells
 * holding several addresses are shaded by how full they are. Stateless.
 */
public final class MapScene
{
    /** Held by an owner. */
    public static final int HELD = 0x1F5FBF;
    /** Held with a lease. */
    public static final int LEASED = 0x7B3FB5;
    /** Held by a router's request. */
    public static final int ROUTER = 0x0F8B8D;
    /** Released, cooling down. */
    public static final int COOLING = 0xE08A1E;
    /** Free, in a pool. */
    public static final int POOL = 0xCDEBC4;
    /** Free, outside every pool (reserved: network, broadcast, addresses for fixed use). */
    public static final int OUTSIDE = 0xECECEC;
    /** The gateway's marker. */
    public static final int GATEWAY = 0xF2C200;

    private static final int INK = 0x222222;
    private static final int MUTED = 0x666666;
    private static final int BORDER = 0x999999;
    private static final int MARGIN = 16;
    private static final int TOP = 72;
    private static final int LEGEND_WIDTH = 270;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
        Locale.ROOT).withZone(ZoneOffset.UTC);

    private MapScene()
    {
    }

    /**
     * The geometry of a map's grid, shared by the scene and the page (which finds the cell under the pointer).
     *
     * @param side    the Hilbert square's side in cells.
     * @param columns columns drawn (side, or side / 2 for an odd number of cell bits).
     * @param rows    rows drawn.
     * @param px      pixels per cell.
     * @param x0      the grid's left edge.
     * @param y0      its top edge.
     */
    public record Grid(int side, int columns, int rows, int px, int x0, int y0)
    {
        /**
         * @param cellBits log2 of the cells.
         * @param size     the map's largest side in pixels.
         * @return the grid.
         */
        public static Grid of(final int cellBits, final int size)
        {
            final int side = 1 << ((cellBits + 1) / 2);
            final int px = Math.max(1, size / side);
            return new Grid(side, (cellBits & 1) == 1 ? side / 2 : side, side, px, MARGIN, TOP);
        }
    }

    /**
     * @param map  the map's data.
     * @param size the grid's largest side in pixels (512 for the page).
     * @return the scene.
     */
    public static Scene of(final SubnetMap map, final int size)
    {
        final SubnetInfo s = map.subnet();
        final Grid g = Grid.of(map.cellBits(), size);
        final int mapW = g.columns() * g.px();
        final int mapH = g.rows() * g.px();
        final int legendX = g.x0() + mapW + 24;
        final int width = legendX + LEGEND_WIDTH;
        final boolean whole = map.window().equals(s.cidr());
        final String title = s.id() + "  " + s.cidr() + (whole ? "" : "  (block " + map.window() + ")");
        final Scene scene = new Scene(width, Math.max(TOP + mapH + 44, TOP + 430), title + " at " +
            TIME.format(map.time()));
        scene.rect(0, 0, scene.width(), scene.height(), 0xFFFFFF);
        scene.text(MARGIN, 30, 18, true, Scene.Anchor.START, INK, title);
        scene.text(MARGIN, 52, 12, false, Scene.Anchor.START, MUTED, "tenant " + s.tenant().orElse("(default)") +
            "  \u00b7  " + TIME.format(map.time()) + "  \u00b7  " + s.allocated() + " allocated, " + s.free() +
            " free in pools");

        final Cidr window = AddressText.parseCidr(map.window(), "window");
        final BigInteger first = value(window.address());
        final BigInteger cellSize = BigInteger.ONE.shiftLeft(map.addressBits());
        final boolean[] inPool = poolCells(s.pools(), first, cellSize, map.cells());
        final double full = Math.pow(2, map.addressBits());
        // cells, merged into runs of one colour along each row
        final int[] colour = new int[g.columns() * g.rows()];
        for (int d = 0; d < map.cells(); d++)
        {
            final int[] xy = Hilbert.d2xy(g.side(), d);
            colour[xy[1] * g.columns() + xy[0]] = cellColour(map, d, inPool[d], full);
        }
        for (int y = 0; y < g.rows(); y++)
        {
            int x = 0;
            while (x < g.columns())
            {
                final int c = colour[y * g.columns() + x];
                int end = x + 1;
                while (end < g.columns() && colour[y * g.columns() + end] == c)
                {
                    end++;
                }
                scene.rect(g.x0() + x * g.px(), g.y0() + y * g.px(), (end - x) * g.px(), g.px(), c);
                x = end;
            }
        }
        scene.rect(g.x0() - 0.5, g.y0() - 0.5, mapW + 1, mapH + 1, -1, BORDER, 1);
        gateway(scene, g, s, first, map);

        final IpAddress last = lastOf(window);
        scene.text(g.x0(), g.y0() + mapH + 18, 11, false, Scene.Anchor.START, MUTED, "curve from " +
            window.address() + " (top left) to " + last + (g.columns() == g.side() ? " (top right)" : ""));
        legend(scene, legendX, map, s, size);
        return scene;
    }

    private static int cellColour(final SubnetMap m, final int d, final boolean inPool, final double full)
    {
        final long held = m.held(d);
        if (held > 0)
        {
            final int base = m.router(d) * 2 >= held ? ROUTER : m.leased(d) * 2 >= held ? LEASED : HELD;
            return shade(base, (held + m.cooling(d)) / full);
        }
        if (m.cooling(d) > 0)
        {
            return shade(COOLING, m.cooling(d) / full);
        }
        return inPool ? POOL : OUTSIDE;
    }

    /**
     * @return the colour between a pale version of {@code base} (a cell with one address of millions) and
     * {@code base} itself (a full cell); any use shows.
     */
    static int shade(final int base, final double fraction)
    {
        final double t = Math.min(1, 0.4 + 0.6 * Math.sqrt(Math.min(1, fraction)));
        final int r = (int)Math.round(255 + ((base >> 16 & 0xFF) - 255) * t);
        final int gr = (int)Math.round(255 + ((base >> 8 & 0xFF) - 255) * t);
        final int b = (int)Math.round(255 + ((base & 0xFF) - 255) * t);
        return r << 16 | gr << 8 | b;
    }

    private static void gateway(final Scene scene, final Grid g, final SubnetInfo s, final BigInteger first,
        final SubnetMap map)
    {
        if (s.gateway().isEmpty())
        {
            return;
        }
        final BigInteger offset = value(AddressText.parseAddress(s.gateway().get(), "gateway")).subtract(first);
        if (offset.signum() < 0 || offset.bitLength() > map.cellBits() + map.addressBits())
        {
            return; // outside this block
        }
        final int[] xy = Hilbert.d2xy(g.side(), offset.shiftRight(map.addressBits()).intValueExact());
        final double r = Math.max(3.5, g.px() * 0.42);
        scene.circle(g.x0() + (xy[0] + 0.5) * g.px(), g.y0() + (xy[1] + 0.5) * g.px(), r, GATEWAY, INK,
            Math.max(1, r / 4));
    }

    private static void legend(final Scene scene, final int x, final SubnetMap m, final SubnetInfo s, final int size)
    {
        long held = 0;
        long leased = 0;
        long router = 0;
        long cooling = 0;
        for (int c = 0; c < m.cells(); c++)
        {
            held += m.held(c);
            leased += m.leased(c);
            router += m.router(c);
            cooling += m.cooling(c);
        }
        double y = TOP + 4;
        scene.text(x, y + 8, 13, true, Scene.Anchor.START, INK, "Legend");
        y += 22;
        y = swatch(scene, x, y, HELD, "held", held);
        y = swatch(scene, x, y, LEASED, "held with a lease", leased);
        y = swatch(scene, x, y, ROUTER, "held by a router", router);
        y = swatch(scene, x, y, COOLING, "cooling down", cooling);
        y = swatch(scene, x, y, POOL, "free, in a pool", -1);
        y = swatch(scene, x, y, OUTSIDE, "outside every pool", -1);
        scene.circle(x + 7, y + 7, 6, GATEWAY, INK, 1.5);
        scene.text(x + 22, y + 11, 12, false, Scene.Anchor.START, INK, "gateway " + s.gateway().orElse("(none)"));
        y += 24;
        scene.text(x, y + 8, 11, false, Scene.Anchor.START, MUTED, "paler: fewer of the cell's addresses used");
        y += 26;

        scene.text(x, y + 8, 13, true, Scene.Anchor.START, INK, "Scale");
        y += 24;
        final int hostBits = m.cellBits() + m.addressBits();
        final int bits = AddressText.parseCidr(m.window(), "window").address().bits();
        scene.text(x, y + 8, 12, false, Scene.Anchor.START, INK, "1 cell = " + block(m.addressBits(), bits));
        y += 18;
        final Grid g = Grid.of(m.cellBits(), size);
        scene.text(x, y + 8, 12, false, Scene.Anchor.START, INK, g.columns() + " x " + g.rows() + " cells = " +
            block(hostBits, bits));
        y += 18;
        // a square to scale: the largest k x k block of cells (k a power of two) that fits 48 pixels
        final int mapPx = g.px();
        int k = 1;
        while (k * 2 * mapPx <= 48 && 2 * Integer.numberOfTrailingZeros(k * 2) <= m.cellBits())
        {
            k *= 2;
        }
        if (k >= 2)
        {
            final int sq = k * mapPx;
            scene.rect(x + 0.5, y + 2.5, sq, sq, -1, INK, 1);
            scene.text(x + sq + 8, y + sq / 2.0 + 6, 12, false, Scene.Anchor.START, INK, k + " x " + k +
                " cells = " + block(m.addressBits() + 2 * Integer.numberOfTrailingZeros(k), bits));
            y += sq + 10;
        }
        y += 12;
        scene.text(x, y + 8, 13, true, Scene.Anchor.START, INK, "Pools");
        y += 22;
        final List<IpRange> pools = s.pools();
        if (pools.isEmpty())
        {
            scene.text(x, y + 8, 12, false, Scene.Anchor.START, MUTED, "none");
        }
        for (int i = 0; i < pools.size() && i < 6; i++)
        {
            final String line = i == 5 && pools.size() > 6 ? "and " + (pools.size() - 5) + " more" :
                pools.get(i).first() + " - " + pools.get(i).last();
            scene.text(x, y + 8, 11, false, Scene.Anchor.START, INK, line);
            y += 16;
        }
    }

    private static double swatch(final Scene scene, final int x, final double y, final int colour, final String label,
        final long count)
    {
        scene.rect(x, y, 14, 14, colour, BORDER, 0.5);
        scene.text(x + 22, y + 11, 12, false, Scene.Anchor.START, INK, label + (count >= 0 ? ": " + count : ""));
        return y + 20;
    }

    /**
     * @return "1 address", "256 addresses (/24)" or "2^80 addresses (/48)".
     */
    static String block(final int addressBits, final int familyBits)
    {
        if (addressBits == 0)
        {
            return "1 address";
        }
        final String n = addressBits < 40 ? String.format(Locale.ROOT, "%,d", 1L << addressBits) : "2^" + addressBits;
        return n + " addresses (a /" + (familyBits - addressBits) + ")";
    }

    /**
     * Which cells touch a pool: a sweep over the pools in address order (cells are in address order too).
     */
    static boolean[] poolCells(final List<IpRange> pools, final BigInteger first, final BigInteger cellSize,
        final int cells)
    {
        final boolean[] out = new boolean[cells];
        final List<BigInteger[]> ranges = new ArrayList<>(pools.size());
        for (final IpRange r : pools)
        {
            ranges.add(new BigInteger[] {value(AddressText.parseAddress(r.first(), "pool")),
                value(AddressText.parseAddress(r.last(), "pool"))});
        }
        ranges.sort((a, b) -> a[0].compareTo(b[0]));
        int p = 0;
        for (int c = 0; c < cells && p < ranges.size(); c++)
        {
            final BigInteger lo = first.add(cellSize.multiply(BigInteger.valueOf(c)));
            final BigInteger hi = lo.add(cellSize).subtract(BigInteger.ONE);
            while (p < ranges.size() && ranges.get(p)[1].compareTo(lo) < 0)
            {
                p++;
            }
            out[c] = p < ranges.size() && ranges.get(p)[0].compareTo(hi) <= 0;
        }
        return out;
    }

    static BigInteger value(final IpAddress a)
    {
        BigInteger v = BigInteger.valueOf(a.hi() >>> 1).shiftLeft(1).or(BigInteger.valueOf(a.hi() & 1));
        v = v.shiftLeft(64).or(BigInteger.valueOf(a.lo() >>> 1).shiftLeft(1).or(BigInteger.valueOf(a.lo() & 1)));
        return v;
    }

    private static IpAddress lastOf(final Cidr c)
    {
        return c.last();
    }
}
