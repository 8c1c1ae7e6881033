package io.ipam.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetMap;
import io.ipam.core.file.AtomicFile;
import io.ipam.ui.map.MapScene;
import io.ipam.ui.map.PngRenderer;
import io.ipam.ui.map.Scene;
import io.ipam.ui.map.SvgRenderer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam map}: a subnet's Hilbert map as SVG or PNG that explains itself (title with subnet, CIDR, tenant and
 * time; legend with counts; scale; gateway and pools marked): the web page's drawing ({@link MapScene}, the
 * {@code ui} module), from the allocator's own summary ({@link Ipam#subnetMap}). A store is asked directly; a
 * server, a cluster or a snapshot file through a snapshot restored in memory, whose clock stays at the snapshot's
 * time (nothing expires past it).
 */
@Command(name = "map", mixinStandardHelpOptions = true,
    description = {"Draw a subnet's map (Hilbert curve: neighbouring addresses stay neighbours, aligned blocks are",
        "squares) to an SVG or PNG file, from a store, a server, a cluster or a snapshot file (--snapshot)."})
public final class MapCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption source;

    @Option(names = "--snapshot", paramLabel = "FILE", description = "a snapshot file instead of an allocator")
    Path snapshot;

    @Parameters(index = "0", paramLabel = "SUBNET")
    String subnet;

    @Option(names = {"-o", "--out"}, required = true, description = "output file")
    Path output;

    @Option(names = "--format", paramLabel = "svg|png",
        description = "svg or png (default: from the output file's name)")
    String format;

    @Option(names = "--window", paramLabel = "CIDR", description = "map only this aligned block of the subnet")
    String window;

    @Option(names = "--cells", paramLabel = "BITS", defaultValue = "12",
        description = "2^BITS cells at most, 0-16 (default ${DEFAULT-VALUE}: 64 x 64, as the web page)")
    int cellBits;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "512",
        description = "the map's side in pixels, 64-4096 (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--force", description = "replace the output file if it exists")
    boolean force;

    @Override
    public Integer call() throws IOException
    {
        final String kind = kind();
        if (cellBits < 0 || cellBits > SubnetMap.MAX_CELL_BITS)
        {
            throw new ParameterException(spec.commandLine(), "--cells must be 0 to " + SubnetMap.MAX_CELL_BITS);
        }
        if (size < 64 || size > 4096)
        {
            throw new ParameterException(spec.commandLine(), "--size must be 64 to 4096");
        }
        final SubnetMap map = read();
        final Scene scene = MapScene.of(map, size);
        try (AtomicFile target = Outputs.prepare(output, force))
        {
            try (OutputStream out = target.open(false))
            {
                if ("png".equals(kind))
                {
                    PngRenderer.write(scene, out);
                }
                else
                {
                    out.write(SvgRenderer.render(scene).getBytes(StandardCharsets.UTF_8));
                }
            }
            target.commit();
        }
        long held = 0;
        for (int c = 0; c < map.cells(); c++)
        {
            held += map.held(c);
        }
        spec.commandLine().getOut().printf("wrote %s: %s %s, %d allocated, %d cells of %s%n", output,
            Outputs.printable(map.subnet().id()), map.window(), held, map.cells(),
            map.addressBits() == 0 ? "1 address" : "2^" + map.addressBits() + " addresses");
        return 0;
    }

    private String kind()
    {
        final String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        final String byName = name.endsWith(".svg") ? "svg" : name.endsWith(".png") ? "png" : null;
        final String f = format == null ? byName : format.toLowerCase(Locale.ROOT);
        if (f == null || !("svg".equals(f) || "png".equals(f)))
        {
            throw new ParameterException(spec.commandLine(), "give --format svg or png, or an --out ending in .svg " +
                "or .png");
        }
        return f;
    }

    private SubnetMap read() throws IOException
    {
        if (snapshot != null)
        {
            if (source.given())
            {
                throw new IpamException(ErrorCode.MALFORMED, "give exactly one of --snapshot FILE, --store DIR, " +
                    "--server HOST:PORT and --cluster HOST:PORT,...");
            }
            source.server.checkAlone();
            return fromSnapshot(snapshot);
        }
        try (Ipam ipam = source.open())
        {
            if (source.store != null)
            {
                return ipam.subnetMap(subnet, window, cellBits);
            }
            // a server or a cluster: their maps come through a snapshot (the summary is not an RPC of v1)
            final Path tmp = Files.createTempFile("ipam-map-", ".snap");
            try
            {
                ipam.snapshot(tmp);
                return fromSnapshot(tmp);
            }
            finally
            {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The map of a snapshot restored in memory with a clock that never moves the engine's past the snapshot's
     * time: the map shows the state as the snapshot holds it, at its time.
     */
    private SubnetMap fromSnapshot(final Path file)
    {
        try (Ipam restored = Ipam.restoreInMemory(file, IpamConfig.builder().clock(() -> 0L).build()))
        {
            return restored.subnetMap(subnet, window, cellBits);
        }
    }
}
