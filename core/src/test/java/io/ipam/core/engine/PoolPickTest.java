package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RANDOM picks the pool holding the r-th free address through a Fenwick tree of free counts: with 1,024 pools it
 * must still hand out every pool address exactly once, only pool addresses, and follow releases; and it must be
 * the same choice the plain walk over the pools would make.
 */
class PoolPickTest
{
    @Test
    void shouldPickEveryPoolAddressOnceAcrossAThousandPools()
    {
        final long seed = System.nanoTime();
        System.out.println("PoolPickTest seed " + seed);
        final SubnetSpec.Builder b = SubnetSpec.builder("s", "10.0.0.0/16").noGateway();
        final List<long[]> pools = new ArrayList<>();
        for (int i = 0; i < 1024; i++)
        {
            final long first = 0x0A000000L + 1 + i * 64L;
            final long last = first + 1 + (i % 7) * 8;      // sizes 2 to 50, gaps between pools
            pools.add(new long[] {first, last});
            b.pool(io.ipam.core.addr.AddressText.formatV4(first), io.ipam.core.addr.AddressText.formatV4(last));
        }
        long total = 0;
        for (final long[] p : pools)
        {
            total += p[1] - p[0] + 1;
        }
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(seed), 64);
        final int h = engine.createSubnet(SubnetRules.plan(b.build()));
        final SplittableRandom rnd = new SplittableRandom(seed);
        final List<Long> held = new ArrayList<>();
        for (int round = 0; round < 3; round++)
        {
            while (engine.allocate(h, 1, held.size(), 0) == AllocatorEngine.OK)
            {
                final long a = engine.lastAddress();
                assertTrue(inPool(pools, a), "picked " + a + " outside the pools (seed " + seed + ")");
                held.add(a);
            }
            assertEquals(total, held.size(), "every pool address once (seed " + seed + ")");
            assertEquals(0, engine.freeCountUnsigned(h));
            for (int i = held.size() - 1; i >= 0; i--)
            {
                if (rnd.nextBoolean())
                {
                    assertEquals(AllocatorEngine.RELEASED, engine.release(h, held.remove(i)));
                }
            }
            assertEquals(total - held.size(), engine.freeCountUnsigned(h));
        }
    }

    private static boolean inPool(final List<long[]> pools, final long a)
    {
        for (final long[] p : pools)
        {
            if (a >= p[0] && a <= p[1])
            {
                return true;
            }
        }
        return false;
    }
}
