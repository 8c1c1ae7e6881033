package io.ipam.core;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of SPEC sections 1, 2 and 7 through the public {@link Ipam} names, for every implementation.
 */
public abstract class IpamContractTest extends IpamContractBase
{
    protected SubnetInfo subnet(final String id, final String cidr)
    {
        return ipam.createSubnet(SubnetSpec.builder(id, cidr).build());
    }

    // ----- subnets ------------------------------------------------------------------------------------------

    @Test
    void shouldApplyDefaultsToAnIpv4Subnet()
    {
        final SubnetInfo s = subnet("s1", "10.0.0.0/24");
        assertEquals("s1", s.id());
        assertEquals("10.0.0.0/24", s.cidr());
        assertEquals(Optional.of("10.0.0.1"), s.gateway());
        assertEquals(List.of(IpRange.of("10.0.0.2", "10.0.0.254")), s.pools());
        assertEquals(AllocationStrategy.RANDOM, s.strategy());
        assertEquals(Optional.empty(), s.tenant());
        assertEquals(0, s.allocated());
        assertEquals(BigInteger.valueOf(253), s.free());
    }

    @Test
    void shouldSplitDefaultPoolAroundAGivenGateway()
    {
        final SubnetInfo s = ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").gateway("10.0.0.128").build());
        assertEquals(List.of(IpRange.of("10.0.0.1", "10.0.0.127"), IpRange.of("10.0.0.129", "10.0.0.254")),
            s.pools());
        assertEquals(BigInteger.valueOf(253), s.free());
    }

    @Test
    void shouldTreatSlash31AndSlash32AsPointToPoint()
    {
        final SubnetInfo p2p = subnet("p", "10.0.0.0/31");
        assertEquals(Optional.empty(), p2p.gateway());
        assertEquals(List.of(IpRange.of("10.0.0.0", "10.0.0.1")), p2p.pools());
        assertEquals("10.0.0.0", ipam.allocate("p", "10.0.0.0", A));
        assertEquals("10.0.0.1", ipam.allocate("p", A));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocate("p", A)));

        final SubnetInfo host = subnet("h", "10.0.1.7/32");
        assertEquals(Optional.empty(), host.gateway());
        assertEquals(BigInteger.ONE, host.free());
        assertEquals("10.0.1.7", ipam.allocate("h", A));
    }

    @Test
    void shouldHandleIpv6Subnets()
    {
        final SubnetInfo s = subnet("v6", "2001:DB8::/64");
        assertEquals("2001:db8::/64", s.cidr());
        assertEquals(Optional.of("2001:db8::1"), s.gateway());
        assertEquals(List.of(IpRange.of("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff")), s.pools());
        assertEquals(new BigInteger("18446744073709551614"), s.free());
        final String a = ipam.allocate("v6", A);
        assertTrue(a.startsWith("2001:db8::"), a);
        assertEquals("2001:db8::ffff:ffff:ffff:ffff", ipam.allocate("v6", "2001:db8:0:0:ffff:ffff:ffff:ffff", B));

        final SubnetInfo p2p = subnet("v6p", "2001:db8:1::/127");
        assertEquals(Optional.empty(), p2p.gateway());
        assertEquals("2001:db8:1::", ipam.allocate("v6p", "2001:db8:1::", A));
        final SubnetInfo host = subnet("v6h", "2001:db8:2::5/128");
        assertEquals(BigInteger.ONE, host.free());
    }

    @Test
    void shouldRefuseBadCidrs()
    {
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a", "10.0.0.0/33")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a", "::/129")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a", "localhost/32")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a", "10.0.0.0")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a", null)));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> subnet("a", "0.0.0.0/0")));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> subnet("a", "::/0")));
        final IpamException ex = assertThrows(IpamException.class, () -> subnet("a", "10.0.0.5/24"));
        assertEquals(ErrorCode.CIDR_INVALID, ex.code());
        assertTrue(ex.getMessage().contains("10.0.0.0/24"), ex.getMessage());
    }

    @Test
    void shouldValidateIds()
    {
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("", "10.0.0.0/24")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("a b", "10.0.0.0/24")));
        assertEquals(ErrorCode.MALFORMED, code(() -> subnet("x".repeat(65), "10.0.0.0/24")));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.createSubnet(null)));
        subnet("a.B_c:d-9", "10.0.0.0/24");
        subnet("y".repeat(64), "10.0.1.0/24");
        assertEquals(ErrorCode.SUBNET_EXISTS, code(() -> subnet("a.B_c:d-9", "10.9.0.0/24")));
    }

    @Test
    void shouldRefuseOverlapWithinATenantOnly()
    {
        subnet("a", "10.0.0.0/16");
        assertEquals(ErrorCode.SUBNET_OVERLAP, code(() -> subnet("b", "10.0.5.0/24")));
        assertEquals(ErrorCode.SUBNET_OVERLAP, code(() -> subnet("b", "10.0.0.0/8")));
        subnet("c", "10.1.0.0/16");
        ipam.createSubnet(SubnetSpec.builder("t1", "10.0.0.0/16").tenant("tenant-1").build());
        ipam.createSubnet(SubnetSpec.builder("t2", "10.0.0.0/16").tenant("tenant-2").build());
        final IpamException ex = assertThrows(IpamException.class,
            () -> ipam.createSubnet(SubnetSpec.builder("t3", "10.0.1.0/24").tenant("tenant-2").build()));
        assertEquals(ErrorCode.SUBNET_OVERLAP, ex.code());
        assertFalse(ex.getMessage().contains("t1"), "must not reveal another tenant's subnet: " + ex.getMessage());
        assertEquals(Optional.of("tenant-1"), ipam.subnet("t1").tenant());
    }

    @Test
    void shouldValidateGateways()
    {
        assertEquals(ErrorCode.GATEWAY_INVALID,
            code(() -> ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").gateway("10.0.0.0").build())));
        assertEquals(ErrorCode.GATEWAY_INVALID,
            code(() -> ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").gateway("10.0.0.255").build())));
        // SPEC 1: an IPv6 gateway may be the subnet-router anycast address (the network address); default pools then
        // cover the whole usable range
        final SubnetInfo anycast = ipam.createSubnet(SubnetSpec.builder("any6", "2001:db8:a6::/64")
            .gateway("2001:db8:a6::").build());
        assertEquals(Optional.of("2001:db8:a6::"), anycast.gateway());
        assertEquals(List.of(IpRange.of("2001:db8:a6::1", "2001:db8:a6:0:ffff:ffff:ffff:ffff")), anycast.pools());
        assertEquals(ErrorCode.GATEWAY_INVALID,
            code(() -> ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").gateway("2001:db8::1").build())));
        assertEquals(ErrorCode.MALFORMED,
            code(() -> ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").gateway("10.0.0.300").build())));
        final SubnetInfo onLink = ipam.createSubnet(
            SubnetSpec.builder("onlink", "10.0.0.0/24").gateway("192.168.0.1").build());
        assertEquals(Optional.of("192.168.0.1"), onLink.gateway());
        assertEquals(List.of(IpRange.of("10.0.0.1", "10.0.0.254")), onLink.pools());
        final SubnetInfo none = ipam.createSubnet(SubnetSpec.builder("none", "10.1.0.0/24").noGateway().build());
        assertEquals(Optional.empty(), none.gateway());
        assertEquals(BigInteger.valueOf(254), none.free());
        final SubnetInfo v6 = ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
        assertEquals(Optional.of("2001:db8::1"), v6.gateway());
    }

    @Test
    void shouldValidateGivenPools()
    {
        final SubnetSpec.Builder base = SubnetSpec.builder("a", "10.0.0.0/24");
        assertEquals(ErrorCode.POOL_INVALID, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.20", "10.0.0.10").build())));
        assertEquals(ErrorCode.POOL_INVALID, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.20", "2001:db8::1").build())));
        assertEquals(ErrorCode.POOL_OUT_OF_BOUNDS, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.0", "10.0.0.10").build())));
        assertEquals(ErrorCode.POOL_OUT_OF_BOUNDS, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.200", "10.0.0.255").build())));
        assertEquals(ErrorCode.POOL_OUT_OF_BOUNDS, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.1.2", "10.0.1.3").build())));
        assertEquals(ErrorCode.POOL_OVERLAP, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.10", "10.0.0.20").pool("10.0.0.20", "10.0.0.30")
                .build())));
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.1", "10.0.0.20").build())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.createSubnet(
            SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.x", "10.0.0.20").build())));
        final SubnetInfo s = ipam.createSubnet(base.pool("10.0.0.100", "10.0.0.109").pool("10.0.0.10", "10.0.0.19")
            .build());
        assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.19"), IpRange.of("10.0.0.100", "10.0.0.109")),
            s.pools());
        assertEquals(BigInteger.valueOf(20), s.free());
    }

    @Test
    void shouldAllowNoPoolsForSpecificOnly()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").build());
        final SubnetInfo s = ipam.updatePools("a", List.of());
        assertEquals(List.of(), s.pools());
        assertEquals(BigInteger.ZERO, s.free());
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocate("a", A)));
        assertEquals("10.0.0.5", ipam.allocate("a", "10.0.0.5", A));
    }

    @Test
    void shouldNeverEvictOnPoolOrGatewayUpdate()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        assertEquals("10.0.0.2", ipam.allocate("a", A));
        final SubnetInfo s = ipam.updatePools("a", List.of(IpRange.of("10.0.0.100", "10.0.0.110")));
        assertEquals(1, s.allocated());
        assertEquals(BigInteger.valueOf(11), s.free());
        assertEquals(Optional.of(A), ipam.owner("a", "10.0.0.2"));
        assertEquals("10.0.0.100", ipam.allocate("a", B));
        assertTrue(ipam.release("a", "10.0.0.2"));
        assertEquals(BigInteger.valueOf(10), ipam.subnet("a").free());
    }

    @Test
    void shouldApplyGatewayUpdateRules()
    {
        subnet("a", "10.0.0.0/24");
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> ipam.updateGateway("a", "10.0.0.254")));
        ipam.updatePools("a", List.of(IpRange.of("10.0.0.10", "10.0.0.20")));
        final SubnetInfo moved = ipam.updateGateway("a", "10.0.0.254");
        assertEquals(Optional.of("10.0.0.254"), moved.gateway());
        assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.20")), moved.pools(), "pools are never recomputed");
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> ipam.updateGateway("a", "10.0.0.15")));
        assertEquals(ErrorCode.GATEWAY_INVALID, code(() -> ipam.updateGateway("a", "10.0.0.255")));
        assertEquals(ErrorCode.GATEWAY_IN_POOL,
            code(() -> ipam.updatePools("a", List.of(IpRange.of("10.0.0.250", "10.0.0.254")))));
        // SPEC 1: GATEWAY_IN_USE only while a router's allocation holds the old gateway; any other holder keeps its
        // address and the change succeeds
        ipam.allocate("a", "10.0.0.254", A, AllocationOptions.builder().router().build());
        assertEquals(ErrorCode.GATEWAY_IN_USE, code(() -> ipam.updateGateway("a", "10.0.0.1")));
        assertEquals(ErrorCode.GATEWAY_IN_USE, code(() -> ipam.updateGateway("a", null)));
        ipam.release("a", "10.0.0.254");
        ipam.allocate("a", "10.0.0.254", B);
        assertEquals(Optional.of("10.0.0.1"), ipam.updateGateway("a", "10.0.0.1").gateway());
        assertEquals(Optional.of(B), ipam.owner("a", "10.0.0.254"), "an ordinary holder keeps its address");
        assertEquals(Optional.empty(), ipam.updateGateway("a", null).gateway());
        assertEquals(List.of(IpRange.of("10.0.0.1", "10.0.0.254")),
            ipam.updatePools("a", List.of(IpRange.of("10.0.0.1", "10.0.0.254"))).pools(), "no gateway, no conflict");
    }

    @Test
    void shouldDeleteWithAndWithoutForce()
    {
        subnet("a", "10.0.0.0/24");
        ipam.allocate("a", A);
        assertEquals(ErrorCode.SUBNET_IN_USE, code(() -> ipam.deleteSubnet("a")));
        ipam.deleteSubnet("a", true);
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> ipam.subnet("a")));
        assertEquals(List.of(), ipam.allocations(A));
        subnet("a", "10.0.0.0/24");
        ipam.deleteSubnet("a");
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> ipam.deleteSubnet("a")));
        assertEquals(List.of(), ipam.subnets());
    }

    @Test
    void shouldListSubnetsInIdOrder()
    {
        subnet("b", "10.0.1.0/24");
        subnet("a", "10.0.0.0/24");
        subnet("c", "2001:db8::/64");
        final List<String> ids = new ArrayList<>();
        ipam.subnets().forEach(s -> ids.add(s.id()));
        assertEquals(List.of("a", "b", "c"), ids);
    }

    // ----- addresses ----------------------------------------------------------------------------------------

    @Test
    void shouldAllocateSpecificAddressesAnywhereUsable()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.10", "10.0.0.20").build());
        assertEquals("10.0.0.1", ipam.allocate("a", "10.0.0.1", A), "the gateway can be taken by a router");
        assertEquals("10.0.0.200", ipam.allocate("a", "10.0.0.200", A));
        assertEquals(BigInteger.valueOf(11), ipam.subnet("a").free(), "outside the pools: free is unchanged");
        assertEquals(2, ipam.subnet("a").allocated());
        assertEquals(ErrorCode.ADDRESS_TAKEN, code(() -> ipam.allocate("a", "10.0.0.200", B)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("a", "10.0.0.0", A)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("a", "10.0.0.255", A)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("a", "10.0.1.1", A)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("a", "2001:db8::1", A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate("a", "10.0.0", A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate("a", (String)null, A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate("a", "10.0.0.7", null)));
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> ipam.allocate("zz", "10.0.0.7", A)));
        subnet("v6", "2001:db8::/64");
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocate("v6", "2001:db8::", A)));
        assertEquals("2001:db8::a", ipam.allocate("v6", "2001:DB8:0::A", A));
    }

    @Test
    void shouldAllocateLowestInPoolOrder()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST)
            .pool("10.0.0.100", "10.0.0.101").pool("10.0.0.10", "10.0.0.11").build());
        assertEquals("10.0.0.10", ipam.allocate("a", A));
        assertEquals("10.0.0.11", ipam.allocate("a", A));
        assertEquals("10.0.0.100", ipam.allocate("a", A));
        ipam.release("a", "10.0.0.10");
        assertEquals("10.0.0.10", ipam.allocate("a", A));
        assertEquals("10.0.0.101", ipam.allocate("a", A));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocate("a", A)));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocateNext("a", A)));
    }

    @Test
    void shouldSpreadRandomAllocationsOverAllPools()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/16").build());
        final Set<String> seen = new HashSet<>();
        int high = 0;
        for (int i = 0; i < 200; i++)
        {
            final String a = ipam.allocate("a", A);
            assertTrue(seen.add(a), "duplicate " + a);
            if (Integer.parseInt(a.split("\\.")[2]) >= 128)
            {
                high++;
            }
        }
        assertTrue(high > 50 && high < 150, "random picks should cover the whole /16, upper half got " + high);
        int lowest = 2;
        while (seen.contains("10.0.0." + lowest))
        {
            lowest++;
        }
        assertEquals("10.0.0." + lowest, ipam.allocateNext("a", B), "next overrides the strategy");
    }

    @Test
    void shouldExhaustAndReportIt()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/29").build());
        final Set<String> got = new HashSet<>();
        for (int i = 0; i < 5; i++)
        {
            got.add(ipam.allocate("a", A));
        }
        assertEquals(Set.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), got);
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocate("a", A)));
        assertEquals(BigInteger.ZERO, ipam.subnet("a").free());
        assertEquals("10.0.0.1", ipam.allocate("a", "10.0.0.1", A), "specific outside pools still works");
    }

    @Test
    void shouldAllocateEui64()
    {
        subnet("v6", "2001:db8::/64");
        assertEquals("2001:db8::211:22ff:fe33:4455", ipam.allocateEui64("v6", "00:11:22:33:44:55", A));
        assertEquals(ErrorCode.ADDRESS_TAKEN, code(() -> ipam.allocateEui64("v6", "00-11-22-33-44-55", B)));
        assertEquals("2001:db8::211:22ff:fe33:4456", ipam.allocateEui64("v6", "0011.2233.4456", A));
        subnet("v4", "10.0.0.0/24");
        subnet("v6b", "2001:db8:1::/96");
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocateEui64("v4", "00:11:22:33:44:55", A)));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.allocateEui64("v6b", "00:11:22:33:44:55", A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocateEui64("v6", "00:11:22:33:44", A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocateEui64("v6", "zz:11:22:33:44:55", A)));
    }

    @Test
    void shouldAllocateBulkAllOrNothing()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST)
            .pool("10.0.0.10", "10.0.0.12").pool("10.0.0.20", "10.0.0.22").build());
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocateBulk("a", A, 0)));
        assertEquals(ErrorCode.BULK_TOO_LARGE, code(() -> ipam.allocateBulk("a", A, 65_537)));
        assertEquals(ErrorCode.BULK_TOO_LARGE, code(() -> ipam.allocateBulk("nope", A, 65_537)),
            "bound is checked before any state");
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocateBulk("a", A, 7)));
        assertEquals(0, ipam.subnet("a").allocated(), "nothing taken on failure");
        assertEquals(List.of("10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.20", "10.0.0.21"),
            ipam.allocateBulk("a", A, 5), "spills across pools");
        assertEquals(5, ipam.allocations(A).size());
        subnet("r", "10.1.0.0/16");
        final List<String> random = ipam.allocateBulk("r", B, 1000);
        assertEquals(1000, new HashSet<>(random).size());
    }

    @Test
    void shouldHonourConfiguredBulkBound()
    {
        final Ipam small = newIpam(IpamConfig.builder().maxBulk(4).build());
        try
        {
            small.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").build());
            assertEquals(ErrorCode.BULK_TOO_LARGE, code(() -> small.allocateBulk("a", A, 5)));
            assertEquals(4, small.allocateBulk("a", A, 4).size());
        }
        finally
        {
            small.close();
        }
    }

    @Test
    void shouldReleaseInEveryForm()
    {
        subnet("a", "10.0.0.0/24");
        ipam.allocate("a", "10.0.0.5", A);
        ipam.allocate("a", "10.0.0.6", A);
        ipam.allocate("a", "10.0.0.7", B);
        assertFalse(ipam.release("a", "10.0.0.9"), "free address: false, no error");
        assertFalse(ipam.release("a", "10.0.0.9", A));
        assertEquals(ErrorCode.OWNER_MISMATCH, code(() -> ipam.release("a", "10.0.0.7", A)));
        assertEquals(Optional.of(B), ipam.owner("a", "10.0.0.7"), "stays allocated after a mismatch");
        assertTrue(ipam.release("a", "10.0.0.7", B));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.release("a", "10.0.0.256")));
        assertEquals(ErrorCode.ADDRESS_INVALID, code(() -> ipam.release("a", "10.0.1.5")));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.release("a", "10.0.0.5", null)));
        subnet("b", "10.0.1.0/24");
        ipam.allocate("b", "10.0.1.5", A);
        assertEquals(3, ipam.releaseOwner(A));
        assertEquals(0, ipam.releaseOwner(A));
        assertEquals(0, ipam.subnet("a").allocated());
        assertEquals(Optional.empty(), ipam.owner("a", "10.0.0.5"));
    }

    @Test
    void shouldListAllocationsOfAnOwnerInOrder()
    {
        subnet("b", "10.0.1.0/24");
        subnet("a", "10.0.0.0/24");
        ipam.allocate("b", "10.0.1.3", A);
        ipam.allocate("a", "10.0.0.20", A);
        ipam.allocate("a", "10.0.0.3", A);
        ipam.allocate("a", "10.0.0.4", B);
        assertEquals(List.of(new Allocation("a", "10.0.0.3", A), new Allocation("a", "10.0.0.20", A),
            new Allocation("b", "10.0.1.3", A)), ipam.allocations(A));
        assertEquals(List.of(), ipam.allocations(UUID.randomUUID()));
    }

    @Test
    void shouldKeepCountsRight()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").pool("10.0.0.10", "10.0.0.19").build());
        ipam.allocate("a", A);
        ipam.allocate("a", "10.0.0.15", A);
        ipam.allocate("a", "10.0.0.100", A);
        final SubnetInfo s = ipam.subnet("a");
        assertEquals(3, s.allocated());
        assertEquals(BigInteger.valueOf(8), s.free());
    }

    @Test
    void shouldFailEverythingAfterClose()
    {
        subnet("a", "10.0.0.0/24");
        ipam.close();
        assertEquals(ErrorCode.CLOSED, code(() -> ipam.allocate("a", A)));
        assertEquals(ErrorCode.CLOSED, code(() -> ipam.subnets()));
        assertEquals(ErrorCode.CLOSED, code(() -> subnet("b", "10.0.1.0/24")));
        ipam.close();
    }

    @Test
    void shouldRefuseNullsWithMalformed()
    {
        subnet("a", "10.0.0.0/24");
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate(null, A)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocate("a", (UUID)null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.subnet(null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.updatePools("a", null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.releaseOwner(null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocations(null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.owner("a", null)));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.snapshot(null)));
    }

    @Test
    void shouldUseCanonicalText()
    {
        subnet("v6", "2001:0db8:0000:0000::/64");
        assertEquals("2001:db8::/64", ipam.subnet("v6").cidr());
        assertEquals("2001:db8::1:0:0:1", ipam.allocate("v6", "2001:db8:0:0:1:0:0:1", A));
        assertEquals(Optional.of(A), ipam.owner("v6", "2001:db8::1:0:0:1"));
        assertNotEquals("2001:DB8::", ipam.subnet("v6").gateway().orElseThrow());
    }

    // ----- groups and ports (SPEC section 3) ------------------------------------------------------------------

    @Test
    void shouldFallThroughAGroupOnlyOnExhaustion()
    {
        ipam.createSubnet(SubnetSpec.builder("g1", "10.0.0.0/30").build());
        ipam.createSubnet(SubnetSpec.builder("g2", "10.0.1.0/29").build());
        final List<String> group = List.of("g1", "g2");
        assertEquals("g1", ipam.allocatePort(A, List.of(AddressRequest.anyOf(group))).get(0).subnetId());
        final Allocation second = ipam.allocatePort(A, List.of(AddressRequest.anyOf(group))).get(0);
        assertEquals("g2", second.subnetId(), "g1 (/30: one pool address) is exhausted");
        assertEquals(Optional.of(A), ipam.owner("g2", second.address()));
        assertEquals(ErrorCode.SUBNET_NOT_FOUND,
            code(() -> ipam.allocatePort(A, List.of(AddressRequest.anyOf(List.of("g1", "missing", "g2"))))),
            "a non-exhaustion error stops at once");
        for (int i = 0; i < 4; i++)
        {
            ipam.allocate("g2", A);
        }
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocatePort(A, List.of(AddressRequest.anyOf(group)))));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePort(A, List.of(AddressRequest.anyOf(List.of())))));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePort(A, List.of(AddressRequest.anyOf(null)))));
    }

    @Test
    void shouldServeSpecificItemsBeforeAutomaticOnes()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        subnet("v6", "2001:db8::/64");
        final List<Allocation> port = ipam.allocatePort(A, List.of(
            AddressRequest.next("a"),
            AddressRequest.any("a"),
            AddressRequest.specific("a", "10.0.0.2"),
            AddressRequest.eui64("v6", "00:11:22:33:44:55"),
            AddressRequest.specific("a", "10.0.0.3")));
        assertEquals(5, port.size());
        assertEquals(new Allocation("a", "10.0.0.4", A), port.get(0), "automatic picks skip the specific items");
        assertEquals(new Allocation("a", "10.0.0.5", A), port.get(1));
        assertEquals(new Allocation("a", "10.0.0.2", A), port.get(2));
        assertEquals(new Allocation("v6", "2001:db8::211:22ff:fe33:4455", A), port.get(3));
        assertEquals(new Allocation("a", "10.0.0.3", A), port.get(4));
        assertEquals(5, ipam.allocations(A).size());
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePort(A, List.of())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePort(null, List.of(AddressRequest.any("a")))));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePort(A, null)));
    }

    @Test
    void shouldLeakNothingWhenAnyItemFails()
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("full", "10.0.1.0/30").build());
        ipam.allocate("full", B);
        ipam.allocate("a", "10.0.0.200", B);
        subnet("v6", "2001:db8::/64");
        final List<AddressRequest> good = List.of(
            AddressRequest.any("a"),
            AddressRequest.specific("a", "10.0.0.50"),
            AddressRequest.next("a"),
            AddressRequest.eui64("v6", "00:11:22:33:44:55"),
            AddressRequest.anyOf(List.of("full", "a")));
        final List<AddressRequest> failures = List.of(
            AddressRequest.any("full"),
            AddressRequest.specific("a", "10.0.0.200"),
            AddressRequest.specific("a", "10.0.1.9"),
            AddressRequest.eui64("a", "00:11:22:33:44:66"),
            AddressRequest.anyOf(List.of("full")),
            AddressRequest.next("full"));
        for (int position = 0; position <= good.size(); position++)
        {
            for (final AddressRequest bad : failures)
            {
                final List<AddressRequest> items = new ArrayList<>(good);
                items.add(position, bad);
                final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocatePort(A, items));
                assertTrue(ex.getMessage().contains("item " + position), ex.getMessage());
                assertEquals(List.of(), ipam.allocations(A), "leak after failure at item " + position + ": " + bad);
                assertEquals(1, ipam.subnet("a").allocated());
                assertEquals(0, ipam.subnet("v6").allocated());
            }
        }
        assertEquals(6, ipam.allocatePort(A, new ArrayList<>(good) { { add(AddressRequest.any("a")); } }).size());
    }

    // ----- prefix pools (SPEC section 4) ----------------------------------------------------------------------

    @Test
    void shouldApplyPrefixPoolDefaults()
    {
        final PrefixPoolInfo v4 = ipam.createPrefixPool(PrefixPoolSpec.builder("p4", List.of("10.0.0.0/8")).build());
        assertEquals(8, v4.minPrefixLength());
        assertEquals(8, v4.defaultPrefixLength());
        assertEquals(32, v4.maxPrefixLength());
        assertEquals(OptionalLong.empty(), v4.quota());
        assertEquals(List.of("10.0.0.0/8"), v4.prefixes());
        final PrefixPoolInfo v6 = ipam.createPrefixPool(
            PrefixPoolSpec.builder("p6", List.of("2001:db8::/32")).build());
        assertEquals(64, v6.minPrefixLength());
        assertEquals(64, v6.defaultPrefixLength());
        assertEquals(128, v6.maxPrefixLength());
        assertEquals("2001:db8::/64", ipam.allocatePrefix("p6", "t"));
        assertEquals("2001:db8:0:1::/64", ipam.allocatePrefix("p6", "t"));
        assertEquals(2, ipam.prefixPool("p6").childCount());
        assertEquals(ErrorCode.POOL_EXISTS,
            code(() -> ipam.createPrefixPool(PrefixPoolSpec.builder("p6", List.of("10.0.0.0/8")).build())));
        assertEquals(ErrorCode.POOL_NOT_FOUND, code(() -> ipam.allocatePrefix("nope", "t")));
        assertEquals(ErrorCode.POOL_NOT_FOUND, code(() -> ipam.prefixPool("nope")));
    }

    @Test
    void shouldValidatePrefixPoolSpecs()
    {
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.createPrefixPool(null)));
        assertEquals(ErrorCode.MALFORMED,
            code(() -> ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of()).build())));
        assertEquals(ErrorCode.MALFORMED,
            code(() -> ipam.createPrefixPool(PrefixPoolSpec.builder("p", null).build())));
        assertEquals(ErrorCode.MALFORMED,
            code(() -> ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.0/33")).build())));
        assertEquals(ErrorCode.CIDR_INVALID,
            code(() -> ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.1/8")).build())));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.createPrefixPool(
            PrefixPoolSpec.builder("p", List.of("10.0.0.0/8", "2001:db8::/32")).build())));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.createPrefixPool(
            PrefixPoolSpec.builder("p", List.of("10.0.0.0/8", "10.1.0.0/16")).build())));
        assertEquals(ErrorCode.PREFIX_LENGTH, code(() -> ipam.createPrefixPool(
            PrefixPoolSpec.builder("p", List.of("10.0.0.0/8")).minPrefixLength(24).maxPrefixLength(16).build())));
        assertEquals(ErrorCode.PREFIX_LENGTH, code(() -> ipam.createPrefixPool(
            PrefixPoolSpec.builder("p", List.of("10.0.0.0/8")).minPrefixLength(16).defaultPrefixLength(8).build())));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.createPrefixPool(
            PrefixPoolSpec.builder("p", List.of("10.0.0.0/8")).quota(-5).build())));
    }

    @Test
    void shouldAllocateBestFit()
    {
        ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.0/16", "10.1.0.0/24"))
            .minPrefixLength(16).maxPrefixLength(30).defaultPrefixLength(24).build());
        assertEquals("10.1.0.0/26", ipam.allocatePrefix("p", "t", 26), "smallest block that holds a /26: the /24");
        assertEquals("10.1.0.64/26", ipam.allocatePrefix("p", "t", 26));
        assertEquals("10.0.0.0/24", ipam.allocatePrefix("p", "t"));
        assertEquals("10.1.0.128/25", ipam.allocatePrefix("p", "t", 25));
        assertEquals("10.0.1.0/24", ipam.allocatePrefix("p", "t", 24));
        assertEquals("10.0.128.0/17", ipam.allocatePrefix("p", "t", 17));
        assertTrue(ipam.releasePrefix("p", "10.1.0.64/26"));
        assertFalse(ipam.releasePrefix("p", "10.1.0.64/26"));
        assertEquals("10.1.0.64/27", ipam.allocatePrefix("p", "t", 27));
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24", "10.0.128.0/17", "10.1.0.0/26", "10.1.0.64/27",
            "10.1.0.128/25"), ipam.children("p"));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocatePrefix("p", "t", 16)));
        assertEquals(ErrorCode.PREFIX_LENGTH, code(() -> ipam.allocatePrefix("p", "t", 31)));
        assertEquals(ErrorCode.PREFIX_LENGTH, code(() -> ipam.allocatePrefix("p", "t", 8)));
        assertEquals(ErrorCode.PREFIX_LENGTH, code(() -> ipam.allocatePrefix("p", "t", -1)));
    }

    @Test
    void shouldAllocateSpecificPrefixesOnlyWhenWhollyFree()
    {
        ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.0/16")).minPrefixLength(16).build());
        assertEquals("10.0.4.0/22", ipam.allocatePrefix("p", "t", "10.0.4.0/22"));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.allocatePrefix("p", "t", "10.0.5.0/24")));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.allocatePrefix("p", "t", "10.0.0.0/21")));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.allocatePrefix("p", "t", "10.1.0.0/24")));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.allocatePrefix("p", "t", "10.0.8.1/24")));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePrefix("p", "t", "10.0.8.0/40")));
        assertEquals("10.0.0.0/22", ipam.allocatePrefix("p", "t", "10.0.0.0/22"));
        assertEquals(ErrorCode.MALFORMED, code(() -> ipam.allocatePrefix("p", null, 24)));
    }

    @Test
    void shouldCountQuotaPerRequestingTenant()
    {
        ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.0/16")).minPrefixLength(16)
            .defaultPrefixLength(24).quota(512).build());
        ipam.allocatePrefix("p", "t1");
        ipam.allocatePrefix("p", "t1");
        assertEquals(ErrorCode.QUOTA_EXCEEDED, code(() -> ipam.allocatePrefix("p", "t1")));
        assertEquals(ErrorCode.QUOTA_EXCEEDED, code(() -> ipam.allocatePrefix("p", "t2", 22)));
        ipam.allocatePrefix("p", "t2", 23);
        final String last = ipam.allocatePrefix("p", "t3", 25);
        ipam.allocatePrefix("p", "t3", 25);
        ipam.allocatePrefix("p", "t3", 24);
        assertEquals(ErrorCode.QUOTA_EXCEEDED, code(() -> ipam.allocatePrefix("p", "t3", 32)));
        ipam.releasePrefix("p", last);
        ipam.allocatePrefix("p", "t3", 26);

        ipam.createPrefixPool(PrefixPoolSpec.builder("p6", List.of("2001:db8::/32")).minPrefixLength(48)
            .quota(2).build());
        ipam.allocatePrefix("p6", "t", 64);
        ipam.allocatePrefix("p6", "t", 80);
        assertEquals(ErrorCode.QUOTA_EXCEEDED, code(() -> ipam.allocatePrefix("p6", "t", 127)),
            "IPv6 children longer than /64 count as one /64");
        assertEquals(ErrorCode.QUOTA_EXCEEDED, code(() -> ipam.allocatePrefix("p6", "u", 62)));
        assertTrue(ipam.allocatePrefix("p6", "u", 63).endsWith("/63"), "usage plus request at the quota is allowed");
    }

    @Test
    void shouldGrowAndShrinkPrefixPools()
    {
        ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.0.0.0/24")).minPrefixLength(24)
            .defaultPrefixLength(26).build());
        ipam.allocatePrefix("p", "t", "10.0.0.0/26");
        ipam.allocatePrefix("p", "t", "10.0.0.64/26");
        ipam.allocatePrefix("p", "t", "10.0.0.128/26");
        ipam.allocatePrefix("p", "t", "10.0.0.192/26");
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocatePrefix("p", "t")));
        final PrefixPoolInfo grown = ipam.addPrefixes("p", List.of("10.0.1.0/24"));
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/24"), grown.prefixes());
        assertEquals("10.0.1.0/26", ipam.allocatePrefix("p", "t"));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.addPrefixes("p", List.of("10.0.1.128/25"))));
        assertEquals(ErrorCode.CIDR_INVALID, code(() -> ipam.addPrefixes("p", List.of("2001:db8::/64"))));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.removePrefixes("p", List.of("10.0.1.0/24"))));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.removePrefixes("p", List.of("10.0.1.0/26"))));
        assertEquals(ErrorCode.PREFIX_UNAVAILABLE, code(() -> ipam.removePrefixes("p", List.of("10.9.0.0/24"))));
        final PrefixPoolInfo shrunk = ipam.removePrefixes("p", List.of("10.0.1.128/25"));
        assertEquals(List.of("10.0.0.0/24", "10.0.1.0/25"), shrunk.prefixes());
        assertEquals("10.0.1.64/26", ipam.allocatePrefix("p", "t"));
        assertEquals(ErrorCode.EXHAUSTED, code(() -> ipam.allocatePrefix("p", "t")));
        assertEquals(6, ipam.prefixPool("p").childCount());
    }

    @Test
    void shouldReturnImmutableValues()
    {
        subnet("a", "10.0.0.0/24");
        ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.9.0.0/16")).minPrefixLength(16).build());
        ipam.allocatePrefix("p", "t", 24);
        final List<List<?>> lists = List.of(ipam.subnets(), ipam.allocateBulk("a", A, 2), ipam.allocations(A),
            ipam.allocatePort(A, List.of(AddressRequest.any("a"))), ipam.children("p"), ipam.subnet("a").pools(),
            ipam.prefixPool("p").prefixes());
        for (final List<?> list : lists)
        {
            assertThrows(UnsupportedOperationException.class, () -> list.remove(0));
        }
        // lists passed in are copied, never kept
        final List<IpRange> pools = new ArrayList<>(List.of(IpRange.of("10.0.0.10", "10.0.0.20")));
        ipam.updatePools("a", pools);
        pools.add(IpRange.of("10.0.0.30", "10.0.0.40"));
        assertEquals(1, ipam.subnet("a").pools().size());
    }
}
