package io.ipam.core.engine;

import java.time.Duration;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's periodic step on the engine alone: cooled addresses come back and due leases expire, a bounded
 * number per tick, in every subnet that has them and only when due.
 */
class TickTest
{
    private static final long T0 = 1_000_000;

    @Test
    void shouldReturnCooledAddressesAndExpireLeasesABudgetAtATime()
    {
        final AllocatorEngine e = new AllocatorEngine(RandomSource.seeded(1), 64);
        final int[] h = new int[3];
        for (int i = 0; i < 3; i++)
        {
            h[i] = e.createSubnet(SubnetRules.plan(SubnetSpec.builder("s" + i, "10." + i + ".0.0/24")
                .strategy(AllocationStrategy.LOWEST).cooldown(Duration.ofSeconds(10)).build()));
        }
        e.lifecycle().advance(T0);
        final long[] out = new long[10];
        for (int i = 0; i < 3; i++)
        {
            e.allocateBulk(h[i], 10, 1, 1, T0, AllocationTerms.NONE, out);
            for (final long a : out)
            {
                e.release(h[i], a);
            }
        }
        e.lifecycle().advance(T0 + 9_999);
        assertFalse(e.tick(100), "nothing has cooled yet");
        assertEquals(10, e.admin().counts("s2")[2]);
        e.lifecycle().advance(T0 + 10_000);
        assertTrue(e.tick(25), "25 of 30 cooled addresses: more to do");
        assertFalse(e.tick(25));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, e.admin().counts("s" + i)[2], "subnet s" + i);
        }
        // leases: 30 due at once, 20 per tick
        e.allocateBulk(h[0], 30, 2, 2, T0 + 10_000, new AllocationTerms().set(null, 1_000), new long[30]);
        e.lifecycle().advance(T0 + 11_000);
        assertTrue(e.tick(20));
        assertEquals(10, e.admin().counts("s0")[3]);
        assertFalse(e.tick(20));
        assertEquals(0, e.admin().counts("s0")[0]);
        assertEquals(30, e.admin().counts("s0")[2], "expired addresses cool");
    }
}
