package io.ipam.bench;

import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;

/**
 * Issue 13: "a RANDOM pick costs the same with 1 pool or 1,024". Engine only, one thread: RANDOM allocate +
 * release pairs in a 10.0.0.0/16 held half full, with its pool space in 1, 16 or 1,024 pools (each of 62
 * addresses for the split cases), best of 5 rounds of 2,000,000 pairs, the cases alternating twice.
 * Usage: {@code java <flags> -cp bench/target/benchmarks.jar io.ipam.bench.PoolsRun [POOLS]} (one case only, for a
 * profile).
 */
public final class PoolsRun
{
    /** Where the engine writes what a call made. */
    private static final EngineResult OUT = new EngineResult();

    private PoolsRun()
    {
    }

    static double run(final int pools)
    {
        final SubnetSpec.Builder b = SubnetSpec.builder("s", "10.0.0.0/16").noGateway();
        if (pools == 1)
        {
            b.pool("10.0.0.1", "10.0.255.254");
        }
        else
        {
            final int step = 65536 / pools;
            for (int i = 0; i < pools; i++)
            {
                final long f = 0x0A000000L + 1 + (long)i * step;
                b.pool(AddressText.formatV4(f), AddressText.formatV4(f + Math.min(61, step - 3)));
            }
        }
        final AllocatorEngine e = new AllocatorEngine(RandomSource.keyed(new byte[32], 1), 64);
        final int h = e.createSubnet(SubnetRules.plan(b.build()));
        final long free = e.freeCountUnsigned(h);
        for (long i = 0; i < free / 2; i++)
        {
            e.allocate(h, 1, 1, 0, AllocationTerms.NONE, OUT);
        }
        double best = 0;
        for (int r = 0; r < 5; r++)
        {
            final long t0 = System.nanoTime();
            for (int i = 0; i < 2_000_000; i++)
            {
                e.allocate(h, 2, 2, 0, AllocationTerms.NONE, OUT);
                e.release(h, OUT.address());
            }
            best = Math.max(best, 2e6 * 1e9 / (System.nanoTime() - t0));
        }
        return best;
    }

    public static void main(final String[] args)
    {
        if (args.length > 0)
        {
            // one case only (profiling): PoolsRun 1024
            final int pools = Integer.parseInt(args[0]);
            System.out.printf("%d pools %.2f M pairs/s%n", pools, run(pools) / 1e6);
            return;
        }
        for (int k = 0; k < 2; k++)
        {
            final double one = run(1);
            final double sixteen = run(16);
            final double many = run(1024);
            System.out.printf("1 pool %.2f M pairs/s, 16 pools %.2f M pairs/s, 1024 pools %.2f M pairs/s " +
                "(1024 / 1: %.2f)%n", one / 1e6, sixteen / 1e6, many / 1e6, many / one);
        }
    }
}
