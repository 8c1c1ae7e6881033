package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage.KeyImage;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Restorer}: records in any order become the state they describe, whatever does not fit is refused through
 * the caller's function, and an installed listener hears of everything (a store being built from a snapshot).
 * Allocations against one-at-a-time allocation: {@link BulkLoadTest}.
 */
class RestorerTest
{
    private static final Function<String, IpamException> CORRUPT = what -> new IpamException(
        ErrorCode.STORE_CORRUPT, "test store is damaged: " + what);

    private static SubnetImage subnet(final String id, final String cidr, final long cooldownMs)
    {
        final SubnetRules.Plan p = SubnetRules.plan(SubnetSpec.builder(id, cidr).strategy(AllocationStrategy.LOWEST)
            .build());
        return new SubnetImage(-1, id, p.tenant, p.cidr, p.strategy, p.gateway, p.poolFirst, p.poolLast, -1,
            cooldownMs);
    }

    private static AllocatorEngine engine()
    {
        return new AllocatorEngine(RandomSource.seeded(1), 16);
    }

    @Test
    void shouldLoadMoreThanOneBatchInAnyOrderAndRefuseADuplicateAcrossBatches()
    {
        final AllocatorEngine engine = engine();
        final Restorer r = new Restorer(engine, CORRUPT);
        final int h = r.subnet(subnet("s", "10.0.0.0/8", 0));
        final long base = engine.cidr("s").address().lo();
        final List<Long> addresses = new ArrayList<>();
        for (long i = 1; i <= 150_000; i++)
        {
            addresses.add(base + i * 3);
        }
        Collections.shuffle(addresses, new Random(7));
        for (final long a : addresses)
        {
            r.allocation("s", a, 1, a, a + 5);
        }
        r.finish();
        assertEquals(150_000, engine.allocatedCount(h));
        final EngineResult found = new EngineResult();
        assertEquals(AllocatorEngine.FOUND, engine.ownerOf(h, base + 3 * 77_777, found));
        assertEquals(base + 3 * 77_777, found.ownerLsb());

        final AllocatorEngine twice = engine();
        final Restorer again = new Restorer(twice, CORRUPT);
        again.subnet(subnet("s", "10.0.0.0/8", 0));
        for (long i = 1; i <= 70_000; i++)
        {
            again.allocation("s", base + i, 1, 1, 1);   // the first batch of 65,536 is loaded here
        }
        again.allocation("s", base + 5, 2, 2, 2);
        final IpamException ex = assertThrows(IpamException.class, again::finish);
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("test store") && ex.getMessage().contains("subnet s") &&
            ex.getMessage().contains("ADDRESS_TAKEN"), ex.getMessage());
    }

    @Test
    void shouldRefuseWhatDoesNotFit()
    {
        final Restorer r = new Restorer(engine(), CORRUPT);
        r.subnet(subnet("s", "10.0.0.0/24", 0));
        assertTrue(assertThrows(IpamException.class, () -> r.allocation("nope", 5, 1, 1, 1)).getMessage()
            .contains("SUBNET_NOT_FOUND"));
        assertTrue(assertThrows(IpamException.class, () -> r.subnet(subnet("t", "10.0.0.0/25", 0))).getMessage()
            .contains("subnet t is invalid"));
        assertEquals(ErrorCode.STORE_CORRUPT, assertThrows(IpamException.class,
            () -> r.subnet(subnet("u", "10.9.0.0/24", 0), 0)).code(), "handles are never reused");

        final AllocatorEngine outside = engine();
        final Restorer o = new Restorer(outside, CORRUPT);
        final int h = o.subnet(subnet("s", "10.0.0.0/24", 0));
        assertThrows(IpamException.class, () -> o.allocations(h, new long[] {outside.cidr("s").address().lo()},
            new long[1], new long[1], new long[1], 1), "the network address is not usable");

        final LifecycleImage cooldownOfNothing = new LifecycleImage();
        cooldownOfNothing.cooldowns.put("ghost", 1000L);
        final Restorer c = new Restorer(engine(), CORRUPT);
        c.lifecycle(cooldownOfNothing);
        c.subnet(subnet("s", "10.0.0.0/24", 0));
        assertTrue(assertThrows(IpamException.class, c::finish).getMessage().contains("cooldown of subnet ghost"));

        final Restorer lease = new Restorer(engine(), CORRUPT);
        lease.subnet(subnet("s", "10.0.0.0/24", 0));
        lease.lease("s", 0x0A000005L, 99);
        assertTrue(assertThrows(IpamException.class, lease::finish).getMessage().contains("lease of address"),
            "a lease needs its allocation");
    }

    @Test
    void shouldPutLifecycleRecordsBackInTheirOrderAndTellTheListener()
    {
        final AllocatorEngine engine = engine();
        final List<String> told = new ArrayList<>();
        engine.listener(new StateListener()
        {
            @Override
            public void onSubnet(final SubnetImage s)
            {
                told.add("subnet " + s.id + " cooldown " + s.cooldownMs);
            }

            @Override
            public void onAllocated(final String subnetId, final long hi, final long address, final long msb,
                final long lsb, final long timeMs, final int flags, final long keySerial)
            {
                told.add("allocated " + address);
            }

            @Override
            public void onCooling(final String subnetId, final long hi, final long address, final long freedAt)
            {
                told.add("cooling " + address);
            }

            @Override
            public void onLease(final String subnetId, final long hi, final long address, final long expiresAt)
            {
                told.add("lease " + address + " " + expiresAt);
            }

            @Override
            public void onKeyLink(final String subnetId, final long hi, final long address, final RequestKeys.Key key)
            {
                told.add("link " + address + " " + key.key);
            }

            @Override
            public void onKey(final RequestKeys.Key key)
            {
                told.add("key " + key.key);
            }
        });
        final Restorer r = new Restorer(engine, CORRUPT);
        final LifecycleImage cooldowns = new LifecycleImage();
        cooldowns.cooldowns.put("s", 60_000L);
        r.lifecycle(cooldowns);
        r.subnet(subnet("s", "10.0.0.0/24", 0));
        // records as a store's map hands them out: in any order, links naming their key by serial
        r.keyLink(7, "s", 0x0A000011L);
        r.allocation("s", 0x0A000011L, 1, 2, 100);
        r.cooling("s", 0x0A000021L, 3_000);
        r.allocation("s", 0x0A000012L, 1, 2, 100);
        r.keyLink(8, "s", 0x0A000012L);       // its key entry never landed: the allocation stays, unkeyed
        r.cooling("s", 0x0A000020L, 1_000);
        r.lease("s", 0x0A000011L, 500_000);
        r.key(new KeyImage(null, "k", 42, 0, 0, new byte[0], -1, 7));
        r.cooling("s", 0x0A000022L, 2_000);
        r.sequence(33);
        r.clock(4_000);
        r.finish();

        assertEquals(60_000, engine.admin().info("s", null).cooldown().toMillis());
        assertEquals(33, engine.restoredSequence());
        final LifecycleImage l = engine.captureLifecycle(0);
        final List<Long> cooling = new ArrayList<>();
        l.cooling.get("s").forEach(pair -> cooling.add(pair[0]));
        assertEquals(List.of(0x0A000020L, 0x0A000022L, 0x0A000021L), cooling, "oldest first");
        assertEquals(1, l.keys.size());
        assertEquals(List.of(0x0A000011L), l.keys.get(0).linkAddresses);
        assertEquals(500_000, l.leases.get("s").get(0)[1]);
        assertNull(l.keys.stream().filter(k -> k.serial == 8).findAny().orElse(null));
        assertEquals(List.of("subnet s cooldown 60000", "allocated " + 0x0A000011L, "allocated " + 0x0A000012L,
            "cooling " + 0x0A000020L, "cooling " + 0x0A000022L, "cooling " + 0x0A000021L,
            "lease " + 0x0A000011L + " 500000", "link " + 0x0A000011L + " k", "key k"), told);
    }
}
