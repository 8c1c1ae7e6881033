package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RANDOM draws ranks uniformly over all pool addresses and finds a rank's pool, and an offset's pool, through
 * tables (O(1) however many pools): with 1,024 pools it must still hand out every pool address exactly once, only
 * pool addresses, and follow releases; and the tables must agree with a plain walk over the pools for any layout,
 * IPv6 /64 included.
 */
class PoolPickTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

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
            b.pool(AddressText.formatV4(first), AddressText.formatV4(last));
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
            while (engine.allocate(h, 1, held.size(), 0, AllocationTerms.NONE, OUT) == AllocatorEngine.OK)
            {
                final long a = OUT.address();
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

    @Test
    void shouldFindTheSamePoolAsAWalkForAnyLayout()
    {
        final long seed = System.nanoTime();
        System.out.println("PoolPickTest layouts seed " + seed);
        final SplittableRandom rnd = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++)
        {
            final boolean v6 = rnd.nextBoolean();
            final int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 1500);
            final long span = v6 ? Long.MAX_VALUE / n : 65_000 / n;
            final long[] first = new long[n];
            final long[] last = new long[n];
            long at = 1;
            for (int i = 0; i < n; i++)
            {
                // mixed sizes: many tiny pools beside a few huge ones
                first[i] = at + rnd.nextLong(Math.max(1, span / 4));
                last[i] = first[i] + (rnd.nextInt(10) == 0 ? rnd.nextLong(Math.max(1, span / 2)) : rnd.nextInt(3));
                at = last[i] + 1 + (v6 ? rnd.nextLong(1, 1L << 40) : 1);
            }
            final Subnet s = new Subnet(0, "s", null, AddressText.parseCidr(v6 ? "2001:db8::/64" : "10.0.0.0/16",
                "cidr"), AllocationStrategy.RANDOM, new long[n], first, new long[n], last);
            s.setPools(first, last);
            for (int k = 0; k < 2_000; k++)
            {
                final long r = Long.remainderUnsigned(rnd.nextLong(), s.poolTotal);
                int walk = 0;
                while (Long.compareUnsigned(s.poolStart[walk + 1], r) <= 0)
                {
                    walk++;
                }
                assertEquals(walk, s.poolAtRank(r), "rank " + r + " (seed " + seed + ")");
                final long offset = rnd.nextBoolean() ? first[rnd.nextInt(n)] + rnd.nextInt(3) : rnd.nextLong(at + 5);
                int pool = -1;
                for (int i = 0; i < n; i++)
                {
                    if (Long.compareUnsigned(offset, first[i]) >= 0 && Long.compareUnsigned(offset, last[i]) <= 0)
                    {
                        pool = i;
                    }
                }
                assertEquals(pool, s.poolOf(offset), "offset " + offset + " (seed " + seed + ")");
            }
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
