package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.WriterMode;
import io.ipam.load.BenchReport;
import io.ipam.load.Fill;
import io.ipam.load.LoadRun;
import io.ipam.load.Target;
import io.ipam.load.Targets;
import io.ipam.load.peers.BitSetAllocator;
import io.ipam.load.peers.EngineLockAllocator;
import io.ipam.load.peers.KubernetesStyleAllocator;
import io.ipam.load.peers.NeutronStyleAllocator;
import io.ipam.load.peers.PeerAllocator;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipam bench}: the end-to-end run. Callers on 1, 2, 4 and 8 threads allocate and release through ipam's
 * thread-safe facade (text at the edge), with the writer run by the callers and with a dedicated writer thread,
 * in a /16 held half full, next to the peers given the same text edge (a bare synchronized BitSet, ipam's own engine
 * behind synchronized, the Kubernetes and Neutron styles); several trials per target, alternating. Then latency at
 * half of ipam's single-caller median and at 100,000 pairs/s, open loop, corrected for coordinated omission, for
 * both writer modes and the two locks. Prints a table and writes results.json and
 * latency.svg.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"End-to-end benchmark: ipam's facade against peers in the same run.",
        "Default about a minute; --quick a few seconds.",
        "--server: drive a running 'ipam serve' instead (unary and batch allocate+release pairs).",
        "--cluster: drive a running ipam cluster instead (acknowledged allocations/s)."})
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

    @Option(names = "--trials", description = "trials per target and caller count, alternating (default 3)")
    int trials = 3;

    @Mixin
    ServerOption server;

    @Option(names = "--clients", paramLabel = "N", split = ",", defaultValue = "1,4,16",
        description = "with --server: client connections per run (default ${DEFAULT-VALUE})")
    int[] clients;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1000",
        description = "with --server: allocations per Batch message (default ${DEFAULT-VALUE})")
    int batch;

    @Mixin
    ClusterOption cluster;

    @Option(names = "--cluster-clients", paramLabel = "N", defaultValue = "2",
        description = "with --cluster: client connections (default ${DEFAULT-VALUE})")
    int clusterClients;

    @Option(names = "--cluster-threads", paramLabel = "N", defaultValue = "4",
        description = "with --cluster: calling threads per client (default ${DEFAULT-VALUE})")
    int clusterThreads;

    @Option(names = "--cluster-window", paramLabel = "N", defaultValue = "1000",
        description = "with --cluster: asynchronous allocations each thread keeps in flight, in waves; 1 means " +
            "blocking calls (default ${DEFAULT-VALUE})")
    int clusterWindow;

    @Option(names = "--peer", paramLabel = "NAME",
        description = "with --peer-source: drive this peer's server next to ipam serve with one Go client " +
            "(load/gopeer/run); only go-ipam")
    String peer;

    @Option(names = "--peer-source", paramLabel = "DIR",
        description = "a checkout of the peer's source (bench/README.md says how to get go-ipam's); built here")
    Path peerSource;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        server.checkAlone();
        if (peer != null || peerSource != null)
        {
            return PeerRun.run(this, spec.commandLine().getErr());
        }
        if (server.given() && cluster.given())
        {
            throw new IpamException(ErrorCode.MALFORMED, "give one of --server and --cluster");
        }
        if (cluster.given())
        {
            if (clusterClients < 1 || clusterClients > 16 || clusterThreads < 1 || clusterThreads > 4096 ||
                clusterWindow < 1 || clusterWindow > 4096)
            {
                throw new IpamException(ErrorCode.MALFORMED,
                    "--cluster-clients must be 1-16, --cluster-threads 1-4096 and --cluster-window 1-4096");
            }
            ClusterBench.run(out, cluster.members(), clusterClients, clusterThreads, clusterWindow,
                quick ? 1000 : 3000, (long)(1000 * (seconds > 0 ? seconds : quick ? 2 : 10)));
            return 0;
        }
        if (server.given())
        {
            for (final int n : clients)
            {
                if (n < 1 || n > 1024)
                {
                    throw new IpamException(ErrorCode.MALFORMED, "--clients must be 1-1024");
                }
            }
            if (batch < 1 || batch > 100_000)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--batch must be 1-100000");
            }
            ServerBench.run(out, server, server.token(spec.commandLine().getErr()), clients, batch,
                (long)(1000 * (seconds > 0 ? seconds : quick ? 1 : 5)));
            return 0;
        }
        if (trials < 1 || trials > 20)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--trials must be 1 to 20");
        }
        final long runMs = (long)(1000 * (seconds > 0 ? seconds : quick ? 0.3 : 1));
        final long latencyMs = quick ? 1000 : 5000;
        final int[] callers = {1, 2, 4, 8};
        final Path dir = results != null ? results :
            Path.of("results", "bench-" + Instant.now().toString().replace(':', '-'));
        final Path storeDir = durable ? Files.createTempDirectory("ipam-bench-store") : null;
        final int size = Fill.poolSize(CIDR);
        final boolean[] taken = Fill.taken(size, 50, 42);

        final String where = durable ? "durable store" : "in memory";
        final String ipamName = "ipam (" + where + ", caller-runs writer)";
        final String dedicatedName = "ipam (" + where + ", dedicated writer)";
        final String lockName = new BitSetAllocator(1, false).name();
        final List<String> names = new ArrayList<>();
        final List<Supplier<Target>> targets = new ArrayList<>();
        names.add(ipamName);
        targets.add(() -> ipamTarget(ipamName, storeDir, taken, WriterMode.CALLER_RUNS));
        names.add(dedicatedName);
        targets.add(() -> ipamTarget(dedicatedName, storeDir, taken, WriterMode.DEDICATED));
        names.add(lockName);
        targets.add(() -> peer(new BitSetAllocator(size, false), taken));
        if (!durable)
        {
            // the same engine and listeners as ipam's allocator, called under one monitor: the cost of the
            // features (against the bare lock) and of the design (ipam against it) side by side
            names.add(EngineLockAllocator.NAME);
            targets.add(() -> peer(new EngineLockAllocator("bench", CIDR, IpamConfig.defaults()), taken));
        }
        names.add(new KubernetesStyleAllocator(1).name());
        targets.add(() -> peer(new KubernetesStyleAllocator(size), taken));
        names.add(new NeutronStyleAllocator(1).name());
        targets.add(() -> peer(new NeutronStyleAllocator(size), taken));

        final BenchReport report = new BenchReport();
        report.fact("date", Instant.now().toString());
        report.fact("cores", Runtime.getRuntime().availableProcessors());
        report.fact("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.fact("subnet", CIDR + " held 50% full");
        report.fact("secondsPerTrial", runMs / 1000.0);
        report.fact("trials", trials);
        report.fact("durable", durable);

        final int timed = durable ? 3 : 4; // latency: both writer modes, the lock and the same engine behind it
        final int steps = callers.length * trials * targets.size() + 2 * timed;
        final double[][][] ops = new double[targets.size()][callers.length][trials];
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("bench").setInitialMax(steps)
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).setMaxRenderedLength(120).build())
        {
            final List<Target> open = new ArrayList<>();
            try
            {
                for (final Supplier<Target> make : targets)
                {
                    open.add(make.get());
                }
                for (int c = 0; c < callers.length; c++)
                {
                    for (int trial = 0; trial < trials; trial++)
                    {
                        // targets alternate within each trial, so a noisy second hits them all alike
                        for (int t = 0; t < open.size(); t++)
                        {
                            bar.setExtraMessage(String.format(Locale.ROOT, " %s x%d, trial %d ",
                                shortName(names.get(t)), callers[c], trial + 1));
                            if (trial == 0)
                            {
                                LoadRun.throughput(open.get(t), callers[c], Math.min(300, runMs / 3)); // warm-up
                            }
                            ops[t][c][trial] = LoadRun.throughput(open.get(t), callers[c], runMs);
                            bar.step();
                        }
                    }
                    for (int t = 0; t < open.size(); t++)
                    {
                        report.throughput(names.get(t), callers[c], ops[t][c]);
                    }
                }
            }
            finally
            {
                for (final Target t : open)
                {
                    t.close();
                }
            }
            final double[] single = ops[0][0].clone();
            Arrays.sort(single);
            final double[] rates = {single[single.length / 2] / 2, 100_000};
            for (final double rate : rates)
            {
                for (int t = 0; t < timed; t++)
                {
                    try (Target target = targets.get(t).get())
                    {
                        bar.setExtraMessage(String.format(Locale.ROOT, " latency %s at %,.0f/s ",
                            shortName(names.get(t)), rate));
                        LoadRun.latency(target, rate, Math.min(500, latencyMs / 4));   // warm-up
                        report.latency(target.name(), rate, LoadRun.latency(target, rate, latencyMs));
                        bar.step();
                    }
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

    private static String shortName(final String name)
    {
        return name.length() <= 28 ? name : name.substring(0, 27) + "~";
    }

    private static final AtomicInteger STORES = new AtomicInteger();

    private static Target ipamTarget(final String name, final Path storeDir, final boolean[] taken,
        final WriterMode mode)
    {
        // a fresh store for every target: each run starts from the same state
        return Targets.ipam(name, storeDir == null ? null : storeDir.resolve("store-" + STORES.incrementAndGet()),
            IpamConfig.builder().storeCapacity(100_000).writerMode(mode).build(), taken);
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
        catch (final IOException ignore)
        {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
