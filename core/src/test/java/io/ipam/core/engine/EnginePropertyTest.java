package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.IpAddress;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 200,000 random operations against the engine and a naive model (a sorted map per subnet). Any disagreement
 * fails with the seed and the operation number, so a run can be replayed with {@code -Dipam.property.seed=}.
 */
class EnginePropertyTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

    private static final long SEED = Long.getLong("ipam.property.seed", 20261122L);
    private static final int OPS = Integer.getInteger("ipam.property.ops", 200_000);
    private static final int OWNERS = 40;

    /** One subnet of the model: allocations by offset (unsigned order) and pool bounds. */
    private static final class ModelSubnet
    {
        final String id;
        final int handle;
        final boolean v6;
        final long hi;
        final long base;
        final long usableFirst;
        final long usableLast;
        final boolean lowest;
        final long lastOffset;
        long[][] pools;
        final TreeMap<Long, Integer> allocated = new TreeMap<>(Long::compareUnsigned);

        ModelSubnet(final String id, final int handle, final boolean v6, final long hi, final long base,
            final long usableFirst, final long usableLast, final boolean lowest, final long[][] pools,
            final long lastOffset)
        {
            this.lastOffset = lastOffset;
            this.id = id;
            this.handle = handle;
            this.v6 = v6;
            this.hi = hi;
            this.base = base;
            this.usableFirst = usableFirst;
            this.usableLast = usableLast;
            this.lowest = lowest;
            this.pools = pools;
        }

        boolean inPools(final long offset)
        {
            for (final long[] p : pools)
            {
                if (Long.compareUnsigned(offset, p[0]) >= 0 && Long.compareUnsigned(offset, p[1]) <= 0)
                {
                    return true;
                }
            }
            return false;
        }

        long poolSize()
        {
            long n = 0;
            for (final long[] p : pools)
            {
                n += p[1] - p[0] + 1;
            }
            return n;
        }

        long free()
        {
            long inPool = 0;
            for (final long o : allocated.keySet())
            {
                if (inPools(o))
                {
                    inPool++;
                }
            }
            return poolSize() - inPool;
        }

        long lowestFree()
        {
            for (final long[] p : pools)
            {
                long x = p[0];
                while (Long.compareUnsigned(x, p[1]) <= 0 && allocated.containsKey(x))
                {
                    x++;
                }
                if (Long.compareUnsigned(x, p[1]) <= 0)
                {
                    return x;
                }
            }
            return -1;
        }

        long randomUsable(final SplittableRandom r)
        {
            // mostly near the pools and the ends, sometimes anywhere (including outside the usable range)
            final int pick = r.nextInt(10);
            if (pick < 6)
            {
                final long[] p = pools.length == 0 ? new long[] {usableFirst, usableFirst + 10} :
                    pools[r.nextInt(pools.length)];
                final long span = Math.min(p[1] - p[0] + 3, 5000);
                return p[0] - 1 + Long.remainderUnsigned(r.nextLong(), span);
            }
            if (pick < 8)
            {
                return usableLast - r.nextInt(4) + 1;
            }
            return usableFirst + r.nextInt(100) - 2;
        }
    }

    @Test
    void shouldAgreeWithANaiveModel()
    {
        final SplittableRandom r = new SplittableRandom(SEED);
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(SEED), 16);
        final List<ModelSubnet> subnets = new ArrayList<>();
        subnets.add(create(engine, SubnetSpec.builder("a", "10.0.0.0/26").strategy(AllocationStrategy.LOWEST)
            .pool("10.0.0.40", "10.0.0.50").pool("10.0.0.5", "10.0.0.20").build(), false, 0, 0x0A000000L, 64));
        subnets.add(create(engine, SubnetSpec.builder("b", "10.1.0.0/22").build(), false, 0, 0x0A010000L, 1024));
        subnets.add(create(engine, SubnetSpec.builder("c", "2001:db8::/64")
            .pool("2001:db8::2", "2001:db8::400").pool("2001:db8::ffff:ffff:ffff:fc00", "2001:db8::ffff:ffff:ffff:ffff")
            .build(), true, 0x20010DB800000000L, 0, 0));
        subnets.add(create(engine, SubnetSpec.builder("d", "2001:db8:1::/120").strategy(AllocationStrategy.LOWEST)
            .build(), true, 0x20010DB800010000L, 0, 256));
        subnets.add(create(engine, SubnetSpec.builder("e", "10.2.0.0/31").build(), false, 0, 0x0A020000L, 2));
        // pools in one window of 2^32 inside a /64: word bitmap in the window, hashed words outside
        subnets.add(create(engine, SubnetSpec.builder("g", "2001:db8:2::/64").strategy(AllocationStrategy.LOWEST)
            .pool("2001:db8:2::1:0", "2001:db8:2::1:3ff").pool("2001:db8:2::ffff:ff00", "2001:db8:2::1:0:ff")
            .build(), true, 0x20010DB800020000L, 0, 0));
        // larger than 2^24 addresses: the record index's directories of pages, several bitmap pages
        subnets.add(create(engine, SubnetSpec.builder("f", "12.0.0.0/7").strategy(AllocationStrategy.LOWEST)
            .pool("12.0.0.2", "12.0.3.0").pool("12.255.255.0", "13.0.1.0").build(), false, 0, 0x0C000000L, 1L << 25));

        final Map<Integer, Integer> ownerCounts = new HashMap<>();
        final long[] bulk = new long[16];
        int op = 0;
        try
        {
            for (op = 0; op < OPS; op++)
            {
                final ModelSubnet s = subnets.get(r.nextInt(subnets.size()));
                final int owner = r.nextInt(OWNERS);
                final long time = op;
                final int kind = r.nextInt(100);
                if (kind < 30)
                {
                    final boolean next = kind < 8;
                    final long free = s.free();
                    final long expectedLowest = s.lowestFree();
                    final int rc = next ? engine.allocateNext(s.handle, 1, owner, time, AllocationTerms.NONE, OUT) :
                        engine.allocate(s.handle, 1, owner, time, AllocationTerms.NONE, OUT);
                    if (free == 0)
                    {
                        assertEquals(ErrorCode.EXHAUSTED.resultCode(), rc, "exhausted");
                        continue;
                    }
                    assertEquals(AllocatorEngine.OK, rc, "allocate");
                    final long offset = OUT.address() - s.base;
                    assertTrue(s.inPools(offset), "pick in pools");
                    assertTrue(!s.allocated.containsKey(offset), "pick was free");
                    if (next || s.lowest)
                    {
                        assertEquals(expectedLowest, offset, "lowest free");
                    }
                    s.allocated.put(offset, owner);
                    ownerCounts.merge(owner, 1, Integer::sum);
                }
                else if (kind < 45)
                {
                    final long offset = s.randomUsable(r);
                    final int rc = engine.allocateSpecific(s.handle, s.base + offset, 1, owner, time,
                        AllocationTerms.NONE, OUT);
                    final boolean usable = Long.compareUnsigned(offset, s.usableFirst) >= 0 &&
                        Long.compareUnsigned(offset, s.usableLast) <= 0;
                    if (!usable)
                    {
                        assertEquals(ErrorCode.ADDRESS_INVALID.resultCode(), rc, "specific outside usable range");
                    }
                    else if (s.allocated.containsKey(offset))
                    {
                        assertEquals(ErrorCode.ADDRESS_TAKEN.resultCode(), rc, "specific taken");
                    }
                    else
                    {
                        assertEquals(AllocatorEngine.OK, rc, "specific");
                        s.allocated.put(offset, owner);
                        ownerCounts.merge(owner, 1, Integer::sum);
                    }
                }
                else if (kind < 75)
                {
                    final long offset = !s.allocated.isEmpty() && r.nextInt(4) > 0 ?
                        pickAllocated(s, r) : s.randomUsable(r);
                    final boolean checked = r.nextBoolean();
                    final Integer holder = s.allocated.get(offset);
                    final int rc = checked ? engine.release(s.handle, s.base + offset, 1, owner) :
                        engine.release(s.handle, s.base + offset);
                    if (Long.compareUnsigned(offset, s.lastOffset) > 0)
                    {
                        assertEquals(ErrorCode.ADDRESS_INVALID.resultCode(), rc, "release outside the CIDR");
                    }
                    else if (holder == null)
                    {
                        assertEquals(AllocatorEngine.WAS_FREE, rc, "release of a free address");
                    }
                    else if (checked && holder != owner)
                    {
                        assertEquals(ErrorCode.OWNER_MISMATCH.resultCode(), rc, "owner mismatch");
                    }
                    else
                    {
                        assertEquals(AllocatorEngine.RELEASED, rc, "release");
                        s.allocated.remove(offset);
                        ownerCounts.merge(holder, -1, Integer::sum);
                    }
                }
                else if (kind < 85)
                {
                    final long offset = !s.allocated.isEmpty() && r.nextBoolean() ? pickAllocated(s, r) :
                        s.randomUsable(r);
                    final int rc = engine.ownerOf(s.handle, s.base + offset, OUT);
                    final Integer holder = s.allocated.get(offset);
                    if (Long.compareUnsigned(offset, s.lastOffset) > 0)
                    {
                        assertEquals(ErrorCode.ADDRESS_INVALID.resultCode(), rc, "owner outside the CIDR");
                    }
                    else
                    {
                        assertEquals(holder == null ? AllocatorEngine.WAS_FREE : AllocatorEngine.FOUND, rc, "owner");
                        if (holder != null)
                        {
                            assertEquals((long)holder, OUT.ownerLsb(), "owner id");
                        }
                    }
                }
                else if (kind < 93)
                {
                    final int n = 1 + r.nextInt(5);
                    final long free = s.free();
                    final int rc = engine.allocateBulk(s.handle, n, 1, owner, time, AllocationTerms.NONE, bulk);
                    if (Long.compareUnsigned(free, n) < 0)
                    {
                        assertEquals(ErrorCode.EXHAUSTED.resultCode(), rc, "bulk exhausted");
                        continue;
                    }
                    assertEquals(AllocatorEngine.OK, rc, "bulk");
                    for (int i = 0; i < n; i++)
                    {
                        final long offset = bulk[i] - s.base;
                        assertTrue(s.inPools(offset) && !s.allocated.containsKey(offset), "bulk pick");
                        s.allocated.put(offset, owner);
                        ownerCounts.merge(owner, 1, Integer::sum);
                    }
                }
                else if (kind < 97)
                {
                    int expected = 0;
                    for (final ModelSubnet m : subnets)
                    {
                        expected += (int)m.allocated.values().stream().filter(o -> o == owner).count();
                        m.allocated.values().removeIf(o -> o == owner);
                    }
                    assertEquals(expected, engine.releaseOwner(1, owner, null), "release by owner");
                    ownerCounts.remove(owner);
                }
                else if (s.id.equals("a"))
                {
                    // re-pool: allocations stay, counts follow the new pools
                    final long[][] pools = r.nextBoolean() ?
                        new long[][] {{3, 9}, {30, 60}} : new long[][] {{5, 20}, {40, 50}};
                    final List<IpAddress[]> ranges = new ArrayList<>();
                    for (final long[] p : pools)
                    {
                        ranges.add(new IpAddress[] {IpAddress.v4(s.base + p[0]), IpAddress.v4(s.base + p[1])});
                    }
                    engine.admin().updatePools("a", null, ranges);
                    s.pools = pools;
                }
                for (final ModelSubnet m : subnets)
                {
                    assertEquals(m.allocated.size(), engine.allocatedCount(m.handle), "allocated count of " + m.id);
                }
                assertEquals(s.free(), engine.freeCountUnsigned(s.handle), "free count of " + s.id);
            }
        }
        catch (final AssertionError ex)
        {
            fail("seed " + SEED + " (replay with -Dipam.property.seed=" + SEED + "), operation " + op + ": " +
                ex.getMessage(), ex);
        }
        long total = 0;
        for (final ModelSubnet m : subnets)
        {
            total += m.allocated.size();
        }
        assertEquals(total, engine.allocationCount());
        for (int o = 0; o < OWNERS; o++)
        {
            final int[] n = {0};
            engine.forEachOfOwner(1, o, null, (id, v6, hi, value, msb, lsb, t, expiresAt, router) -> n[0]++);
            assertEquals((int)ownerCounts.getOrDefault(o, 0), n[0], "allocations of owner " + o);
        }
        assertTrue(total > 0);
    }

    private static long pickAllocated(final ModelSubnet s, final SplittableRandom r)
    {
        final long probe = s.randomUsable(r);
        final Long k = s.allocated.ceilingKey(probe);
        return k != null ? k : s.allocated.firstKey();
    }

    private static ModelSubnet create(final AllocatorEngine engine, final SubnetSpec spec, final boolean v6,
        final long hi, final long base, final long size)
    {
        final SubnetRules.Plan plan = SubnetRules.plan(spec);
        final int handle = engine.createSubnet(plan);
        final long[][] pools = new long[plan.poolFirst.length][];
        for (int i = 0; i < pools.length; i++)
        {
            pools[i] = new long[] {plan.poolFirst[i], plan.poolLast[i]};
        }
        final boolean p2p = !v6 && size <= 2;
        final long last = v6 ? (size == 0 ? -1L : size - 1) : size - 1;
        final long usableFirst = p2p ? 0 : 1;
        final long usableLast = v6 || p2p ? last : last - 1;
        return new ModelSubnet(spec.id(), handle, v6, hi, base, usableFirst, usableLast,
            spec.strategy() == AllocationStrategy.LOWEST, pools, last);
    }

    @Test
    void shouldBeDeterministicForTheSameCommandsAndSeed()
    {
        assertEquals(run(42), run(42));
    }

    private static List<Long> run(final long seed)
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(seed), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("x", "10.0.0.0/16").build()));
        final List<Long> out = new ArrayList<>();
        for (int i = 0; i < 1000; i++)
        {
            engine.allocate(h, 0, i, i, AllocationTerms.NONE, OUT);
            out.add(OUT.address());
            if (i % 3 == 0)
            {
                engine.release(h, out.get(i / 2));
            }
        }
        return out;
    }

    @Test
    void ownersOfEngineMatchUuids()
    {
        final UUID u = UUID.randomUUID();
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("x", "10.0.0.0/24").build()));
        assertEquals(AllocatorEngine.OK, engine.allocate(h, u.getMostSignificantBits(), u.getLeastSignificantBits(), 5,
            AllocationTerms.NONE, OUT));
        assertEquals(AllocatorEngine.FOUND, engine.ownerOf(h, OUT.address(), OUT));
        assertEquals(u, new UUID(OUT.ownerMsb(), OUT.ownerLsb()));
        assertEquals(5, OUT.timeMs());
    }
}
