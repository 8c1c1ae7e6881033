package io.ipam.core;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SPEC 10: everything a caller can make grow is bounded, and checked before any state changes.
 */
class LimitsTest
{
    private static final UUID OWNER = new UUID(5, 5);

    private static void assertCode(final ErrorCode code, final Executable call)
    {
        assertEquals(code, assertThrows(IpamException.class, call).code());
    }

    @Test
    void shouldBoundTheNumberOfSubnets()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxSubnets(3).build()))
        {
            for (int i = 0; i < 3; i++)
            {
                ipam.createSubnet(SubnetSpec.builder("s" + i, "10." + i + ".0.0/24").build());
            }
            assertCode(ErrorCode.LIMIT_EXCEEDED,
                () -> ipam.createSubnet(SubnetSpec.builder("s3", "10.3.0.0/24").build()));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.forTenant("t")
                .createSubnet(SubnetSpec.builder("s4", "10.4.0.0/24").build()));
            assertEquals(3, ipam.subnets().size());
            ipam.deleteSubnet("s0");
            ipam.createSubnet(SubnetSpec.builder("s3", "10.3.0.0/24").build());
        }
    }

    @Test
    void shouldBoundThePoolsOfASubnet()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxPoolsPerSubnet(2).build()))
        {
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24")
                .pool("10.0.0.10", "10.0.0.19").pool("10.0.0.20", "10.0.0.29").pool("10.0.0.30", "10.0.0.39")
                .build()));
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").pool("10.0.0.10", "10.0.0.19").build());
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.updatePools("s", List.of(
                IpRange.of("10.0.0.10", "10.0.0.19"), IpRange.of("10.0.0.20", "10.0.0.29"),
                IpRange.of("10.0.0.30", "10.0.0.39"))));
            assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.19")), ipam.subnet("s").pools());
            ipam.updatePools("s", List.of(IpRange.of("10.0.0.10", "10.0.0.19"), IpRange.of("10.0.0.20", "10.0.0.29")));
        }
    }

    @Test
    void shouldBoundTheAllocationsInMemoryCountingPrefixChildren()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxAllocations(10).build()))
        {
            // LOWEST: the automatic picks are .2 upwards, so the specific addresses below are free for certain
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.100.0.0/16")).minPrefixLength(24).build());
            ipam.allocatePrefix("p", "t");
            ipam.allocatePrefix("p", "t");
            final List<String> held = new ArrayList<>(ipam.allocateBulk("s", OWNER, 6));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocateBulk("s", OWNER, 3));
            assertEquals(6, ipam.subnet("s").allocated(), "a refused bulk takes nothing");
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocatePort(OWNER, List.of(AddressRequest.any("s"),
                AddressRequest.any("s"), AddressRequest.any("s"))));
            held.add(ipam.allocate("s", OWNER));
            held.add(ipam.allocate("s", "10.0.0.77", OWNER));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocate("s", OWNER));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocateNext("s", OWNER));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocate("s", "10.0.0.99", OWNER));
            assertCode(ErrorCode.LIMIT_EXCEEDED, () -> ipam.allocatePrefix("p", "t"));
            assertEquals(8, ipam.subnet("s").allocated());
            assertEquals(2, ipam.children("p").size());
            ipam.release("s", held.get(0));
            ipam.allocatePrefix("p", "t");
        }
    }

    @Test
    void shouldBoundThePortRequestItemsBeforeLookingAnythingUp()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxBulk(4).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final List<AddressRequest> five = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                five.add(AddressRequest.any(i == 4 ? "no-such-subnet" : "s"));
            }
            assertCode(ErrorCode.BULK_TOO_LARGE, () -> ipam.allocatePort(OWNER, five));
            assertEquals(0, ipam.subnet("s").allocated());
            assertEquals(4, ipam.allocatePort(OWNER, five.subList(0, 4)).size());
        }
    }

    @Test
    void shouldRefuseSillyLimits()
    {
        assertCode(ErrorCode.MALFORMED, () -> IpamConfig.builder().maxSubnets(0).build());
        assertCode(ErrorCode.MALFORMED, () -> IpamConfig.builder().maxPoolsPerSubnet(0).build());
        assertCode(ErrorCode.MALFORMED, () -> IpamConfig.builder().maxAllocations(0).build());
    }
}
