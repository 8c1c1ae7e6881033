package io.ipam.core;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.snapshot.SnapshotCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of issue 22 (SPEC 1, 2, 9; API.md "Neutron parity") through the public {@link Ipam} names, for every
 * implementation: IPv6 subnets of any length (/1 to /128, only /0 refused), router anycast and the gateway rule,
 * {@code updateSubnet} all or nothing on the end state, {@code reconcileSubnet} by address in one step.
 */
public abstract class NeutronParityContractTest extends IpamContractBase
{
    protected static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");
    private static final AllocationOptions ROUTER = AllocationOptions.builder().router().build();

    @TempDir
    protected Path tmp;

    /**
     * @return the allocator as the tenant's view sees it (a transport with its own authentication overrides this).
     */
    protected Ipam view(final String tenant)
    {
        return ipam.forTenant(tenant);
    }

    /**
     * @return where the snapshot a call wrote can be read here (a transport that writes it elsewhere overrides this).
     */
    protected Path snapshotFile(final SnapshotInfo info, final Path asked)
    {
        return asked;
    }

    private static BigInteger two(final int power)
    {
        return BigInteger.ONE.shiftLeft(power);
    }

    private static IpAddress ip(final String text)
    {
        return AddressText.parseAddress(text, "address");
    }

    // ----- any IPv6 length ----------------------------------------------------------------------------------------

    @Test
    void shouldCreateIpv6SubnetsOfAnyLengthButZero()
    {
        final SubnetInfo s48 = ipam.createSubnet(SubnetSpec.builder("s48", "2001:db8::/48").build());
        assertEquals(Optional.of("2001:db8::1"), s48.gateway());
        assertEquals(List.of(IpRange.of("2001:db8::2", "2001:db8:0:ffff:ffff:ffff:ffff:ffff")), s48.pools());
        assertEquals(two(80).subtract(BigInteger.TWO), s48.free(), "free() is exact");
        final SubnetInfo s1 = ipam.createSubnet(SubnetSpec.builder("s1", "8000::/1").noGateway().build());
        assertEquals(two(127).subtract(BigInteger.ONE), s1.free());
        final SubnetInfo s63 = ipam.createSubnet(SubnetSpec.builder("s63", "2001:db8:1::/63").build());
        assertEquals(two(65).subtract(BigInteger.TWO), s63.free());
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.createSubnet(SubnetSpec.builder("z", "::/0").build())));
        assertEquals(ErrorCode.CIDR_INVALID,
            code(() -> ipam.createSubnet(SubnetSpec.builder("h", "2001:db8:2::1/48").build())));
        assertEquals(ErrorCode.SUBNET_OVERLAP,
            code(() -> ipam.createSubnet(SubnetSpec.builder("o", "2001:db8:0:5::/64").build())));
        assertEquals(List.of("s1", "s48", "s63"), ipam.subnets().stream().map(SubnetInfo::id).toList());
    }

    @Test
    void shouldSpreadRandomAllocationsOverAWholeWideSubnet()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/48").build());
        final Set<Long> slash64s = new HashSet<>();
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < 64; i++)
        {
            final String a = ipam.allocate("s", A);
            assertTrue(seen.add(a), "twice: " + a);
            final IpAddress ip = ip(a);
            assertEquals(0x2001_0db8_0000L, ip.hi() >>> 16, "inside the /48: " + a);
            slash64s.add(ip.hi());
        }
        // RANDOM uses all 80 bits: 64 draws in one /64 of 65,536 would be a broken generator or a low window
        assertTrue(slash64s.size() > 32, "64 random addresses fell in only " + slash64s.size() + " /64s");
        assertEquals(64, ipam.subnet("s").allocated());
        assertEquals(two(80).subtract(BigInteger.valueOf(66)), ipam.subnet("s").free());
    }

    @Test
    void shouldAllocateAndReleaseAsynchronouslyInAWideSubnet() throws Exception
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/48").build());
        final String a = ipam.allocateAsync("s", A).get(1, TimeUnit.MINUTES);
        assertEquals(0x2001_0db8_0000L, ip(a).hi() >>> 16, "inside the /48: " + a);
        assertEquals(Optional.of(A), ipam.owner("s", a));
        // the release carries the address's high 64 bits (a RANDOM address is almost never in the first /64)
        assertTrue(ipam.releaseAsync("s", a).get(1, TimeUnit.MINUTES));
        assertEquals(0, ipam.subnet("s").allocated());
    }

    @Test
    void shouldAllocateLowestNextSpecificAndBulkInAWideSubnet()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/48").strategy(AllocationStrategy.LOWEST)
            .pool("2001:db8:0:4:ffff:ffff:ffff:fffe", "2001:db8:0:5::1").build());
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:fffe", ipam.allocate("s", A));
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:ffff", ipam.allocateNext("s", A));
        assertEquals(List.of("2001:db8:0:5::", "2001:db8:0:5::1"), ipam.allocateBulk("s", A, 2));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocate("s", B)));
        // specific addresses anywhere in the /48, outside the pools too
        assertEquals("2001:db8:0:ffff::9", ipam.allocate("s", "2001:db8:0:ffff::9", B));
        assertEquals(ErrorCode.ADDRESS_TAKEN, code(() -> ipam.allocate("s", "2001:db8:0:ffff::9", C)));
        assertEquals(Optional.of(B), ipam.owner("s", "2001:db8:0:ffff::9"));
        assertEquals(Optional.of(A), ipam.owner("s", "2001:db8:0:5::"));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("s", "2001:db8:1::9", B)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("s", "2001:db8::", B)), "the anycast");
        assertEquals(ErrorCode.OWNER_MISMATCH, code(() -> ipam.release("s", "2001:db8:0:ffff::9", A)));
        assertTrue(ipam.release("s", "2001:db8:0:ffff::9", B));
        assertFalse(ipam.release("s", "2001:db8:0:ffff::9"));
        assertTrue(ipam.release("s", "2001:db8:0:4:ffff:ffff:ffff:ffff"));
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:ffff", ipam.allocate("s", C), "LOWEST comes back to a freed one");
        final List<Allocation> ofA = ipam.allocations(A);
        assertEquals(List.of("2001:db8:0:4:ffff:ffff:ffff:fffe", "2001:db8:0:5::", "2001:db8:0:5::1"),
            ofA.stream().map(Allocation::address).toList(), "ascending by address value, all 128 bits of it");
        assertEquals(3, ipam.releaseOwner(A));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocateEui64("s", "00:11:22:33:44:55", A)),
            "EUI-64 stays /64 only");
    }

    @Test
    void shouldServePortRequestsAndLeasesInAWideSubnet()
    {
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/32").build());
        ipam.createSubnet(SubnetSpec.builder("n", "10.0.0.0/24").build());
        final List<Allocation> port = ipam.allocatePort(A, List.of(AddressRequest.specific("w", "2001:db8:ab::5"),
            AddressRequest.any("w"), AddressRequest.anyOf(List.of("n", "w"))), AllocationOptions.builder()
            .lease(Duration.ofHours(1)).build());
        assertEquals("2001:db8:ab::5", port.get(0).address());
        assertTrue(ip(port.get(1).address()).hi() >>> 32 == 0x2001_0db8L, port.get(1).address());
        assertTrue(port.get(0).expiresAt().isPresent());
        assertTrue(ipam.renew("w", "2001:db8:ab::5", A, Duration.ofHours(2)));
        assertEquals(ErrorCode.OWNER_MISMATCH, code(() -> ipam.renew("w", "2001:db8:ab::5", B, Duration.ofHours(2))));
        assertEquals(3, ipam.allocations(A).size());
        // all or nothing: the second item is taken, nothing of the first stays
        assertEquals(ErrorCode.ADDRESS_TAKEN, code(() -> ipam.allocatePort(B, List.of(
            AddressRequest.specific("w", "2001:db8:ab::6"), AddressRequest.specific("w", "2001:db8:ab::5")))));
        assertEquals(Optional.empty(), ipam.owner("w", "2001:db8:ab::6"));
    }

    @Test
    void shouldApplyBatchesInAWideSubnet() throws Exception
    {
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").strategy(AllocationStrategy.LOWEST)
            .pool("2001:db8:0:4:ffff:ffff:ffff:fffe", "2001:db8:0:5::1").build());
        ipam.createSubnet(SubnetSpec.builder("r", "2001:db8:1::/48").build());
        final IpamBatch batch = new IpamBatch()
            .allocate("w", "2001:db8:0:ffff::9", B)                  // specific, high bits not the network's
            .allocate("w", A)                                        // lowest
            .allocateNext("w", A)
            .allocateBulk("w", A, 2)                                 // spills over a /64 boundary
            .allocate("r", C)                                        // random over all 80 bits
            .allocateBulk("r", C, 3)
            .release("w", "2001:db8:0:ffff::9", A)                   // another owner's
            .release("w", "2001:db8:0:4:ffff:ffff:ffff:fffe")
            .allocate("w", "2001:db8:1::9", A)                       // outside the /48
            .allocate("w", "2001:db8::", A)                          // the anycast, not a router's request
            .allocateEui64("w", "00:11:22:33:44:55", A)              // EUI-64 stays /64 only
            .allocate("w", B);                                       // lowest again: the one just released
        ipam.apply(batch);
        assertEquals("2001:db8:0:ffff::9", batch.address(0));
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:fffe", batch.address(1));
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:ffff", batch.address(2));
        assertEquals(List.of("2001:db8:0:5::", "2001:db8:0:5::1"), batch.addresses(3));
        assertEquals(ErrorCode.OWNER_MISMATCH, batch.error(6).code());
        assertTrue(batch.released(7));
        assertEquals(ErrorCode.ADDRESS_INVALID, batch.error(8).code());
        assertEquals(ErrorCode.ADDRESS_INVALID, batch.error(9).code());
        assertEquals(ErrorCode.ADDRESS_INVALID, batch.error(10).code());
        assertEquals("2001:db8:0:4:ffff:ffff:ffff:fffe", batch.address(11));
        // the random addresses come back whole: all 128 bits, each held by its owner
        final List<String> random = new ArrayList<>(batch.addresses(5));
        random.add(0, batch.address(4));
        final Set<Long> slash64s = new HashSet<>();
        for (final String a : random)
        {
            assertEquals(0x2001_0db8_0001L, ip(a).hi() >>> 16, "inside the /48: " + a);
            slash64s.add(ip(a).hi());
            assertEquals(Optional.of(C), ipam.owner("r", a), a);
        }
        assertTrue(slash64s.size() > 1, "4 random addresses of a /48 in one /64: " + random);
        assertEquals(Set.copyOf(random), ipam.allocations(C).stream().map(Allocation::address)
            .collect(Collectors.toSet()));
        assertEquals(Optional.of(B), ipam.owner("w", "2001:db8:0:ffff::9"));
        assertEquals(5, ipam.subnet("w").allocated());
        // releases carry the high words too; asynchronously as well
        final IpamBatch releases = new IpamBatch();
        for (final String a : random)
        {
            releases.release("r", a, C);
        }
        releases.release("w", "2001:db8:0:ffff::9", B).release("w", "2001:db8:0:ffff::9");
        ipam.applyAsync(releases).get(1, TimeUnit.MINUTES);
        for (int i = 0; i < random.size() + 1; i++)
        {
            assertTrue(releases.released(i), "release " + i + ": " + releases.error(i));
        }
        assertFalse(releases.released(random.size() + 1), "already free");
        assertEquals(0, ipam.subnet("r").allocated());
        assertEquals(Optional.empty(), ipam.owner("w", "2001:db8:0:ffff::9"));
    }

    @Test
    void shouldKeepWideSubnetsAndRouterMarksInASnapshot()
    {
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").cooldown(Duration.ofHours(1)).build());
        ipam.createSubnet(SubnetSpec.builder("r", "2001:db8:1::/64").build());
        ipam.allocate("w", "2001:db8:0:7::1", A);
        ipam.allocate("w", "2001:db8:0:8::1", B, AllocationOptions.builder().lease(Duration.ofHours(3)).build());
        ipam.allocate("w", "2001:db8:0:9::1", C);
        ipam.release("w", "2001:db8:0:9::1");
        ipam.allocate("r", "2001:db8:1::", A, ROUTER);
        final String random = ipam.allocate("w", C);
        final SnapshotInfo info = ipam.snapshot(tmp.resolve("wide.snap"));
        final Path file = snapshotFile(info, tmp.resolve("wide.snap"));
        assertEquals(5, SnapshotCodec.read(file).formatVersion, "written in format 5 (issue 26)");
        assertEquals(4, SnapshotCodec.read(file).inLegacyFormat().formatVersion,
            "wide subnets and router marks need format 4 in the legacy format");
        try (Ipam restored = Ipam.restoreInMemory(file, config()))
        {
            assertEquals(ipam.allocations(A), restored.allocations(A));
            assertTrue(restored.allocations(A).stream()
                .anyMatch(a -> a.router() && a.address().equals("2001:db8:1::")));
            assertEquals(Optional.of(C), restored.owner("w", random));
            assertTrue(restored.allocations(B).get(0).expiresAt().isPresent(), "the lease");
            assertEquals(1, restored.subnet("w").cooling(), "the cooling address");
            assertEquals(ipam.subnet("w").free(), restored.subnet("w").free());
            assertEquals(ipam.subnet("w").pools(), restored.subnet("w").pools());
            assertEquals(ErrorCode.ADDRESS_TAKEN, code(() -> restored.allocate("w", "2001:db8:0:7::1", B)));
        }
    }

    // ----- router anycast -----------------------------------------------------------------------------------------

    @Test
    void shouldLetOnlyARouterTakeTheSubnetRouterAnycastAddress()
    {
        ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").gateway("2001:db8::").build());
        ipam.createSubnet(SubnetSpec.builder("v4", "10.0.0.0/24").build());
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("v6", "2001:db8::", A)));
        assertEquals("2001:db8::", ipam.allocate("v6", "2001:db8::", A, ROUTER));
        final Allocation a = ipam.allocations(A).get(0);
        assertTrue(a.router(), "kept with the allocation");
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("v4", "10.0.0.0", B, ROUTER)),
            "never an IPv4 network address");
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("v4", "10.0.0.255", B, ROUTER)),
            "never an IPv4 broadcast address");
        assertEquals("10.0.0.1", ipam.allocate("v4", "10.0.0.1", B, ROUTER), "the gateway itself");
        assertFalse(ipam.allocations(C).stream().anyMatch(Allocation::router));
        ipam.allocate("v4", "10.0.0.7", C);
        assertFalse(ipam.allocations(C).get(0).router(), "an ordinary allocation is not a router's");
        assertTrue(ipam.release("v6", "2001:db8::"));
        assertEquals(Optional.empty(), ipam.owner("v6", "2001:db8::"));
    }

    @Test
    void shouldRefuseAGatewayChangeOnlyWhileARouterHoldsTheOldGateway()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/64").build());
        ipam.allocate("s", "2001:db8::1", A);
        assertEquals(Optional.of("2001:db8::"), ipam.updateGateway("s", "2001:db8::").gateway(),
            "an ordinary holder of the old gateway keeps it and the change succeeds");
        assertEquals(Optional.of(A), ipam.owner("s", "2001:db8::1"));
        ipam.allocate("s", "2001:db8::", B, ROUTER);
        assertEquals(ErrorCode.GATEWAY_IN_USE, code(() -> ipam.updateGateway("s", "2001:db8::1")));
        assertEquals(ErrorCode.GATEWAY_IN_USE, code(() -> ipam.updateSubnet("s",
            SubnetUpdate.builder().noGateway().build())));
        ipam.release("s", "2001:db8::");
        assertEquals(Optional.empty(), ipam.updateSubnet("s", SubnetUpdate.builder().noGateway().build()).gateway());
    }

    @Test
    void shouldMakeTheRouterMarkPartOfARequestKeysFingerprint()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/64").build());
        final AllocationOptions plain = AllocationOptions.builder().requestKey("k1").build();
        final AllocationOptions router = AllocationOptions.builder().requestKey("k1").router().build();
        assertEquals("2001:db8::5", ipam.allocate("s", "2001:db8::5", A, router));
        assertEquals("2001:db8::5", ipam.allocate("s", "2001:db8::5", A, router), "the same request: its answer");
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate("s", "2001:db8::5", A, plain)),
            "the same key without the mark is another request");
        assertEquals(1, ipam.subnet("s").allocated());
    }

    // ----- updateSubnet -------------------------------------------------------------------------------------------

    @Test
    void shouldUpdatePoolsGatewayAndCooldownInOneStepOnTheEndState()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        // one at a time each would break a rule (the new gateway lies in the old pool); together they hold
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> ipam.updateGateway("s", "10.0.0.100")));
        final SubnetInfo after = ipam.updateSubnet("s", SubnetUpdate.builder()
            .pools(List.of(IpRange.of("10.0.0.10", "10.0.0.50"))).gateway("10.0.0.100")
            .cooldown(Duration.ofSeconds(30)).build());
        assertEquals(Optional.of("10.0.0.100"), after.gateway());
        assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.50")), after.pools());
        assertEquals(Duration.ofSeconds(30), after.cooldown());
        assertEquals(BigInteger.valueOf(41), after.free());
        // nothing given: nothing changes
        assertEquals(after.pools(), ipam.updateSubnet("s", SubnetUpdate.builder().build()).pools());
    }

    @Test
    void shouldChangeNothingWhenAnyRuleOfTheEndStateBreaks()
    {
        final SubnetInfo before = ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        // the new pools are fine, the new gateway lies in them: all refused
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> ipam.updateSubnet("s", SubnetUpdate.builder()
            .pools(List.of(IpRange.of("10.0.0.10", "10.0.0.50"))).gateway("10.0.0.20")
            .cooldown(Duration.ofSeconds(5)).build())));
        assertEquals(ErrorCode.POOL_OVERLAP, code(() -> ipam.updateSubnet("s", SubnetUpdate.builder()
            .pools(List.of(IpRange.of("10.0.0.10", "10.0.0.50"), IpRange.of("10.0.0.40", "10.0.0.60")))
            .cooldown(Duration.ofSeconds(5)).build())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.updateSubnet("s", SubnetUpdate.builder()
            .pools(List.of(IpRange.of("10.0.0.10", "10.0.0.50"))).cooldown(Duration.ofSeconds(-1)).build())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.updateSubnet("s", SubnetUpdate.builder().gateway(null)
            .build())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.updateSubnet("s", null)));
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> ipam.updateSubnet("x", SubnetUpdate.builder().build())));
        // a rule only the writer can check (a router holds the old gateway): the valid pools and cooldown stay out
        ipam.allocate("s", "10.0.0.1", A, ROUTER);
        assertEquals(ErrorCode.GATEWAY_IN_USE, code(() -> ipam.updateSubnet("s", SubnetUpdate.builder()
            .pools(List.of(IpRange.of("10.0.0.10", "10.0.0.50"))).gateway("10.0.0.100")
            .cooldown(Duration.ofSeconds(5)).build())));
        final SubnetInfo now = ipam.subnet("s");
        assertEquals(before.pools(), now.pools());
        assertEquals(before.gateway(), now.gateway());
        assertEquals(Duration.ZERO, now.cooldown());
        // a wide subnet's pools
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").build());
        assertEquals(List.of(IpRange.of("2001:db8:0:1::", "2001:db8:0:2::")), ipam.updateSubnet("w",
            SubnetUpdate.builder().pools(List.of(IpRange.of("2001:db8:0:1::", "2001:db8:0:2::"))).build()).pools());
        assertEquals(two(64).add(BigInteger.ONE), ipam.subnet("w").free());
    }

    @Test
    void shouldKeepUpdatesOfATenantsSubnetsToItsView()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").tenant("t1").build());
        final Ipam t2 = view("t2");
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> t2.updateSubnet("a", SubnetUpdate.builder()
            .cooldown(Duration.ofSeconds(1)).build())));
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> t2.reconcileSubnet("a", Map.of(), Duration.ZERO, false)));
        assertEquals(Duration.ofSeconds(1), view("t1").updateSubnet("a", SubnetUpdate.builder()
            .cooldown(Duration.ofSeconds(1)).build()).cooldown());
    }

    // ----- reconcileSubnet ----------------------------------------------------------------------------------------

    @Test
    void shouldMakeASubnetMatchTheExpectedAddresses()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        ipam.createSubnet(SubnetSpec.builder("other", "10.0.1.0/24").build());
        ipam.allocate("s", "10.0.0.10", A);          // expected for A: stays
        ipam.allocate("s", "10.0.0.11", B);          // not expected: released
        ipam.allocate("s", "10.0.0.12", B);          // expected for C: re-owned
        ipam.allocate("other", "10.0.1.5", B);       // another subnet: untouched
        final long seq = ipam.lastSequence();
        final Map<String, UUID> expected = new LinkedHashMap<>();
        expected.put("10.0.0.12", C);
        expected.put("10.0.0.10", A);
        expected.put("10.0.0.13", A);                // free: allocated to A
        final ReconcileReport dry = ipam.reconcileSubnet("s", expected, Duration.ZERO, true);
        assertTrue(dry.dryRun());
        assertEquals(seq, ipam.lastSequence(), "a dry run changes nothing");
        assertEquals(Optional.of(B), ipam.owner("s", "10.0.0.11"));
        final ReconcileReport r = ipam.reconcileSubnet("s", expected, Duration.ZERO, false);
        assertEquals(dry.released(), r.released());
        assertEquals(dry.allocated(), r.allocated());
        assertEquals(dry.reowned(), r.reowned());
        assertEquals(List.of(new Allocation("s", "10.0.0.11", B)), r.released());
        assertEquals(List.of(new Allocation("s", "10.0.0.13", A)), r.allocated());
        assertEquals(List.of(new Allocation("s", "10.0.0.12", C)), r.reowned());
        assertEquals(Optional.of(A), ipam.owner("s", "10.0.0.10"));
        assertEquals(Optional.empty(), ipam.owner("s", "10.0.0.11"));
        assertEquals(Optional.of(C), ipam.owner("s", "10.0.0.12"));
        assertEquals(Optional.of(A), ipam.owner("s", "10.0.0.13"));
        assertEquals(Optional.of(B), ipam.owner("other", "10.0.1.5"));
        // the change feed: the release RECLAIMED, the re-owned RELEASED then ALLOCATED, the missing ALLOCATED
        final List<Change> changes = ipam.changes(seq, 100);
        assertEquals(List.of(ChangeKind.RECLAIMED, ChangeKind.RELEASED, ChangeKind.ALLOCATED, ChangeKind.ALLOCATED),
            changes.stream().map(Change::kind).toList());
        assertEquals(List.of("10.0.0.11", "10.0.0.12", "10.0.0.12", "10.0.0.13"),
            changes.stream().map(c -> c.address().orElseThrow()).toList());
        assertEquals(Optional.of(C), changes.get(2).owner());
        // done: a second run finds nothing
        final ReconcileReport again = ipam.reconcileSubnet("s", expected, Duration.ZERO, false);
        assertTrue(again.released().isEmpty() && again.allocated().isEmpty() && again.reowned().isEmpty());
    }

    @Test
    void shouldLeaveAllocationsYoungerThanTheGraceAlone()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/48").build());
        ipam.allocate("s", "2001:db8:0:1::5", B);
        ipam.allocate("s", "2001:db8:0:1::6", B);
        final ReconcileReport r = ipam.reconcileSubnet("s", Map.of("2001:db8:0:1::6", A, "2001:db8:0:2::7", A),
            Duration.ofDays(1), false);
        assertTrue(r.released().isEmpty(), "an unexpected allocation in its grace stays");
        assertTrue(r.reowned().isEmpty(), "a holder in its grace keeps the address");
        assertEquals(List.of(new Allocation("s", "2001:db8:0:2::7", A)), r.allocated());
        assertEquals(Optional.of(B), ipam.owner("s", "2001:db8:0:1::5"));
        assertEquals(Optional.of(A), ipam.owner("s", "2001:db8:0:2::7"));
    }

    @Test
    void shouldCheckEveryExpectedAddressBeforeChangingAnything()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        ipam.allocate("s", "10.0.0.10", B);
        final long seq = ipam.lastSequence();
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.reconcileSubnet("s",
            Map.of("10.0.0.20", A, "10.0.1.20", A), Duration.ZERO, false)), "outside the subnet");
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.reconcileSubnet("s",
            Map.of("10.0.0.20", A, "10.0.0.255", A), Duration.ZERO, false)), "the broadcast address");
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.reconcileSubnet("s",
            Map.of("10.0.0.300", A), Duration.ZERO, false)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.reconcileSubnet("s", Map.of(), Duration.ofSeconds(-1),
            false)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.reconcileSubnet("s", null, Duration.ZERO, false)));
        assertEquals(seq, ipam.lastSequence(), "nothing changed");
        assertEquals(Optional.of(B), ipam.owner("s", "10.0.0.10"));
    }

    @Test
    void shouldGiveTheAnycastAddressToARouterAndTakeCoolingAddresses()
    {
        ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/64").cooldown(Duration.ofHours(1)).build());
        ipam.allocate("s", "2001:db8::9", B);
        ipam.release("s", "2001:db8::9");
        assertEquals(1, ipam.subnet("s").cooling());
        final ReconcileReport r = ipam.reconcileSubnet("s", Map.of("2001:db8::", A, "2001:db8::9", C), Duration.ZERO,
            false);
        assertEquals(2, r.allocated().size());
        final Allocation anycast = r.allocated().get(0);
        assertEquals("2001:db8::", anycast.address());
        assertTrue(anycast.router(), "only a router may hold the subnet-router anycast address");
        assertTrue(ipam.allocations(A).get(0).router());
        assertEquals(Optional.of(C), ipam.owner("s", "2001:db8::9"), "a cooling address is taken");
        assertEquals(0, ipam.subnet("s").cooling());
        assertNotEquals(r.allocated().get(1).router(), true);
    }
}
