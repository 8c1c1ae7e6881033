package io.ipam.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.internal.EngineIpam;
import io.ipam.core.protocol.MessageTypes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 9: the change feed and reconcile, with an injected clock.
 */
class ChangeFeedTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);
    private static final long T0 = 1_800_000_000_000L;

    private final AtomicLong clock = new AtomicLong(T0);

    private Ipam open(final IpamConfig.Builder b)
    {
        return Ipam.inMemory(b.clock(clock::get).randomSource(() -> RandomSource.seeded(3)).build());
    }

    private static Change change(final long seq, final long time, final ChangeKind kind, final String tenant,
        final String subnet, final String address, final UUID owner)
    {
        return new Change(seq, Instant.ofEpochMilli(time), kind, tenant, subnet, address, owner);
    }

    @Test
    void shouldRecordEveryChangeInOrderWithoutGaps()
    {
        try (Ipam ipam = open(IpamConfig.builder()))
        {
            assertEquals(0, ipam.lastSequence());
            assertEquals(List.of(), ipam.changes(0, 10));
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").tenant("t").strategy(AllocationStrategy.LOWEST)
                .build());
            clock.set(T0 + 1);
            ipam.allocate("s", A);
            clock.set(T0 + 2);
            assertThrows(IpamException.class, () -> ipam.allocate("s", "10.0.0.2", B)); // refused: no change
            ipam.release("s", "10.0.0.2");
            ipam.updateGateway("s", null);
            ipam.allocateBulk("s", B, 2);
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.100.0.0/16")).minPrefixLength(24).build());
            final String child = ipam.allocatePrefix("p", "t");
            ipam.releasePrefix("p", child);
            clock.set(T0 + 3);
            ipam.deleteSubnet("s", true);
            final List<Change> all = ipam.changes(0, 100);
            assertEquals(List.of(
                change(1, T0, ChangeKind.SUBNET_CREATED, "t", "s", null, null),
                change(2, T0 + 1, ChangeKind.ALLOCATED, "t", "s", "10.0.0.2", A),
                change(3, T0 + 2, ChangeKind.RELEASED, "t", "s", "10.0.0.2", A),
                change(4, T0 + 2, ChangeKind.SUBNET_UPDATED, "t", "s", null, null),
                change(5, T0 + 2, ChangeKind.ALLOCATED, "t", "s", "10.0.0.2", B), // pools are fixed: .1 stays out
                change(6, T0 + 2, ChangeKind.ALLOCATED, "t", "s", "10.0.0.3", B),
                change(7, T0 + 2, ChangeKind.PREFIX_ALLOCATED, "t", "p", "10.100.0.0/24", null),
                change(8, T0 + 2, ChangeKind.PREFIX_RELEASED, "t", "p", "10.100.0.0/24", null),
                change(9, T0 + 3, ChangeKind.RELEASED, "t", "s", "10.0.0.2", B),
                change(10, T0 + 3, ChangeKind.RELEASED, "t", "s", "10.0.0.3", B),
                change(11, T0 + 3, ChangeKind.SUBNET_DELETED, "t", "s", null, null)), all);
            assertEquals(11, ipam.lastSequence());
            assertEquals(all.subList(4, 7), ipam.changes(4, 3), "paging from a sequence");
            assertEquals(List.of(), ipam.changes(11, 5));
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class, () -> ipam.changes(-1, 5)).code());
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class, () -> ipam.changes(0, 0)).code());
        }
    }

    @Test
    void shouldKeepTheNewestChangesOnly()
    {
        try (Ipam ipam = open(IpamConfig.builder().changeRetention(5)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocateBulk("s", A, 9);
            assertEquals(10, ipam.lastSequence());
            assertEquals(List.of(6L, 7L, 8L, 9L, 10L),
                ipam.changes(5, 100).stream().map(Change::sequence).toList());
            final IpamException old = assertThrows(IpamException.class, () -> ipam.changes(4, 100));
            assertEquals(ErrorCode.LIMIT_EXCEEDED, old.code());
        }
    }

    @Test
    void shouldKeepTheNewestChangesInOrderAcrossManyLapsOfTheRing()
    {
        // 5,000 kept in a ring of two pages (8,192 slots): 50,001 changes go round it six times, and an undone
        // command in the middle of a lap steps the ring back
        final AtomicBoolean broken = new AtomicBoolean();
        final RandomSource base = RandomSource.seeded(5);
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get).changeRetention(5_000)
            .randomSource(() -> () ->
            {
                if (broken.get())
                {
                    throw new OutOfMemoryError("injected");
                }
                return base.nextLong();
            }).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            for (int i = 0; i < 25_000; i++)
            {
                final String address = "10.0.0." + (10 + i % 200);
                ipam.allocate("s", address, A);
                ipam.release("s", address);
                if (i == 17_000)
                {
                    broken.set(true);
                    assertThrows(IpamException.class, () -> ipam.allocateBulk("s", B, 3));
                    broken.set(false);
                }
            }
            assertEquals(50_001, ipam.lastSequence());
            final List<Change> kept = ipam.changes(45_001, 10_000);
            assertEquals(5_000, kept.size());
            for (int k = 0; k < kept.size(); k++)
            {
                final long seq = 45_002 + k;
                final int i = (int)((seq - 2) / 2);
                final Change c = kept.get(k);
                assertEquals(seq, c.sequence());
                assertEquals(seq % 2 == 0 ? ChangeKind.ALLOCATED : ChangeKind.RELEASED, c.kind(), "change " + seq);
                assertEquals("10.0.0." + (10 + i % 200), c.address().orElse(null), "change " + seq);
            }
        }
    }

    @Test
    void shouldShowAViewItsOwnTenantsChangesOnly()
    {
        try (Ipam ipam = open(IpamConfig.builder()))
        {
            ipam.createSubnet(SubnetSpec.builder("r", "10.0.0.0/24").tenant("red").build());
            ipam.createSubnet(SubnetSpec.builder("b", "10.0.0.0/24").tenant("blue").build());
            ipam.allocate("b", B);
            final Ipam red = ipam.forTenant("red");
            red.allocate("r", A);
            assertEquals(List.of(1L, 4L), red.changes(0, 10).stream().map(Change::sequence).toList());
            assertEquals(4, red.lastSequence());
            assertEquals(3, ipam.forTenant("blue").lastSequence());
            assertEquals(4, ipam.lastSequence());
        }
    }

    @Test
    void shouldForgetTheChangesOfAnUndoneCommand()
    {
        final AtomicBoolean broken = new AtomicBoolean();
        final RandomSource base = RandomSource.seeded(9);
        final AtomicLong draws = new AtomicLong();
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get).randomSource(() -> () ->
        {
            if (broken.get() && draws.incrementAndGet() == 5)
            {
                throw new OutOfMemoryError("injected");
            }
            return base.nextLong();
        }).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            broken.set(true);
            assertEquals(ErrorCode.INTERNAL, assertThrows(IpamException.class,
                () -> ipam.allocateBulk("s", A, 20)).code());
            assertEquals(1, ipam.lastSequence(), "the bulk was undone and left no change behind");
            broken.set(false);
            ipam.allocate("s", A);
            assertEquals(List.of(ChangeKind.SUBNET_CREATED, ChangeKind.ALLOCATED),
                ipam.changes(0, 10).stream().map(Change::kind).toList());
            assertEquals(2, ipam.lastSequence());
        }
    }

    @Test
    void shouldReconcileAgainstTheCallersTruth()
    {
        try (Ipam ipam = open(IpamConfig.builder()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            ipam.createSubnet(SubnetSpec.builder("x", "10.1.0.0/24").tenant("t").strategy(AllocationStrategy.LOWEST)
                .build());
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.100.0.0/16")).minPrefixLength(24).build());
            ipam.allocate("s", A);                 // 10.0.0.2 at T0, live
            ipam.allocate("s", B);                 // 10.0.0.3 at T0, not live: reclaimed
            ipam.allocate("x", B);                 // 10.1.0.2 at T0, not live, tenant t
            ipam.allocatePrefix("p", "t");         // never touched
            clock.set(T0 + Duration.ofMinutes(10).toMillis());
            ipam.allocate("s", B);                 // 10.0.0.4, too young
            clock.set(T0 + Duration.ofMinutes(12).toMillis());
            final ReconcileReport dry = ipam.reconcile(Set.of(A), Duration.ofMinutes(5), true);
            assertTrue(dry.dryRun());
            assertEquals(List.of(new Allocation("s", "10.0.0.3", B), new Allocation("x", "10.1.0.2", B)),
                dry.released());
            assertEquals(Instant.ofEpochMilli(T0), dry.released().get(0).time());
            final long before = ipam.lastSequence();
            assertEquals(3, ipam.subnet("s").allocated(), "a dry run changes nothing");
            final ReconcileReport onlyT = ipam.forTenant("t").reconcile(Set.of(A), Duration.ofMinutes(5), false);
            assertEquals(List.of(new Allocation("x", "10.1.0.2", B)), onlyT.released(), "a view reconciles its own");
            final ReconcileReport real = ipam.reconcile(Set.of(A), Duration.ofMinutes(5), false);
            assertEquals(List.of(new Allocation("s", "10.0.0.3", B)), real.released());
            assertEquals(List.of(new Allocation("s", "10.0.0.2", A), new Allocation("s", "10.0.0.4", B)),
                List.of(new Allocation("s", ipam.allocations(A).get(0).address(), A),
                    ipam.allocations(B).get(0)));
            assertEquals(1, ipam.children("p").size(), "prefix children are not touched");
            final List<Change> recorded = ipam.changes(before, 10);
            assertEquals(List.of(ChangeKind.RECLAIMED, ChangeKind.RECLAIMED),
                recorded.stream().map(Change::kind).toList());
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> ipam.reconcile(Set.of(), Duration.ofMinutes(-1), true)).code());
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> ipam.reconcile(null, Duration.ZERO, true)).code());
        }
    }

    @Test
    void shouldCarryTimesInAllocations()
    {
        try (Ipam ipam = open(IpamConfig.builder()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            clock.set(T0 + 42);
            ipam.allocate("s", A);
            assertEquals(Instant.ofEpochMilli(T0 + 42), ipam.allocations(A).get(0).time());
            assertTrue(ipam.allocations(A).get(0).expiresAt().isEmpty());
            assertTrue(MessageTypes.isMutation(MessageTypes.RECONCILE));
            assertTrue(((EngineIpam)ipam).executor() != null);
        }
    }
}
