package io.ipam.ui.map;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetMap;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The map explains itself (title, legend, scale, gateway, pools) and says the same in SVG and PNG: the colour of an
 * address's cell in the PNG is the colour the legend gives its state, and the SVG holds the same shapes.
 */
class MapSceneTest
{
    private static final UUID OWNER = new UUID(9, 9);
    private final AtomicLong clock = new AtomicLong(1_767_225_600_000L); // 2026-01-01 00:00:00 UTC
    private final Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get)
        .randomSource(() -> RandomSource.seeded(5)).build());

    @AfterEach
    void tearDown()
    {
        ipam.close();
    }

    private SubnetMap small()
    {
        ipam.createSubnet(SubnetSpec.builder("lab-1", "192.0.2.0/24").gateway("192.0.2.1")
            .pool("192.0.2.10", "192.0.2.99").strategy(AllocationStrategy.LOWEST).cooldown(Duration.ofMinutes(1))
            .build());
        ipam.allocate("lab-1", OWNER);                                                   // .10 held
        ipam.allocate("lab-1", OWNER, AllocationOptions.builder().lease(Duration.ofHours(1)).build()); // .11 leased
        ipam.release("lab-1", ipam.allocate("lab-1", OWNER));                           // .12 cooling
        return ipam.subnetMap("lab-1", null, 8);
    }

    @Test
    void shouldExplainItself()
    {
        final Scene scene = MapScene.of(small(), 512);
        final String svg = SvgRenderer.render(scene);
        assertTrue(svg.contains("<title>lab-1  192.0.2.0/24 at 2026-01-01 00:00:00 UTC</title>"), svg);
        for (final String text : new String[] {"held: 2", "held with a lease: 1", "held by a router: 0",
            "cooling down: 1", "free, in a pool", "outside every pool", "gateway 192.0.2.1", "1 cell = 1 address",
            "16 x 16 cells = 256 addresses (a /24)", "192.0.2.10 - 192.0.2.99", "tenant (default)",
            "curve from 192.0.2.0 (top left) to 192.0.2.255 (top right)"})
        {
            assertTrue(svg.contains(text), "the SVG says " + text);
        }
        assertTrue(svg.contains("<circle"), "the gateway is marked");
        assertFalse(svg.contains("style="), "presentation attributes only (the page's CSP)");
        assertFalse(svg.contains("<script"), "no script");
    }

    @Test
    void shouldEscapeText()
    {
        final String svg = SvgRenderer.render(new Scene(10, 10, "a<b>&\"c'")
            .text(0, 0, 10, false, Scene.Anchor.START, 0, "</text><script>x</script>\u0001"));
        assertTrue(svg.contains("<title>a&lt;b&gt;&amp;&quot;c&#39;</title>"), svg);
        assertTrue(svg.contains("&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;?</text>"), svg);
        assertFalse(svg.contains("<script"));
    }

    @Test
    void shouldDrawEachStateInItsColourInPng() throws IOException
    {
        final SubnetMap m = small();
        final Scene scene = MapScene.of(m, 512);
        final ByteArrayOutputStream png = new ByteArrayOutputStream();
        PngRenderer.write(scene, png);
        final BufferedImage image = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
        assertEquals(scene.width(), image.getWidth());
        assertEquals(scene.height(), image.getHeight());
        final MapScene.Grid g = MapScene.Grid.of(m.cellBits(), 512);
        assertEquals(MapScene.HELD, pixel(image, g, 10));
        assertEquals(MapScene.LEASED, pixel(image, g, 11));
        assertEquals(MapScene.COOLING, pixel(image, g, 12));
        assertEquals(MapScene.POOL, pixel(image, g, 50));
        assertEquals(MapScene.OUTSIDE, pixel(image, g, 200));
        // the gateway's cell carries the marker at its centre
        final int[] xy = Hilbert.d2xy(g.side(), 1);
        assertEquals(MapScene.GATEWAY, image.getRGB(g.x0() + xy[0] * g.px() + g.px() / 2,
            g.y0() + xy[1] * g.px() + g.px() / 2) & 0xFFFFFF);
        // and the SVG draws the same cells in the same colours
        final String svg = SvgRenderer.render(scene);
        for (final int colour : new int[] {MapScene.HELD, MapScene.LEASED, MapScene.COOLING, MapScene.POOL})
        {
            assertTrue(svg.contains("fill=\"" + SvgRenderer.hex(colour) + "\""));
        }
        // as one path per colour: a few elements for the browser, not one per run of cells
        final int paths = svg.split("<path ", -1).length - 1;
        assertTrue(paths >= 4 && paths <= 16, paths + " paths");
        for (final int colour : new int[] {MapScene.HELD, MapScene.LEASED, MapScene.COOLING, MapScene.POOL})
        {
            assertTrue(Pattern.compile("<path d=\"[^\"]+\" fill=\"" + SvgRenderer.hex(colour) + "\"").matcher(svg).find(),
                "a path of " + SvgRenderer.hex(colour));
        }
    }

    /** The colour at a cell's corner (the marker and outline are elsewhere). */
    private static int pixel(final BufferedImage image, final MapScene.Grid g, final int cell)
    {
        final int[] xy = Hilbert.d2xy(g.side(), cell);
        return image.getRGB(g.x0() + xy[0] * g.px() + 2, g.y0() + xy[1] * g.px() + 2) & 0xFFFFFF;
    }

    @Test
    void shouldShadeLargeCellsAndSayTheScale()
    {
        ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").strategy(AllocationStrategy.LOWEST).build());
        ipam.allocateBulk("big", OWNER, 4_000);
        final SubnetMap m = ipam.subnetMap("big", null, 12);
        final String svg = SvgRenderer.render(MapScene.of(m, 512));
        assertTrue(svg.contains("1 cell = 4,096 addresses (a /20)"), svg.substring(0, 400));
        assertTrue(svg.contains("64 x 64 cells = 16,777,216 addresses (a /8)"));
        assertTrue(svg.contains("4 x 4 cells = 65,536 addresses (a /16)"), "a square drawn to scale");
        // a cell nearly full is darker than one with a few addresses, both in the held colour's hue
        final int full = MapScene.shade(MapScene.HELD, m.held(0) / 4096.0);
        final int few = MapScene.shade(MapScene.HELD, 1 / 4096.0);
        assertTrue((full & 0xFF) < (few & 0xFF) || (full >> 16) < (few >> 16));
        assertTrue(svg.contains(SvgRenderer.hex(full)));
    }

    @Test
    void shouldDrawAnOddNumberOfCellBitsAsARectangle()
    {
        ipam.createSubnet(SubnetSpec.builder("half", "10.9.0.0/25").build());
        final SubnetMap m = ipam.subnetMap("half", null, 12);
        assertEquals(7, m.cellBits());
        final MapScene.Grid g = MapScene.Grid.of(7, 512);
        assertEquals(16, g.side());
        assertEquals(8, g.columns());
        assertEquals(16, g.rows());
        final String svg = SvgRenderer.render(MapScene.of(m, 512));
        assertTrue(svg.contains("8 x 16 cells = 128 addresses (a /25)"));
        assertFalse(svg.contains("(top right)"));
    }

    @Test
    void shouldMapAnIpv6Block()
    {
        ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8:1:2::/64").build());
        ipam.allocateBulk("v6", OWNER, 10);
        final SubnetMap m = ipam.subnetMap("v6", null, 12);
        final String svg = SvgRenderer.render(MapScene.of(m, 512));
        assertTrue(svg.contains("1 cell = 2^52 addresses (a /76)"));
        assertTrue(svg.contains("held: 10"));
        assertEquals(List.of(), m.entries());
    }
}
