package io.ipam.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lease heap against a sorted model, seeded: set, move (renew), clear (release) and take the first, across
 * many heap pages and record pages; the first is always the earliest expiry.
 */
class LeasesTest
{
    @Test
    void shouldAlwaysKnowTheEarliestLease()
    {
        final long seed = System.nanoTime();
        System.out.println("LeasesTest seed " + seed);
        final SplittableRandom rnd = new SplittableRandom(seed);
        final Leases leases = new Leases();
        final Map<Integer, Long> expiry = new HashMap<>();
        final TreeSet<long[]> order = new TreeSet<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) :
            Long.compare(a[1], b[1]));
        for (int step = 0; step < 200_000; step++)
        {
            final int r = rnd.nextInt(50_000);
            final int op = rnd.nextInt(10);
            if (op < 5)
            {
                final long e = rnd.nextLong(1_000_000);
                final Long before = expiry.put(r, e);
                if (before != null)
                {
                    order.remove(new long[] {before, r});
                }
                order.add(new long[] {e, r});
                leases.set(r, e);
            }
            else if (op < 8)
            {
                final Long before = expiry.remove(r);
                if (before != null)
                {
                    order.remove(new long[] {before, r});
                }
                leases.clear(r);
                assertFalse(leases.leased(r), "seed " + seed);
            }
            else if (!order.isEmpty())
            {
                final long[] first = order.pollFirst();
                final int got = leases.first();
                assertEquals(first[0], leases.expiresAt(got), "earliest expiry (seed " + seed + ")");
                expiry.remove(got);
                if (got != (int)first[1])
                {
                    // a tie: another record with the same expiry came first; take that one from the model instead
                    order.add(first);
                    order.remove(new long[] {first[0], got});
                }
                leases.clear(got);
            }
            assertEquals(expiry.size(), leases.size(), "seed " + seed);
        }
        for (final Map.Entry<Integer, Long> e : expiry.entrySet())
        {
            assertTrue(leases.leased(e.getKey()));
            assertEquals((long)e.getValue(), leases.expiresAt(e.getKey()));
        }
    }
}
