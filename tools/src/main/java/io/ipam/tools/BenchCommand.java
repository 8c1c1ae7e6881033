package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.ipam.bench.Fill;
import io.ipam.bench.load.BenchReport;
import io.ipam.bench.load.LoadRun;
import io.ipam.bench.load.Target;
import io.ipam.bench.load.Targets;
import io.ipam.bench.peers.BitSetAllocator;
import io.ipam.bench.peers.KubernetesStyleAllocator;
import io.ipam.bench.peers.NeutronStyleAllocator;
import io.ipam.bench.peers.PeerAllocator;
import io.ipam.core.IpamConfig;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ipam bench}: the end-to-end run. Callers on 1, 2 and 4 threads allocate and release through ipam's
 * thread-safe facade (text at the edge, ring buffer, allocator agent) in a /16 held half full, next to three
 * peers given the same text edge; then latency at half of ipam's single-caller maximum, open loop, corrected for
 * coordinated omission. Prints a table and writes results.json and latency.svg.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"End-to-end benchmark: ipam's facade against peers in the same run.",
        "Default about a minute; --quick a few seconds."})
public final class BenchCommand implements Callable<Integer>
{
    private static final String CIDR = Targets.CIDR;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "short runs (seconds in all)")
    boolean quick;

    @Option(names = "--durable", description = "run ipam on a temporary durable store instead of in memory")
    boolean durable;

    @Option(names = "--results", description = "results directory (default: results/bench-<time>)")
    Path results;

    @Option(names = "--seconds", description = "seconds per throughput measurement (default 3, quick 0.5)")
    double seconds;

    @Option(names = "--server", paramLabel = "HOST:PORT",
        description = "drive a running 'ipam serve' instead (unary and batch allocate+release pairs)")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "bearer token for --server (default: the IPAM_TOKEN environment variable)")
    String token;

    @Option(names = "--clients", paramLabel = "N", split = ",", defaultValue = "1,4,16",
        description = "with --server: client connections per run (default ${DEFAULT-VALUE})")
    int[] clients;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1000",
        description = "with --server: allocations per Batch message (default ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (server != null)
        {
            for (final int n : clients)
            {
                if (n < 1 || n > 1024)
                {
                    throw new io.ipam.core.IpamException(io.ipam.core.ErrorCode.MALFORMED, "--clients must be 1-1024");
                }
            }
            if (batch < 1 || batch > 100_000)
            {
                throw new io.ipam.core.IpamException(io.ipam.core.ErrorCode.MALFORMED, "--batch must be 1-100000");
            }
            final String env = System.getenv(StoreOption.TOKEN_ENV);
            ServerBench.run(out, server, token != null ? token : env == null || env.isEmpty() ? null : env, clients,
                batch, (long)(1000 * (seconds > 0 ? seconds : quick ? 1 : 5)));
            return 0;
        }
        final long runMs = (long)(1000 * (seconds > 0 ? seconds : quick ? 0.5 : 3));
        final long latencyMs = quick ? 1000 : 5000;
        final int[] callers = {1, 2, 4};
        final Path dir = results != null ? results :
            Path.of("results", "bench-" + Instant.now().toString().replace(':', '-'));
        final Path storeDir = durable ? Files.createTempDirectory("ipam-bench-store") : null;
        final int size = Fill.poolSize(CIDR);
        final boolean[] taken = Fill.taken(size, 50, 42);

        final List<Supplier<Target>> targets = new ArrayList<>();
        final String ipamName = durable ? "ipam (durable store, ring + agent)" : "ipam (in memory, ring + agent)";
        targets.add(() -> ipamTarget(ipamName, storeDir, taken));
        targets.add(() -> peer(new BitSetAllocator(size, false), taken));
        targets.add(() -> peer(new KubernetesStyleAllocator(size), taken));
        targets.add(() -> peer(new NeutronStyleAllocator(size), taken));

        final BenchReport report = new BenchReport();
        report.fact("date", Instant.now().toString());
        report.fact("cores", Runtime.getRuntime().availableProcessors());
        report.fact("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.fact("subnet", CIDR + " held 50% full");
        report.fact("secondsPerThroughputRun", runMs / 1000.0);
        report.fact("durable", durable);

        final int steps = targets.size() * callers.length + 2;
        double ipamSingle = 0;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(steps)
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build())
        {
            for (final Supplier<Target> make : targets)
            {
                try (Target target = make.get())
                {
                    for (final int n : callers)
                    {
                        bar.setExtraMessage(target.name() + " x" + n);
                        LoadRun.throughput(target, n, Math.min(300, runMs / 4));     // warm-up
                        final double ops = LoadRun.throughput(target, n, runMs);
                        report.throughput(target.name(), n, ops);
                        if (target.name().equals(ipamName) && n == 1)
                        {
                            ipamSingle = ops;
                        }
                        bar.step();
                    }
                }
            }
            final double rate = ipamSingle / 2;
            for (final Supplier<Target> make : List.of(targets.get(0), targets.get(1)))
            {
                try (Target target = make.get())
                {
                    bar.setExtraMessage("latency " + target.name());
                    LoadRun.latency(target, rate, Math.min(500, latencyMs / 4));   // warm-up
                    final Histogram h = LoadRun.latency(target, rate, latencyMs);
                    report.latency(target.name(), rate, h);
                    bar.step();
                }
            }
        }
        finally
        {
            if (storeDir != null)
            {
                deleteTree(storeDir);
            }
        }
        report.print(out, ipamName);
        report.write(dir);
        out.printf(Locale.ROOT, "%nresults: %s (results.json, latency.svg)%n", dir.toAbsolutePath());
        return 0;
    }

    private static final java.util.concurrent.atomic.AtomicInteger STORES = new java.util.concurrent.atomic.AtomicInteger();

    private static Target ipamTarget(final String name, final Path storeDir, final boolean[] taken)
    {
        // a fresh store for every target: each run starts from the same state
        return Targets.ipam(name, storeDir == null ? null : storeDir.resolve("store-" + STORES.incrementAndGet()),
            IpamConfig.builder().storeCapacity(100_000).build(), taken);
    }

    private static Target peer(final PeerAllocator peer, final boolean[] taken)
    {
        return Targets.peer(peer, taken);
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> walk = Files.walk(dir))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final java.io.IOException ignore)
        {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
