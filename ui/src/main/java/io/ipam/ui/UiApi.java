package io.ipam.ui;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ipam.core.Allocation;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.SubnetStats;
import io.ipam.core.access.Principal;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.ui.map.MapScene;
import io.ipam.ui.map.SvgRenderer;

/**
 * The page's calls, each answered as JSON through the caller's view: {@code me}, {@code subnets} (with their
 * counts), {@code map} (a subnet's or block's map: the drawing as SVG and the cells' counts for the pointer),
 * {@code pools} (prefix pools and the caller's children), {@code lookup} (an address or an owner). Lists are
 * capped ({@link #MAX_LIST}). Answers are kept per scope for a while ({@link TimedCache}). Thread-safe.
 */
final class UiApi
{
    /** Most items of one list in an answer (children of a pool, allocations of an owner). */
    static final int MAX_LIST = 500;
    /** Log2 of the cells of the page's map: 64 x 64. */
    static final int PAGE_CELL_BITS = 12;
    /** The map's largest side in pixels. */
    static final int PAGE_MAP_SIZE = 512;

    private static final JsonFactory JSON = new JsonFactory();

    private final Access access;
    private final TimedCache<byte[]> cache = new TimedCache<>(128, 200);
    private final Map<String, FeedHub> hubs = new HashMap<>();

    UiApi(final Access access)
    {
        this.access = access;
    }

    /**
     * @param call the call's name (the path after {@code /api/}).
     * @param p    the caller.
     * @param q    the query's parameters.
     * @return the answer, or null for no such call.
     */
    byte[] answer(final String call, final Principal p, final Map<String, String> q)
    {
        final Ipam view = access.view(p);
        final String scope = Access.scope(p);
        switch (call)
        {
            case "me":
                return json(g ->
                {
                    g.writeStartObject();
                    g.writeBooleanField("admin", p.isAdmin());
                    g.writeStringField("tenant", p.tenantOrNull());
                    g.writeBooleanField("tokens", access.tokensRequired());
                    g.writeEndObject();
                });
            case "subnets":
                return cache.get(scope + "\0subnets", ns -> subnets(view, ns));
            case "map":
            {
                final String subnet = required(q, "subnet");
                final String window = q.get("window");
                final Cidr w = window == null || window.isEmpty() ? null : AddressText.parseCidr(window, "window");
                return cache.get(scope + "\0map\0" + subnet + "\0" + (w == null ? "" : w.network().toString()), ns ->
                {
                    final long t = System.nanoTime();
                    final SubnetMap m = view.subnetMap(subnet, w == null ? null : w.network().toString(),
                        PAGE_CELL_BITS);
                    ns[0] += System.nanoTime() - t;
                    return map(m);
                });
            }
            case "pools":
                return cache.get(scope + "\0pools", ns -> pools(view, ns));
            case "lookup":
                return lookup(view, required(q, "q").strip());
            default:
                return null;
        }
    }

    /**
     * @param p a known caller.
     * @return the change feed of its scope.
     */
    FeedHub hub(final Principal p)
    {
        final String scope = Access.scope(p);
        synchronized (hubs)
        {
            return hubs.computeIfAbsent(scope, s -> new FeedHub(access.view(p), s, UiApi::changesFrame));
        }
    }

    void close()
    {
        synchronized (hubs)
        {
            hubs.clear();
        }
    }

    private static String required(final Map<String, String> q, final String name)
    {
        final String v = q.get(name);
        if (v == null || v.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "parameter " + name + " is missing");
        }
        return v;
    }

    private static byte[] subnets(final Ipam view, final long[] writerNs)
    {
        final long t = System.nanoTime();
        final List<SubnetInfo> infos = view.subnets();
        final List<SubnetStats> counts = view.subnetStats();
        writerNs[0] += System.nanoTime() - t;
        final Map<String, SubnetStats> stats = new HashMap<>();
        for (final SubnetStats s : counts)
        {
            stats.put(s.subnetId(), s);
        }
        return json(g ->
        {
            g.writeStartArray();
            for (final SubnetInfo s : infos)
            {
                final SubnetStats st = stats.get(s.id());
                g.writeStartObject();
                subnetFields(g, s);
                g.writeNumberField("leased", st == null ? 0 : st.leased());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static void subnetFields(final JsonGenerator g, final SubnetInfo s) throws IOException
    {
        g.writeStringField("id", s.id());
        g.writeStringField("cidr", s.cidr());
        g.writeStringField("tenant", s.tenant().orElse(null));
        g.writeStringField("gateway", s.gateway().orElse(null));
        g.writeStringField("strategy", s.strategy().name());
        g.writeNumberField("allocated", s.allocated());
        g.writeStringField("free", s.free().toString());
        g.writeNumberField("cooling", s.cooling());
        g.writeNumberField("cooldownMs", s.cooldown().toMillis());
        g.writeArrayFieldStart("pools");
        for (final IpRange r : s.pools())
        {
            g.writeStartArray();
            g.writeString(r.first());
            g.writeString(r.last());
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    /**
     * A map for the page: the subnet, the window, the grid's geometry, the non-empty cells' counts, the listed
     * addresses, and the drawing.
     */
    static byte[] map(final SubnetMap m)
    {
        final MapScene.Grid grid = MapScene.Grid.of(m.cellBits(), PAGE_MAP_SIZE);
        final String svg = SvgRenderer.render(MapScene.of(m, PAGE_MAP_SIZE));
        return json(g ->
        {
            g.writeStartObject();
            g.writeObjectFieldStart("subnet");
            subnetFields(g, m.subnet());
            g.writeEndObject();
            g.writeStringField("window", m.window());
            g.writeNumberField("time", m.time().toEpochMilli());
            g.writeNumberField("cellBits", m.cellBits());
            g.writeNumberField("addressBits", m.addressBits());
            g.writeObjectFieldStart("grid");
            g.writeNumberField("side", grid.side());
            g.writeNumberField("columns", grid.columns());
            g.writeNumberField("rows", grid.rows());
            g.writeNumberField("px", grid.px());
            g.writeNumberField("x0", grid.x0());
            g.writeNumberField("y0", grid.y0());
            g.writeEndObject();
            g.writeArrayFieldStart("cells");
            for (int c = 0; c < m.cells(); c++)
            {
                if (m.held(c) != 0 || m.cooling(c) != 0)
                {
                    g.writeStartArray();
                    g.writeNumber(c);
                    g.writeNumber(m.held(c));
                    g.writeNumber(m.cooling(c));
                    g.writeNumber(m.leased(c));
                    g.writeNumber(m.router(c));
                    g.writeEndArray();
                }
            }
            g.writeEndArray();
            g.writeArrayFieldStart("entries");
            for (final SubnetMap.Entry e : m.entries())
            {
                entry(g, e);
            }
            g.writeEndArray();
            g.writeStringField("svg", svg);
            g.writeEndObject();
        });
    }

    private static void entry(final JsonGenerator g, final SubnetMap.Entry e) throws IOException
    {
        g.writeStartObject();
        g.writeStringField("address", e.address());
        g.writeStringField("state", e.state().name());
        g.writeStringField("owner", e.owner().map(UUID::toString).orElse(null));
        g.writeNumberField("time", e.time().toEpochMilli());
        if (e.until().isPresent())
        {
            g.writeNumberField("until", e.until().get().toEpochMilli());
        }
        g.writeBooleanField("router", e.router());
        g.writeEndObject();
    }

    private static byte[] pools(final Ipam view, final long[] writerNs)
    {
        final long t = System.nanoTime();
        final List<PrefixPoolInfo> pools = view.prefixPools();
        final List<List<String>> children = new ArrayList<>(pools.size());
        for (final PrefixPoolInfo p : pools)
        {
            children.add(view.children(p.id()));
        }
        writerNs[0] += System.nanoTime() - t;
        return json(g ->
        {
            g.writeStartArray();
            for (int i = 0; i < pools.size(); i++)
            {
                final PrefixPoolInfo p = pools.get(i);
                g.writeStartObject();
                g.writeStringField("id", p.id());
                g.writeArrayFieldStart("prefixes");
                for (final String prefix : p.prefixes())
                {
                    g.writeString(prefix);
                }
                g.writeEndArray();
                g.writeNumberField("min", p.minPrefixLength());
                g.writeNumberField("default", p.defaultPrefixLength());
                g.writeNumberField("max", p.maxPrefixLength());
                if (p.quota().isPresent())
                {
                    g.writeNumberField("quota", p.quota().getAsLong());
                }
                final List<String> kids = children.get(i);
                g.writeNumberField("children", kids.size());
                g.writeArrayFieldStart("childList");
                for (int k = 0; k < kids.size() && k < MAX_LIST; k++)
                {
                    g.writeString(kids.get(k));
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /**
     * An address (in every subnet of the view that holds it) or an owner (its allocations).
     */
    private static byte[] lookup(final Ipam view, final String q)
    {
        if (q.length() > 64)
        {
            throw new IpamException(ErrorCode.MALFORMED, "look up an address or an owner (a UUID)");
        }
        if (q.length() == 36 && q.charAt(8) == '-')
        {
            final UUID owner;
            try
            {
                owner = UUID.fromString(q);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IpamException(ErrorCode.MALFORMED, "not an owner (UUID): " + q);
            }
            final List<Allocation> all = view.allocations(owner);
            return json(g ->
            {
                g.writeStartObject();
                g.writeStringField("owner", owner.toString());
                g.writeNumberField("count", all.size());
                g.writeArrayFieldStart("allocations");
                for (int i = 0; i < all.size() && i < MAX_LIST; i++)
                {
                    final Allocation a = all.get(i);
                    g.writeStartObject();
                    g.writeStringField("subnet", a.subnetId());
                    g.writeStringField("address", a.address());
                    g.writeNumberField("time", a.time().toEpochMilli());
                    if (a.expiresAt().isPresent())
                    {
                        g.writeNumberField("until", a.expiresAt().get().toEpochMilli());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            });
        }
        final IpAddress address = AddressText.parseAddress(q, "address");
        final List<Object[]> found = new ArrayList<>();
        for (final SubnetInfo s : view.subnets())
        {
            final Cidr cidr = AddressText.parseCidr(s.cidr(), "cidr");
            if (cidr.contains(address))
            {
                final String one = address + "/" + address.bits();
                final SubnetMap m;
                try
                {
                    m = view.subnetMap(s.id(), one, 0);
                }
                catch (final IpamException gone)
                {
                    continue; // deleted since the list
                }
                found.add(new Object[] {s, m.entries().isEmpty() ? null : m.entries().get(0)});
            }
        }
        return json(g ->
        {
            g.writeStartObject();
            g.writeStringField("address", address.toString());
            g.writeArrayFieldStart("subnets");
            for (final Object[] f : found)
            {
                final SubnetInfo s = (SubnetInfo)f[0];
                g.writeStartObject();
                g.writeStringField("id", s.id());
                g.writeStringField("cidr", s.cidr());
                g.writeStringField("tenant", s.tenant().orElse(null));
                if (f[1] != null)
                {
                    g.writeFieldName("entry");
                    entry(g, (SubnetMap.Entry)f[1]);
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * @return one SSE event carrying a batch of changes, oldest first.
     */
    static String changesFrame(final List<Change> changes)
    {
        final byte[] data = json(g ->
        {
            g.writeStartArray();
            for (final Change c : changes)
            {
                g.writeStartObject();
                g.writeNumberField("seq", c.sequence());
                g.writeNumberField("time", c.time().toEpochMilli());
                g.writeStringField("kind", c.kind().name());
                g.writeStringField("tenant", c.tenant().orElse(null));
                g.writeStringField("subnet", c.subnetId().orElse(null));
                g.writeStringField("address", c.address().orElse(null));
                g.writeStringField("owner", c.owner().map(UUID::toString).orElse(null));
                g.writeEndObject();
            }
            g.writeEndArray();
        });
        // JSON has no raw newline, so the data is one SSE line
        return "event: changes\ndata: " + new String(data, StandardCharsets.UTF_8) + "\n\n";
    }

    static byte[] error(final IpamException e)
    {
        return json(g ->
        {
            g.writeStartObject();
            g.writeStringField("error", e.code().name());
            g.writeStringField("message", e.reason());
            g.writeEndObject();
        });
    }

    /** Writes one JSON value. */
    interface Writer
    {
        void write(JsonGenerator g) throws IOException;
    }

    static byte[] json(final Writer w)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out))
        {
            w.write(g);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
