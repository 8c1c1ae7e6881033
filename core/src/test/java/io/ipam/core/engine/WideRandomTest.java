package io.ipam.core.engine;

import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 22's target, through the engine: 1,000,000 RANDOM allocations in a /48 (the default pool: 2^80 - 2
 * addresses) spread over the whole pool. The top 16 bits of the 80-bit offset take every value about equally:
 * chi-square over 65,536 cells at p > 0.001 (Wilson-Hilferty), with a fixed key. A pick confined to a low window, or
 * drawing the high part badly, fails it.
 */
class WideRandomTest
{
    @Test
    void shouldSpreadAMillionRandomAllocationsOverAWholeSlash48()
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.keyed(new byte[32], 22), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "2001:db8::/48").build()));
        final long hi = engine.subnetHigh(h);
        final EngineResult out = new EngineResult();
        final int n = 1_000_000;
        final int cells = 1 << 16;
        final long[] counts = new long[cells];
        for (int i = 0; i < n; i++)
        {
            assertEquals(AllocatorEngine.OK, engine.allocate(h, 1, i, 0, AllocationTerms.NONE, out));
            assertEquals(hi, out.addressHi() & ~0xFFFFL, "inside the /48");
            counts[(int)(out.addressHi() & 0xFFFF)]++;
        }
        assertEquals(n, engine.allocatedCount(h));
        final double expected = (double)n / cells;
        double chi = 0;
        for (final long c : counts)
        {
            chi += (c - expected) * (c - expected) / expected;
        }
        final double df = cells - 1;
        final double critical = df * Math.pow(1 - 2 / (9 * df) + 3.0902 * Math.sqrt(2 / (9 * df)), 3);
        System.out.println("WideRandomTest: 1,000,000 allocations in a /48, chi-square of the top 16 bits " + chi +
            " (df " + df + ", critical at p=0.001 " + critical + ")");
        assertTrue(chi < critical, "chi-square " + chi + " over the top 16 bits is above " + critical);
    }
}
