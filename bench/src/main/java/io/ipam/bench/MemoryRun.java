package io.ipam.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.Locale;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;

/**
 * Heap held per allocation, owner and time included (single shots, so not JMH): for each case a fresh engine,
 * heap used after full GCs before and after the allocations, divided by their number. Cases: 1%, 10%, 50%, 99%
 * of a /16 and of a /8 (RANDOM), 10 M in a /8 LOWEST and RANDOM, 10 M RANDOM over a whole IPv6 /64, 1 M distinct
 * owners in a /8, and the cost of an empty subnet of several sizes. Owners: 5,000 distinct unless said.
 * Run: {@code java -Xmx12g -cp bench/target/benchmarks.jar io.ipam.bench.MemoryRun [scale]} where scale (default
 * 1.0) multiplies the 10 M and 1 M counts.
 */
public final class MemoryRun
{
    /** Where the engine writes what a call made. */
    private static final EngineResult OUT = new EngineResult();

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private MemoryRun()
    {
    }

    static long usedAfterGc()
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++)
        {
            System.gc();
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * @param args optional scale.
     */
    public static void main(final String[] args)
    {
        final double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        final int tenMillion = (int)(10_000_000 * scale);
        final int oneMillion = (int)(1_000_000 * scale);
        System.out.println("case | allocations | bytes of heap per allocation");
        System.out.println("---|---|---");
        for (final int pct : new int[] {1, 10, 50, 99})
        {
            fill("10.0.0.0/16 RANDOM " + pct + "%", "10.0.0.0/16", AllocationStrategy.RANDOM,
                (int)(65_534L * pct / 100), 5000);
        }
        // 13% and 25%: just past the fills where the record index's sparse pages turn dense (8,192 of 65,536)
        for (final int pct : new int[] {1, 10, 13, 25, 50, 99})
        {
            fill("10.0.0.0/8 RANDOM " + pct + "%", "10.0.0.0/8", AllocationStrategy.RANDOM,
                (int)(16_777_214L * pct / 100), 5000);
        }
        fill("10.0.0.0/8 LOWEST 10 M", "10.0.0.0/8", AllocationStrategy.LOWEST, tenMillion, 5000);
        fill("10.0.0.0/8 RANDOM 10 M", "10.0.0.0/8", AllocationStrategy.RANDOM, tenMillion, 5000);
        fill("2001:db8::/64 RANDOM 10 M", "2001:db8::/64", AllocationStrategy.RANDOM, tenMillion, 5000);
        fill("10.0.0.0/8 RANDOM 1 M distinct owners", "10.0.0.0/8", AllocationStrategy.RANDOM, oneMillion,
            oneMillion);
        System.out.println();
        System.out.println("empty subnet | bytes each (1,000 subnets)");
        System.out.println("---|---");
        for (final String prefix : new String[] {"/24", "/16", "/8", "/1", "v6 /64", "v6 /96", "v6 /112"})
        {
            empty(prefix);
        }
    }

    private static void fill(final String name, final String cidr, final AllocationStrategy strategy, final int n,
        final int owners)
    {
        final long before = usedAfterGc();
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 65_536);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", cidr).strategy(strategy).build()));
        for (int i = 0; i < n; i++)
        {
            final int rc = engine.allocate(h, 7, i % owners, 1_700_000_000_000L + i, AllocationTerms.NONE, OUT);
            if (rc != AllocatorEngine.OK)
            {
                throw new IllegalStateException(name + ": allocation " + i + " failed: " + rc);
            }
        }
        final long after = usedAfterGc();
        System.out.printf(Locale.ROOT, "%s | %,d | %.1f%n", name, n, (after - before) / (double)n);
        Reference.reachabilityFence(engine);
    }

    private static void empty(final String prefix)
    {
        final int count = 1000;
        final long before = usedAfterGc();
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        for (int i = 0; i < count; i++)
        {
            final String cidr;
            switch (prefix)
            {
                case "/24":
                    cidr = "10." + (i >> 8) + "." + (i & 255) + ".0/24";
                    break;
                case "/16":
                    cidr = (1 + i / 256) + "." + (i % 256) + ".0.0/16";
                    break;
                case "v6 /64":
                    cidr = "2001:db8:0:" + Integer.toHexString(i) + "::/64";
                    break;
                case "v6 /96":
                    cidr = "2001:db8:" + Integer.toHexString(i) + "::/96";
                    break;
                case "v6 /112":
                    cidr = "2001:db8::" + Integer.toHexString(i) + ":0/112";
                    break;
                default:
                    cidr = null;
            }
            // /8 and /1 cannot be 1,000 disjoint subnets in one tenant: one tenant each
            final SubnetSpec.Builder spec = cidr != null ? SubnetSpec.builder("s" + i, cidr) :
                SubnetSpec.builder("s" + i, prefix.equals("/8") ? "10.0.0.0/8" : "0.0.0.0/1").tenant("t" + i);
            engine.createSubnet(SubnetRules.plan(spec.build()));
        }
        final long after = usedAfterGc();
        System.out.printf(Locale.ROOT, "%s | %,.0f%n", prefix, (after - before) / (double)count);
        Reference.reachabilityFence(engine);
    }
}
