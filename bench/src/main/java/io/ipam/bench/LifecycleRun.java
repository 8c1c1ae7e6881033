package io.ipam.bench;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import org.HdrHistogram.Histogram;

/**
 * Issue 14's lifecycle targets on this machine, in one run:
 * <ol>
 *   <li>heap per lease and per cooling address: full-GC heap after N leased allocations less after N without a
 *   lease, and after N released into a subnet with a cooldown less after N released into one without;</li>
 *   <li>a million leases falling due at once, on the engine alone: how long each tick of the sweep holds the writer
 *   (the most a request can wait behind it);</li>
 *   <li>the same through the allocator: the latency of allocate+release pairs in another subnet while the writer's
 *   ticker (and each command's bounded share) expires them, beside the same probe with nothing to expire, and how
 *   long the million took.</li>
 * </ol>
 * Usage: {@code java <flags> -Xmx8g -cp bench/target/benchmarks.jar io.ipam.bench.LifecycleRun [N]} (N default
 * 1,000,000).
 */
public final class LifecycleRun
{
    private static final long T0 = 1_800_000_000_000L;

    private LifecycleRun()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final int bulk = 1000;
        final AtomicLong clock = new AtomicLong(T0);
        final UUID owner = new UUID(7, 7);

        // 1. bytes per lease and per cooling address
        final long[] perLease = new long[2];
        final long[] perCooling = new long[2];
        for (int variant = 0; variant < 2; variant++)
        {
            try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get).maxBulk(bulk).build()))
            {
                ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").strategy(AllocationStrategy.LOWEST)
                    .cooldown(variant == 0 ? Duration.ZERO : Duration.ofHours(1)).build());
                final AllocationOptions lease = variant == 0 ? AllocationOptions.none() :
                    AllocationOptions.builder().lease(Duration.ofHours(1)).build();
                final long before = MemoryRun.usedAfterGc();
                for (int i = 0; i < n; i += bulk)
                {
                    ipam.allocateBulk("big", owner, bulk, lease);
                }
                perLease[variant] = MemoryRun.usedAfterGc() - before;
                // release every address (the leased variant's subnet cools them)
                final long held = MemoryRun.usedAfterGc();
                ipam.releaseOwner(owner);
                perCooling[variant] = MemoryRun.usedAfterGc() - held;
                System.out.printf("variant %s: %d allocations +%,d bytes, released -> %+,d bytes (cooling %d)%n",
                    variant == 0 ? "plain" : "leased+cooldown", n, perLease[variant], perCooling[variant],
                    ipam.subnet("big").cooling());
            }
        }
        System.out.printf("heap per lease: %.1f bytes (leased %,d less plain %,d, over %,d)%n",
            (perLease[1] - perLease[0]) / (double)n, perLease[1], perLease[0], n);
        System.out.printf("heap per cooling address: %.1f bytes (after release: with cooldown %+,d, without %+,d)%n",
            (perCooling[1] - perCooling[0]) / (double)n, perCooling[1], perCooling[0]);

        sweepSteps(n);

        // 2. a million leases due at once, with a probe in another subnet
        clock.set(T0);
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get).maxBulk(bulk).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("leases", "10.0.0.0/8").strategy(AllocationStrategy.LOWEST).build());
            ipam.createSubnet(SubnetSpec.builder("probe", "172.16.0.0/16").build());
            final AllocationOptions lease = AllocationOptions.builder().lease(Duration.ofMinutes(1)).build();
            for (int i = 0; i < n; i += bulk)
            {
                ipam.allocateBulk("leases", owner, bulk, lease);
            }
            final Histogram quiet = probe(ipam, 200_000, null, 0);
            final long base = ipam.lastSequence();
            clock.addAndGet(Duration.ofMinutes(1).toMillis()); // every lease is due now
            final long start = System.nanoTime();
            final long[] sweepNs = {0};
            final Histogram during = probe(ipam, Integer.MAX_VALUE, sweepNs, base + n);
            final long expiredIn = sweepNs[0] - start;
            System.out.printf("probe, nothing due: %,d pairs, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
                quiet.getTotalCount(), us(quiet, 50), us(quiet, 99), us(quiet, 99.9), quiet.getMaxValue() / 1e3);
            System.out.printf("probe while %,d leases expire: %,d pairs, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, " +
                "max %.1f us%n", n, during.getTotalCount(), us(during, 50), us(during, 99), us(during, 99.9),
                during.getMaxValue() / 1e3);
            System.out.printf("%,d leases expired in %.2f s (%,.0f expiries/s); allocated in 'leases' now %d%n", n,
                expiredIn / 1e9, n / (expiredIn / 1e9), ipam.subnet("leases").allocated());
        }
    }

    /**
     * The writer's side of the sweep, engine only: how long each step that expires due leases holds the writer
     * (a {@code TICK} of 256, a command's own share of 64): the longest any request can wait behind the sweep,
     * whatever else the machine runs.
     */
    private static void sweepSteps(final int n)
    {
        final AllocatorEngine e = new AllocatorEngine(RandomSource.keyed(new byte[32], 1), 1000);
        final int h = e.createSubnet(SubnetRules.plan(
            SubnetSpec.builder("leases", "10.0.0.0/8").strategy(AllocationStrategy.LOWEST).build()));
        final long[] out = new long[1000];
        e.beginCommand(T0);
        final AllocationTerms leased = new AllocationTerms().set(null, 60_000);
        for (int i = 0; i < n; i += 1000)
        {
            e.allocateBulk(h, 1000, 7, 7, T0, leased, out);
        }
        // the step of the command that finds them due (its share of 64), then the ticks
        e.beginCommand(T0 + 60_000);
        final Histogram ticks = new Histogram(3_600_000_000_000L, 3);
        final long start = System.nanoTime();
        while (true)
        {
            final long t0 = System.nanoTime();
            final boolean more = e.tick(256);
            ticks.recordValue(System.nanoTime() - t0);
            if (!more)
            {
                break;
            }
        }
        final long took = System.nanoTime() - start;
        System.out.printf("engine: %,d leases expired by %,d ticks of 256 in %.2f s; a tick holds the writer " +
            "p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (allocated now %d)%n", n, ticks.getTotalCount(),
            took / 1e9, us(ticks, 50), us(ticks, 99), us(ticks, 99.9), ticks.getMaxValue() / 1e3, e.allocatedCount(h));
    }

    private static double us(final Histogram h, final double p)
    {
        return h.getValueAtPercentile(p) / 1e3;
    }

    /**
     * Allocate+release pairs in the probe subnet, each timed; stop after {@code pairs}, or (when {@code done} is
     * given) once the change feed shows {@code target} changes not made by the probe.
     */
    private static Histogram probe(final Ipam ipam, final int pairs, final long[] done, final long target)
    {
        final Histogram h = new Histogram(3_600_000_000_000L, 3);
        final UUID owner = new UUID(9, 9);
        long probeChanges = 0;
        for (int i = 0; i < pairs; i++)
        {
            final long t0 = System.nanoTime();
            final String a = ipam.allocate("probe", owner);
            ipam.release("probe", a);
            h.recordValue(System.nanoTime() - t0);
            probeChanges += 2;
            if (done != null && (i & 255) == 0 && ipam.lastSequence() - probeChanges >= target)
            {
                done[0] = System.nanoTime();
                break;
            }
        }
        return h;
    }
}
