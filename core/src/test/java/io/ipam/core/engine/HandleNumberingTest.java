package io.ipam.core.engine;

import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Handles are never reused, and a rebuilt engine can number its subnets as the one it copies
 * ({@link AllocatorEngine#nextHandle(int)}).
 */
class HandleNumberingTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

    @Test
    void shouldGiveTheNextSubnetTheHandleAskedFor()
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int first = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("a", "10.0.0.0/24").build()));
        assertEquals(first + 1, engine.nextHandle());
        engine.nextHandle(first + 40);
        final int b = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("b", "10.1.0.0/24").build()));
        assertEquals(first + 40, b);
        assertEquals(b, engine.handle("b"));
        assertEquals(AllocatorEngine.OK, engine.allocate(b, 1, 2, 3, AllocationTerms.NONE, OUT));
        // a skipped handle names no subnet
        assertEquals(null, engine.subnetId(first + 5));
        assertThrows(IllegalArgumentException.class, () -> engine.nextHandle(first));
        // growing past the table's length
        engine.nextHandle(b + 5_000);
        assertEquals(b + 5_000, engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("c", "10.2.0.0/24").build())));
        assertThrows(IpamException.class,
            () -> engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("c", "10.3.0.0/24").build())));
    }
}
