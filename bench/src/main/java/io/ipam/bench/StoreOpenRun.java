package io.ipam.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.persistence.DurableIpam;

/**
 * Durable store at scale (single shots): Chronicle's start-up compile cost (the first, empty store opened in
 * this JVM), the fill rate through the facade in bulk, and the open time of a store holding N allocations
 * (default 10,000,000): twice after a clean close (from its checkpoint), once after a simulated crash (the dirty
 * marker: Chronicle's recovery, then the maps), once from the maps without recovery; each with the close that
 * follows (which writes the next checkpoint). Run with the launcher's JVM flags:
 * {@code java <flags> -cp bench/target/benchmarks.jar io.ipam.bench.StoreOpenRun [N]}.
 */
public final class StoreOpenRun
{
    private StoreOpenRun()
    {
    }

    private static void open(final Path store, final IpamConfig config, final String what)
    {
        final long o0 = System.nanoTime();
        final Ipam ipam = DurableIpam.open(store, config);
        final long o1 = System.nanoTime();
        final long allocated = ipam.subnet("v4").allocated();
        final boolean consumed = !Files.exists(store.resolve("ipam.checkpoint"));
        final long c0 = System.nanoTime();
        ipam.close();
        final long c1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "open %s with %,d allocations: %.2f s (checkpoint file %s); close (writes " +
            "the next checkpoint): %.2f s%n", what, allocated, (o1 - o0) / 1e9, consumed ? "consumed" : "LEFT",
            (c1 - c0) / 1e9);
    }

    /**
     * @param args optional allocation count.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final Path dir = Files.createTempDirectory("ipam-open-run");
        try
        {
            final long s0 = System.nanoTime();
            DurableIpam.open(dir.resolve("empty"), IpamConfig.builder().storeCapacity(1000).build()).close();
            System.out.printf(Locale.ROOT, "first store opened in this JVM (Chronicle compile): %.2f s%n",
                (System.nanoTime() - s0) / 1e9);
            final IpamConfig config = IpamConfig.builder().storeCapacity(n + 1000).build();
            final long f0 = System.nanoTime();
            try (Ipam ipam = DurableIpam.open(dir.resolve("big"), config))
            {
                ipam.createSubnet(SubnetSpec.builder("v4", "10.0.0.0/8").build());
                int done = 0;
                while (done < n)
                {
                    final int chunk = Math.min(65_536, n - done);
                    ipam.allocateBulk("v4", new UUID(1, done % 5000), chunk);
                    done += chunk;
                }
            }
            System.out.printf(Locale.ROOT, "filled %,d durable allocations in %.1f s (%.0f/s, bulk; with the " +
                "close and its checkpoint)%n", n, (System.nanoTime() - f0) / 1e9, n / ((System.nanoTime() - f0) / 1e9));
            final Path big = dir.resolve("big");
            final Path checkpoint = big.resolve("ipam.checkpoint");
            // after a clean close: the checkpoint; the open consumes it, the close writes the next one
            for (int round = 0; round < 2; round++)
            {
                final String from = Files.exists(checkpoint) ? "checkpoint" : "NO checkpoint";
                open(big, config, "after a clean close (" + from + ")");
            }
            // after a crash: the dirty marker a killed process leaves (the checkpoint of the last clean close is
            // there, and must not be used): Chronicle's recovery, then every entry of the maps
            Files.write(big.resolve("ipam.dirty"), new byte[0]);
            open(big, config, "after a crash (dirty marker: recovery, then the maps)");
            // the maps without recovery: what the open did before checkpoints
            Files.deleteIfExists(checkpoint);
            open(big, config, "without a checkpoint, no recovery (the maps)");
        }
        finally
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
