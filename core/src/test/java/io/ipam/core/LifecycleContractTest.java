package io.ipam.core;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 9 with an injected clock, for every {@link Ipam}: request keys, leases and renew, cooldown. Subclasses
 * give the allocator (in memory here; through gRPC in the server module).
 */
public abstract class LifecycleContractTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);
    private static final long T0 = 1_800_000_000_000L;

    protected final AtomicLong clock = new AtomicLong(T0);

    /**
     * @param config the configuration (with the test's clock).
     * @return the allocator under test.
     */
    protected abstract Ipam newIpam(IpamConfig config);

    private Ipam open()
    {
        return newIpam(IpamConfig.builder().clock(clock::get).randomSource(() -> RandomSource.seeded(5))
            .requestKeyRetention(Duration.ofMinutes(10)).build());
    }

    private static AllocationOptions key(final String k)
    {
        return AllocationOptions.builder().requestKey(k).build();
    }

    private static AllocationOptions lease(final Duration d)
    {
        return AllocationOptions.builder().lease(d).build();
    }

    @Test
    public void shouldAnswerARetriedKeyWithTheFirstAnswerAndAllocateNothing()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").tenant("t").build());
            final String first = ipam.allocate("s", A, key("port-1"));
            assertEquals(first, ipam.allocate("s", A, key("port-1")));
            assertEquals(1, ipam.subnet("s").allocated());
            final List<String> bulk = ipam.allocateBulk("s", A, 3, key("bulk-1"));
            assertEquals(bulk, ipam.allocateBulk("s", A, 3, key("bulk-1")));
            assertEquals(4, ipam.subnet("s").allocated());
            final List<Allocation> port = ipam.allocatePort(B, List.of(AddressRequest.any("s")), key("p"));
            assertEquals(port.get(0).address(), ipam.allocatePort(B, List.of(AddressRequest.any("s")), key("p"))
                .get(0).address());
            assertEquals(5, ipam.subnet("s").allocated());
            // the same key on another request: refused, nothing allocated
            final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocate("s", B, key("port-1")));
            assertEquals(ErrorCode.MALFORMED, ex.code());
            assertThrows(IpamException.class, () -> ipam.allocateBulk("s", A, 2, key("bulk-1")));
            assertEquals(5, ipam.subnet("s").allocated());
        }
    }

    @Test
    public void shouldAnswerAPortRequestWithTheTimeAndLeaseEndItsAllocationsHave()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.createSubnet(SubnetSpec.builder("u", "2001:db8::/64").build());
            clock.set(T0 + 1_000);
            final List<Allocation> port = ipam.allocatePort(A, List.of(AddressRequest.any("s"),
                AddressRequest.next("u")), AllocationOptions.builder().lease(Duration.ofMinutes(5)).build());
            final Instant made = Instant.ofEpochMilli(T0 + 1_000);
            for (final Allocation a : port)
            {
                assertEquals(made, a.time(), a.toString());
                assertEquals(Optional.of(made.plus(Duration.ofMinutes(5))), a.expiresAt(), a.toString());
            }
            // what the port request answered is what the allocator holds
            final List<Allocation> held = ipam.allocations(A);
            assertEquals(2, held.size());
            for (final Allocation a : held)
            {
                final Allocation answered = port.get(port.indexOf(a));
                assertEquals(a.time(), answered.time());
                assertEquals(a.expiresAt(), answered.expiresAt());
            }
            // without a lease: the time, and no lease end
            clock.set(T0 + 2_000);
            final Allocation plain = ipam.allocatePort(B, List.of(AddressRequest.any("s"))).get(0);
            assertEquals(Instant.ofEpochMilli(T0 + 2_000), plain.time());
            assertEquals(Optional.empty(), plain.expiresAt());
        }
    }

    @Test
    public void shouldKeepKeysPerTenantAndForgetAFailedRequest()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/30").tenant("ta").build());
            ipam.createSubnet(SubnetSpec.builder("b", "10.0.0.0/24").tenant("tb").build());
            ipam.allocate("a", A, key("k"));
            // another tenant's subnet: the same key is a different key
            ipam.allocate("b", A, key("k"));
            // a failed request leaves no key behind: after the failure the same key allocates
            assertThrows(IpamException.class, () -> ipam.allocate("a", B, key("k2"))); // full
            ipam.release("a", ipam.allocations(A).stream().filter(x -> x.subnetId().equals("a")).findFirst()
                .orElseThrow().address());
            final String got = ipam.allocate("a", B, key("k2"));
            assertEquals(Optional.of(B), ipam.owner("a", got));
        }
    }

    @Test
    public void shouldForgetAKeyOnlyAfterItsAllocationsAreGoneForTheRetention()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            final String a = ipam.allocate("s", A, key("k"));
            clock.addAndGet(Duration.ofHours(5).toMillis());
            assertEquals(a, ipam.allocate("s", A, key("k")), "held: remembered however long ago");
            ipam.release("s", a);
            clock.addAndGet(Duration.ofMinutes(9).toMillis());
            assertEquals(a, ipam.allocate("s", A, key("k")), "within the retention: the first answer again");
            assertEquals(0, ipam.subnet("s").allocated());
            clock.addAndGet(Duration.ofMinutes(2).toMillis());
            ipam.allocate("s", B); // any command moves the clock; the key is forgotten by the next tick or use
            final String again = ipam.allocate("s", A, key("k"));
            assertEquals(2, ipam.subnet("s").allocated(), "forgotten: the key allocates anew");
            assertNotEquals(null, again);
        }
    }

    @Test
    public void shouldExpireLeasesByCommandTimeAndRenew()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final String a = ipam.allocate("s", A, lease(Duration.ofSeconds(30)));
            final String b = ipam.allocate("s", B, lease(Duration.ofSeconds(30)));
            final Allocation held = ipam.allocations(A).get(0);
            assertEquals(Optional.of(Instant.ofEpochMilli(T0 + 30_000)), held.expiresAt());
            clock.addAndGet(20_000);
            assertTrue(ipam.renew("s", b, B, Duration.ofSeconds(30)));
            assertThrows(IpamException.class, () -> ipam.renew("s", a, B, Duration.ofSeconds(30)));
            clock.addAndGet(10_000); // a is due now, b runs to T0 + 50 s
            assertEquals(Optional.empty(), ipam.owner("s", a));
            assertEquals(List.of(), ipam.allocations(A));
            assertEquals(1, ipam.subnet("s").allocated());
            assertFalse(ipam.renew("s", a, A, Duration.ofSeconds(30)), "renew of a free address");
            final long expired = ipam.changes(0, 100).stream().filter(c -> c.kind() == ChangeKind.EXPIRED).count();
            assertEquals(1, expired);
            clock.addAndGet(20_000);
            assertEquals(0, ipam.subnet("s").allocated());
            assertEquals(List.of(), ipam.allocations(B));
        }
    }

    @Test
    @Timeout(30)
    public void shouldExpireLeasesWhenNobodyCalls() throws InterruptedException
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocate("s", A, lease(Duration.ofSeconds(1)));
            final long before = ipam.lastSequence();
            clock.addAndGet(1_000);
            // the writer's ticker expires it: lastSequence reads the feed and expires nothing itself
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ipam.lastSequence() == before && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertEquals(before + 1, ipam.lastSequence(), "expired by the tick, with nobody calling");
            assertEquals(ChangeKind.EXPIRED, ipam.changes(before, 1).get(0).kind());
        }
    }

    @Test
    public void shouldKeepReleasedAddressesOutOfAutomaticChoiceWhileTheyCool()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/29").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofMinutes(1)).build());
            assertEquals(Duration.ofMinutes(1), ipam.subnet("s").cooldown());
            final List<String> all = ipam.allocateBulk("s", A, 5); // .2 - .6 (.1 is the gateway)
            ipam.release("s", all.get(0));
            ipam.release("s", all.get(1));
            final SubnetInfo info = ipam.subnet("s");
            assertEquals(3, info.allocated());
            assertEquals(2, info.cooling());
            assertEquals(0, info.free().longValue());
            // only cooling addresses left: automatic choice is EXHAUSTED
            assertEquals(ErrorCode.EXHAUSTED, assertThrows(IpamException.class, () -> ipam.allocate("s", B)).code());
            assertEquals(ErrorCode.EXHAUSTED,
                assertThrows(IpamException.class, () -> ipam.allocateBulk("s", B, 1)).code());
            // a specific request may take a cooling address
            assertEquals(all.get(1), ipam.allocate("s", all.get(1), B));
            assertEquals(1, ipam.subnet("s").cooling());
            clock.addAndGet(60_000);
            assertEquals(all.get(0), ipam.allocate("s", B), "cooled down: back in automatic choice");
            assertEquals(0, ipam.subnet("s").cooling());
        }
    }

    @Test
    public void shouldCoolExpiredAddressesToo()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/30").cooldown(Duration.ofSeconds(10)).build());
            final String a = ipam.allocate("s", A, lease(Duration.ofSeconds(5))); // the only pool address
            clock.addAndGet(5_000);
            assertEquals(ErrorCode.EXHAUSTED, assertThrows(IpamException.class, () -> ipam.allocate("s", B)).code());
            assertEquals(1, ipam.subnet("s").cooling());
            clock.addAndGet(10_000);
            assertEquals(a, ipam.allocate("s", B));
        }
    }

    @Test
    public void shouldRefuseBadOptions()
    {
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AllocationOptions.builder().requestKey("").build()).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AllocationOptions.builder().requestKey("a b").build()).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AllocationOptions.builder().requestKey("x".repeat(129)).build()).code());
        AllocationOptions.builder().requestKey("x".repeat(128)).build();
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AllocationOptions.builder().lease(Duration.ZERO).build()).code());
        try (Ipam ipam = open())
        {
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class, () -> ipam.createSubnet(
                SubnetSpec.builder("s", "10.0.0.0/24").cooldown(Duration.ofSeconds(-1)).build())).code());
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> ipam.allocate("s", A, (AllocationOptions)null)).code());
        }
    }

    @Test
    public void shouldGiveEveryAddressOnceUnderKeysLeasesAndCooldown()
    {
        try (Ipam ipam = open())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/26").cooldown(Duration.ofSeconds(1)).build());
            final Set<String> held = new HashSet<>();
            for (int i = 0; i < 2_000; i++)
            {
                clock.addAndGet(97);
                try
                {
                    final String a = ipam.allocate("s", new UUID(0, i), AllocationOptions.builder()
                        .requestKey("k" + i).lease(Duration.ofMillis(700)).build());
                    assertTrue(ipam.owner("s", a).isPresent());
                }
                catch (final IpamException ex)
                {
                    assertEquals(ErrorCode.EXHAUSTED, ex.code());
                }
                held.clear();
                for (int o = Math.max(0, i - 10); o <= i; o++)
                {
                    for (final Allocation x : ipam.allocations(new UUID(0, o)))
                    {
                        assertTrue(held.add(x.address()), "two owners of " + x.address());
                    }
                }
            }
        }
    }
}
