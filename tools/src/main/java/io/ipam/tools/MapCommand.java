package io.ipam.tools;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import javax.imageio.ImageIO;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam map}: a subnet's utilisation as an image. Addresses are laid out along a Hilbert curve, so
 * neighbouring addresses stay neighbours on the picture and aligned blocks appear as squares or 2:1 rectangles.
 * Up to 65,536 cells: in larger subnets each cell covers an aligned block and is shaded by its fill.
 */
@Command(name = "map", mixinStandardHelpOptions = true,
    description = {"Draw a subnet's utilisation (Hilbert curve) to an SVG or PNG file,",
        "from a snapshot file (--snapshot), a store, a server or a cluster."})
public final class MapCommand implements Callable<Integer>
{
    private static final int MAX_ORDER = 8;   // 256 x 256 cells

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption source;

    @Option(names = "--snapshot", paramLabel = "FILE", description = "a snapshot file instead of an allocator")
    Path snapshot;

    @Parameters(index = "0", paramLabel = "SUBNET")
    String subnet;

    @Option(names = {"-o", "--out"}, required = true, description = "output file, .svg or .png")
    Path output;

    @Option(names = "--force", description = "replace the output file if it exists")
    boolean force;

    @Override
    public Integer call() throws IOException
    {
        final String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".svg") && !name.endsWith(".png"))
        {
            throw new ParameterException(spec.commandLine(), "--out must end in .svg or .png");
        }
        try (AtomicFile target = Outputs.prepare(output, force))
        {
            return draw(target, name);
        }
    }

    private Integer draw(final AtomicFile target, final String name) throws IOException
    {
        final SnapshotData data;
        if (snapshot != null)
        {
            if (source.given())
            {
                throw new IpamException(ErrorCode.MALFORMED, "give exactly one of --snapshot FILE, --store DIR, " +
                    "--server HOST:PORT and --cluster HOST:PORT,...");
            }
            source.server.checkAlone();
            data = SnapshotCodec.read(snapshot);
        }
        else
        {
            try (Ipam ipam = source.open())
            {
                data = IpamTool.read(ipam, source.name());
            }
        }
        SnapshotData.Subnet s = null;
        for (final SnapshotData.Subnet candidate : data.subnets)
        {
            if (candidate.meta.id.equals(subnet))
            {
                s = candidate;
            }
        }
        if (s == null)
        {
            throw new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " + subnet + " not found");
        }
        final int hostBits = s.meta.cidr.address().bits() - s.meta.cidr.prefixLength();
        final int order = Math.min(MAX_ORDER, (hostBits + 1) / 2);
        final int side = 1 << order;
        final int cellBits = Math.max(0, hostBits - 2 * order);   // addresses per cell = 2^cellBits
        final long[] counts = new long[side * side];
        for (int i = 0; i < s.size(); i++)
        {
            final long offset = s.offset(s.address[i]);
            counts[(int)(cellBits >= 64 ? 0 : offset >>> cellBits)]++;
        }
        final double perCell = Math.pow(2, cellBits);
        final long cellsUsed = hostBits >= 2 * order ? (long)side * side : 1L << hostBits;
        final int px = Math.max(2, 512 / side);
        if (name.endsWith(".png"))
        {
            final BufferedImage image = new BufferedImage(side * px, side * px, BufferedImage.TYPE_INT_RGB);
            for (int d = 0; d < side * side; d++)
            {
                final int[] xy = d2xy(side, d);
                final int rgb = colour(d < cellsUsed, counts[d] / perCell).getRGB();
                for (int y = 0; y < px; y++)
                {
                    for (int x = 0; x < px; x++)
                    {
                        image.setRGB(xy[0] * px + x, xy[1] * px + y, rgb);
                    }
                }
            }
            try (OutputStream out = target.open(false))
            {
                ImageIO.write(image, "png", out);
            }
        }
        else
        {
            final StringBuilder svg = new StringBuilder();
            svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" " +
                "height=\"%d\" shape-rendering=\"crispEdges\">%n<title>%s %s: %d allocated</title>%n",
                side * px, side * px + 24, xml(s.meta.id), s.meta.cidr, s.size()));
            for (int d = 0; d < side * side; d++)
            {
                final int[] xy = d2xy(side, d);
                final Color c = colour(d < cellsUsed, counts[d] / perCell);
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" " +
                    "fill=\"#%06x\"/>%n", xy[0] * px, xy[1] * px, px, px, c.getRGB() & 0xFFFFFF));
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-family=\"sans-serif\" " +
                "font-size=\"12\">%s %s: %d allocated, %d address(es) per cell</text>%n</svg>%n", side * px + 16,
                xml(s.meta.id), s.meta.cidr, s.size(), (long)perCell));
            try (OutputStream out = target.open(false))
            {
                out.write(svg.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        target.commit();
        spec.commandLine().getOut().printf("wrote %s: %s %s, %d allocated, %dx%d cells of %s address(es)%n", output,
            Outputs.printable(s.meta.id), s.meta.cidr, s.size(), side, side,
            cellBits >= 63 ? "2^" + cellBits : Long.toString((long)perCell));
        return 0;
    }

    private static Color colour(final boolean inSubnet, final double fill)
    {
        if (!inSubnet)
        {
            return Color.WHITE;
        }
        if (fill <= 0)
        {
            return new Color(0xE8, 0xF0, 0xE8);
        }
        // any use shows; the fuller, the darker
        final double f = Math.min(1, 0.25 + 0.75 * Math.sqrt(Math.min(1, fill)));
        return new Color((int)(0xD0 * (1 - f) + 0x20 * f), (int)(0x40 * (1 - f) + 0x30 * f), (int)(0x40 * (1 - f)));
    }

    /**
     * Hilbert curve: distance along the curve to (x, y) on an n x n grid (n a power of two).
     */
    static int[] d2xy(final int n, final int d)
    {
        int x = 0;
        int y = 0;
        int t = d;
        for (int s = 1; s < n; s *= 2)
        {
            final int rx = 1 & (t / 2);
            final int ry = 1 & (t ^ rx);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }
                final int tmp = x;
                x = y;
                y = tmp;
            }
            x += s * rx;
            y += s * ry;
            t /= 4;
        }
        return new int[] {x, y};
    }

    /**
     * @param s text from a snapshot or store.
     * @return it escaped for XML text (a crafted id cannot add markup to the SVG).
     */
    static String xml(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                default:
                    sb.append(c < 0x20 ? '?' : c);
            }
        }
        return sb.toString();
    }
}
