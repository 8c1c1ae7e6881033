package io.ipam.core;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 8: a tenant view sees, creates, allocates and releases only within its tenant.
 */
class TenantViewTest
{
    private static final UUID OWNER = new UUID(4, 4);

    @TempDir
    Path tmp;

    private Ipam root;
    private Ipam red;
    private Ipam blue;

    @BeforeEach
    void setUp()
    {
        root = Ipam.inMemory(IpamConfig.builder().randomSource(() -> RandomSource.seeded(11)).build());
        root.createSubnet(SubnetSpec.builder("red-net", "10.0.0.0/24").tenant("red").build());
        root.createSubnet(SubnetSpec.builder("blue-net", "10.0.0.0/24").tenant("blue").build());
        root.createSubnet(SubnetSpec.builder("shared-net", "10.9.0.0/24").build()); // default tenant
        red = root.forTenant("red");
        blue = root.forTenant("blue");
    }

    @AfterEach
    void tearDown()
    {
        root.close();
    }

    private static void assertCode(final ErrorCode code, final Executable call)
    {
        assertEquals(code, assertThrows(IpamException.class, call).code());
    }

    @Test
    void shouldSeeOnlyItsOwnSubnets()
    {
        assertEquals(List.of("red-net"), red.subnets().stream().map(SubnetInfo::id).toList());
        assertEquals(List.of("blue-net"), blue.subnets().stream().map(SubnetInfo::id).toList());
        assertEquals(3, root.subnets().size());
        for (final String other : List.of("blue-net", "shared-net"))
        {
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.subnet(other));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocate(other, OWNER));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocateNext(other, OWNER));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocate(other, "10.0.0.9", OWNER));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocateBulk(other, OWNER, 2));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.release(other, "10.0.0.9"));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.release(other, "10.0.0.9", OWNER));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.owner(other, "10.0.0.9"));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.updatePools(other, List.of()));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.updateGateway(other, null));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.deleteSubnet(other, true));
            assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocatePort(OWNER, List.of(AddressRequest.any(other))));
            final IpamException ex = assertThrows(IpamException.class, () -> red.subnet(other));
            assertEquals("subnet '" + other + "' not found", ex.reason());
        }
        // nothing of blue's changed
        assertEquals(0, root.subnet("blue-net").allocated());
        assertTrue(root.subnet("blue-net").gateway().isPresent());
    }

    @Test
    void shouldWorkWithinItsOwnSubnets()
    {
        final String a = red.allocate("red-net", OWNER);
        assertEquals(OWNER, red.owner("red-net", a).orElseThrow());
        assertEquals(1, red.subnet("red-net").allocated());
        assertTrue(red.release("red-net", a, OWNER));
        assertEquals(2, red.allocatePort(OWNER, List.of(AddressRequest.any("red-net"),
            AddressRequest.next("red-net"))).size());
        red.updateGateway("red-net", null);
        red.deleteSubnet("red-net", true);
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> root.subnet("red-net"));
    }

    @Test
    void shouldCreateInItsTenantAndRefuseAnother()
    {
        final SubnetInfo made = red.createSubnet(SubnetSpec.builder("red-2", "10.1.0.0/24").build());
        assertEquals("red", made.tenant().orElseThrow());
        assertEquals("red", root.subnet("red-2").tenant().orElseThrow());
        red.createSubnet(SubnetSpec.builder("red-3", "10.2.0.0/24").tenant("red").build());
        assertCode(ErrorCode.FORBIDDEN, () ->
            red.createSubnet(SubnetSpec.builder("x", "10.3.0.0/24").tenant("blue").build()));
        // overlap is per tenant: blue may reuse red's space, red may not
        blue.createSubnet(SubnetSpec.builder("blue-2", "10.1.0.0/24").build());
        final IpamException overlap = assertThrows(IpamException.class,
            () -> red.createSubnet(SubnetSpec.builder("red-4", "10.1.0.0/25").build()));
        assertEquals(ErrorCode.SUBNET_OVERLAP, overlap.code());
        assertFalse(overlap.getMessage().contains("blue"), overlap.getMessage());
    }

    @Test
    void shouldCoverItsOwnSubnetsOnlyForOwners()
    {
        final String r1 = red.allocate("red-net", OWNER);
        final String b1 = blue.allocate("blue-net", OWNER);
        root.allocate("shared-net", OWNER);
        assertEquals(List.of(new Allocation("red-net", r1, OWNER)), red.allocations(OWNER));
        assertEquals(List.of(new Allocation("blue-net", b1, OWNER)), blue.allocations(OWNER));
        assertEquals(3, root.allocations(OWNER).size());
        assertEquals(1, red.releaseOwner(OWNER));
        assertEquals(List.of(), red.allocations(OWNER));
        assertEquals(2, root.allocations(OWNER).size(), "blue's and the default tenant's stay");
        assertEquals(OWNER, root.owner("blue-net", b1).orElseThrow());
    }

    @Test
    void shouldShareprefixPoolsButNotChildren()
    {
        root.createPrefixPool(PrefixPoolSpec.builder("pool", List.of("10.100.0.0/16")).minPrefixLength(24)
            .maxPrefixLength(28).defaultPrefixLength(24).quota(512).build());
        assertEquals("pool", red.prefixPool("pool").id());
        final String redChild = red.allocatePrefix("pool", "red");
        final String blueChild = blue.allocatePrefix("pool", "blue");
        assertCode(ErrorCode.FORBIDDEN, () -> red.allocatePrefix("pool", "blue"));
        assertCode(ErrorCode.FORBIDDEN, () -> red.allocatePrefix("pool", "blue", 26));
        assertCode(ErrorCode.FORBIDDEN, () -> red.allocatePrefix("pool", "blue", "10.100.200.0/24"));
        assertEquals(List.of(redChild), red.children("pool"));
        assertEquals(List.of(blueChild), blue.children("pool"));
        assertEquals(2, root.children("pool").size());
        assertFalse(red.releasePrefix("pool", blueChild), "another tenant's child is not the view's to free");
        assertTrue(root.children("pool").contains(blueChild));
        // the quota counts the view's own tenant: red has 256 of 512 left after one /24
        red.allocatePrefix("pool", "red", 24);
        assertCode(ErrorCode.QUOTA_EXCEEDED, () -> red.allocatePrefix("pool", "red", 24));
        blue.allocatePrefix("pool", "blue", 24);
        assertTrue(red.releasePrefix("pool", redChild));
    }

    @Test
    void shouldRefuseAdministrativeCalls()
    {
        root.createPrefixPool(PrefixPoolSpec.builder("pool", List.of("10.100.0.0/16")).build());
        assertCode(ErrorCode.FORBIDDEN, () -> red.createPrefixPool(PrefixPoolSpec.builder("p2",
            List.of("10.200.0.0/16")).build()));
        assertCode(ErrorCode.FORBIDDEN, () -> red.addPrefixes("pool", List.of("10.101.0.0/16")));
        assertCode(ErrorCode.FORBIDDEN, () -> red.removePrefixes("pool", List.of("10.100.0.0/17")));
        assertCode(ErrorCode.FORBIDDEN, () -> red.snapshot(tmp.resolve("s.snap")));
        assertCode(ErrorCode.FORBIDDEN, () -> red.forTenant("blue"));
        assertSame(red, red.forTenant("red"));
        assertEquals(1, root.prefixPool("pool").prefixes().size());
    }

    @Test
    void shouldValidateTheTenantAndFollowTheAllocatorsLife()
    {
        assertCode(ErrorCode.MALFORMED, () -> root.forTenant(null));
        assertCode(ErrorCode.MALFORMED, () -> root.forTenant(""));
        assertCode(ErrorCode.MALFORMED, () -> root.forTenant("no spaces"));
        red.close();
        red.allocate("red-net", OWNER); // a view's close does nothing
        root.close();
        assertCode(ErrorCode.CLOSED, () -> red.allocate("red-net", OWNER));
        assertCode(ErrorCode.CLOSED, () -> red.subnets());
    }

    @Test
    void shouldNotFollowAnIdThatMovedToAnotherTenant()
    {
        red.allocate("red-net", OWNER); // the view has red-net's handle cached
        root.deleteSubnet("red-net", true);
        root.createSubnet(SubnetSpec.builder("red-net", "10.5.0.0/24").tenant("blue").build());
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.allocate("red-net", OWNER));
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.subnet("red-net"));
        assertEquals(0, root.subnet("red-net").allocated());
        assertEquals(1, blue.subnets().stream().filter(s -> s.id().equals("red-net")).count());
    }
}
