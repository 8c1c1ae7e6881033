import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.persistence.DurableIpam;

/**
 * The storage side's costs, repeated in one JVM so that the least of several runs (wall and this thread's CPU
 * time) can be compared between builds on a loaded machine. Compiled against either build's benchmarks.jar: it
 * uses only what both have. Same state as SnapshotRun (N allocations over a /8 and an IPv6 /64, 5,000 owners).
 *   snapshot N ROUNDS   : write (order, bitmaps, file, fsync, rename), read and check, rebuild (restoreInto)
 *   fill DIR N          : fill a durable store once
 *   open DIR N ROUNDS   : open that store ROUNDS times (after one open of an empty store: Chronicle's compile)
 *   pairs K ROUNDS      : K allocate+release pairs through a durable allocator (sync NONE, caller-runs writer:
 *                         the calling thread runs the writer and the store's writes), per round
 */
public final class StorageTimes
{
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private static final class Times
    {
        final String name;
        final double[] wall;
        final double[] cpu;
        int n;

        Times(final String name, final int rounds)
        {
            this.name = name;
            this.wall = new double[rounds];
            this.cpu = new double[rounds];
        }

        void add(final long wallNs, final long cpuNs)
        {
            wall[n] = wallNs / 1e6;
            cpu[n++] = cpuNs / 1e6;
        }

        void print()
        {
            final double[] w = Arrays.copyOf(wall, n);
            final double[] c = Arrays.copyOf(cpu, n);
            Arrays.sort(w);
            Arrays.sort(c);
            System.out.printf(Locale.ROOT, "%-8s wall min %8.1f ms median %8.1f ms | cpu min %8.1f ms median %8.1f ms%n",
                name, w[0], w[n / 2], c[0], c[n / 2]);
        }
    }

    private static long cpu()
    {
        return CPU.getCurrentThreadCpuTime();
    }

    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "snapshot":
                snapshot(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "pairs":
                pairs(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                break;
            case "fill":
                fill(Path.of(args[1]), Integer.parseInt(args[2]));
                break;
            default:
                open(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
    }

    private static void snapshot(final int n, final int rounds) throws Exception
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 65_536);
        final int v4 = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("v4", "10.0.0.0/8").build()));
        final int v6 = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("v6", "2001:db8::/64").build()));
        for (int i = 0; i < n; i++)
        {
            final int rc = i % 2 == 0 ? engine.allocate(v4, 7, i % 5000, i) : engine.allocate(v6, 7, i % 5000, i);
            if (rc != AllocatorEngine.OK)
            {
                throw new IllegalStateException("fill failed at " + i + ": " + rc);
            }
        }
        final Path file = Files.createTempFile("ipam-storage-times", ".snap");
        final Times write = new Times("write", rounds);
        final Times read = new Times("read", rounds);
        final Times rebuild = new Times("rebuild", rounds);
        for (int r = 0; r < rounds; r++)
        {
            final SnapshotCodec.Image image = SnapshotCodec.capture(engine, 1_700_000_000_000L);
            System.gc();
            long w0 = System.nanoTime();
            long c0 = cpu();
            SnapshotCodec.write(image, file);
            write.add(System.nanoTime() - w0, cpu() - c0);
            System.gc();
            w0 = System.nanoTime();
            c0 = cpu();
            final SnapshotData data = SnapshotCodec.read(file);
            read.add(System.nanoTime() - w0, cpu() - c0);
            final AllocatorEngine target = new AllocatorEngine(RandomSource.seeded(2), 65_536);
            System.gc();
            w0 = System.nanoTime();
            c0 = cpu();
            data.restoreInto(target);
            rebuild.add(System.nanoTime() - w0, cpu() - c0);
        }
        System.out.printf(Locale.ROOT, "snapshot of %,d allocations: %,d bytes%n", n, Files.size(file));
        write.print();
        read.print();
        rebuild.print();
        Files.deleteIfExists(file);
    }

    private static IpamConfig config(final int n)
    {
        return IpamConfig.builder().storeCapacity(n + 1000).randomSource(() -> RandomSource.seeded(3)).build();
    }

    private static void fill(final Path dir, final int n)
    {
        try (Ipam ipam = DurableIpam.open(dir, config(n)))
        {
            ipam.createSubnet(SubnetSpec.builder("v4", "10.0.0.0/8").build());
            ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
            int done = 0;
            while (done < n)
            {
                final int chunk = Math.min(65_536, n - done);
                ipam.allocateBulk(done % 2 == 0 ? "v4" : "v6", new UUID(1, done % 5000), chunk);
                done += chunk;
            }
        }
    }

    private static void pairs(final int k, final int rounds) throws Exception
    {
        final Path dir = Files.createTempDirectory("ipam-pairs");
        final Times times = new Times("pairs", rounds);
        try (Ipam ipam = DurableIpam.open(dir.resolve("s"), config(1_000_000)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            final UUID owner = new UUID(1, 2);
            ipam.allocateBulk("s", owner, 30_000);   // half full, as the bench's target
            for (int r = 0; r < rounds; r++)
            {
                final long w0 = System.nanoTime();
                final long c0 = cpu();
                for (int i = 0; i < k; i++)
                {
                    ipam.release("s", ipam.allocate("s", owner));
                }
                times.add(System.nanoTime() - w0, cpu() - c0);
            }
        }
        times.print();
    }

    private static void open(final Path dir, final int n, final int rounds) throws Exception
    {
        final Path empty = Files.createTempDirectory("ipam-open-empty");
        DurableIpam.open(empty.resolve("s"), IpamConfig.builder().storeCapacity(1000).build()).close();
        final Times open = new Times("open", rounds);
        for (int r = 0; r < rounds; r++)
        {
            System.gc();
            final long w0 = System.nanoTime();
            final long c0 = cpu();
            try (Ipam ipam = DurableIpam.open(dir, config(n)))
            {
                open.add(System.nanoTime() - w0, cpu() - c0);
                final long held = ipam.subnet("v4").allocated() + ipam.subnet("v6").allocated();
                if (held != n)
                {
                    throw new IllegalStateException("open lost allocations: " + held);
                }
            }
        }
        open.print();
    }
}
