package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * {@link Allocations#load} and the {@link Restorer}'s batches against allocations made one at a time: random sets
 * of addresses (dense runs and scattered ones, any order), loaded in bulk into one engine and allocated one by one
 * into another; both must then agree on every owner, time, count and free count, and on the next LOWEST pick.
 * Duplicates and addresses outside the usable range are refused. The seed is printed; replay with
 * {@code -Dipam.load.seed=}.
 */
class BulkLoadTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

    private static final long SEED = Long.getLong("ipam.load.seed", System.nanoTime());

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.0.0.0/24", "10.0.0.0/16", "10.0.0.0/8", "12.0.0.0/7", "2001:db8::/64", "2001:db8::/112"})
    void shouldMatchOneAtATime(final String cidr)
    {
        final long seed = SEED ^ cidr.hashCode();
        System.out.println("BulkLoadTest " + cidr + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final AllocatorEngine bulk = new AllocatorEngine(RandomSource.seeded(1), 16);
        final AllocatorEngine single = new AllocatorEngine(RandomSource.seeded(1), 16);
        final SubnetSpec spec = SubnetSpec.builder("s", cidr).strategy(AllocationStrategy.LOWEST)
            .build();
        final int hb = bulk.createSubnet(SubnetRules.plan(spec));
        final int hs = single.createSubnet(SubnetRules.plan(spec));
        final Subnet s = bulk.require("s");
        final long span = Long.compareUnsigned(s.usableLast - s.usableFirst, 200_000) > 0 ? 200_000 :
            s.usableLast - s.usableFirst + 1;
        final TreeMap<Long, long[]> model = new TreeMap<>(Long::compareUnsigned);
        final int n = (int)Math.min(span * 3 / 4, 20_000);
        while (model.size() < n)
        {
            final long offset = random.nextInt(4) == 0 ? s.usableLast - random.nextInt((int)Math.min(span, 1000)) :
                s.usableFirst + random.nextLong(span);
            model.put(s.addressOf(offset), new long[] {random.nextInt(50), random.nextLong(1L << 41)});
        }
        final List<Long> order = new ArrayList<>(model.keySet());
        final boolean shuffled = random.nextBoolean();
        if (shuffled)
        {
            Collections.shuffle(order, new Random(seed));
        }
        final Restorer loader = new Restorer(bulk, what -> new IpamException(ErrorCode.STORE_CORRUPT, what));
        for (final long a : order)
        {
            final long[] v = model.get(a);
            loader.allocation("s", a, 9, v[0], v[1]);
            assertEquals(AllocatorEngine.OK, single.allocateSpecific(hs, a, 9, v[0], v[1], AllocationTerms.NONE, OUT),
                "seed " + seed);
        }
        loader.finish();
        assertEquals(single.allocatedCount(hs), bulk.allocatedCount(hb), "seed " + seed);
        assertEquals(single.freeCountUnsigned(hs), bulk.freeCountUnsigned(hb), "seed " + seed);
        for (final long a : model.keySet())
        {
            assertEquals(AllocatorEngine.FOUND, bulk.ownerOf(hb, a, OUT), "seed " + seed + " address " + a);
            assertEquals(model.get(a)[0], OUT.ownerLsb(), "seed " + seed);
            assertEquals(model.get(a)[1], OUT.timeMs(), "seed " + seed);
        }
        for (int i = 0; i < 100; i++)
        {
            final EngineResult fromSingle = new EngineResult();
            final int rc = single.allocateNext(hs, 1, 1, 1, AllocationTerms.NONE, fromSingle);
            assertEquals(rc, bulk.allocateNext(hb, 1, 1, 1, AllocationTerms.NONE, OUT), "seed " + seed);
            if (rc == AllocatorEngine.OK)
            {
                assertEquals(fromSingle.address(), OUT.address(), "next pick " + i + ", seed " + seed);
            }
        }
        assertEquals(single.releaseOwner(9, 3, null), bulk.releaseOwner(9, 3, null), "seed " + seed);
        assertEquals(single.allocatedCount(hs), bulk.allocatedCount(hb), "seed " + seed);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.0.0.0/24", "10.0.0.0/8", "2001:db8::/64"})
    void shouldRefuseDuplicatesAndUnusableAddresses(final String cidr)
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", cidr).build()));
        final long base = engine.cidr("s").address().lo();
        final long[] zeros = new long[3];
        assertEquals(ErrorCode.ADDRESS_TAKEN.resultCode(),
            engine.allocations().load(h, new long[] {base + 5, base + 7, base + 5}, zeros, zeros, zeros, 3));
        final AllocatorEngine other = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h2 = other.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", cidr).build()));
        assertEquals(ErrorCode.ADDRESS_INVALID.resultCode(),
            other.allocations().load(h2, new long[] {base + 5, base}, zeros, zeros, zeros, 2));
        assertEquals(0, other.allocatedCount(h2), "range is checked before anything is loaded");
        assertNotEquals(AllocatorEngine.OK,
            other.allocations().load(h2 + 5, new long[] {base + 5}, zeros, zeros, zeros, 1));
    }
}
