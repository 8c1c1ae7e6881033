package io.ipam.persistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.NeutronParityContractTest;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Neutron parity contract (issue 22) against a durable store, and what a reopen keeps: wide subnets and their
 * allocations, leases and cooling addresses, router marks; the descriptor says version 2 once the store holds any.
 */
class DurableNeutronParityTest extends NeutronParityContractTest
{
    private int stores;

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return DurableIpam.open(tmp.resolve("store" + stores++), sized(config));
    }

    private static IpamConfig sized(final IpamConfig config)
    {
        return IpamConfig.builder().storeCapacity(20_000).maxBulk(config.maxBulk())
            .randomSource(config.randomSource()).build();
    }

    @Test
    void shouldKeepWideSubnetsAndRouterMarksAcrossAReopen() throws Exception
    {
        final Path dir = tmp.resolve("reopen");
        final SubnetInfo before;
        try (Ipam first = DurableIpam.open(dir, sized(config())))
        {
            first.createSubnet(SubnetSpec.builder("n", "10.0.0.0/24").build());
            assertEquals("IPAMSTORE 1", Files.readAllLines(dir.resolve("ipam.store")).get(0),
                "a store that needs nothing of version 2 stays readable by older code");
            first.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").cooldown(Duration.ofHours(1)).build());
            assertEquals("IPAMSTORE 2", Files.readAllLines(dir.resolve("ipam.store")).get(0));
            first.allocate("w", "2001:db8:0:7::1", A);
            first.allocate("w", "2001:db8:0:8::1", B, AllocationOptions.builder().lease(Duration.ofHours(3)).build());
            first.allocate("w", "2001:db8:0:9::1", C);
            first.release("w", "2001:db8:0:9::1");
            first.allocate("w", "2001:db8::", A, AllocationOptions.builder().router().build());
            first.allocate("n", "10.0.0.1", B, AllocationOptions.builder().router().build());
            before = first.subnet("w");
        }
        try (Ipam again = DurableIpam.open(dir, sized(config())))
        {
            assertEquals(List.of("2001:db8::", "2001:db8:0:7::1"),
                again.allocations(A).stream().map(a -> a.address()).toList());
            assertTrue(again.allocations(A).get(0).router());
            assertTrue(!again.allocations(A).get(1).router());
            assertTrue(again.allocations(B).stream().filter(a -> a.address().equals("10.0.0.1")).findFirst()
                .orElseThrow().router());
            assertTrue(again.allocations(B).stream().filter(a -> a.address().equals("2001:db8:0:8::1")).findFirst()
                .orElseThrow().expiresAt().isPresent());
            assertEquals(1, again.subnet("w").cooling());
            assertEquals(Optional.empty(), again.owner("w", "2001:db8:0:9::1"));
            assertEquals(3, again.subnet("w").allocated());
            assertEquals(before.pools(), again.subnet("w").pools(), "the pools' high words come back");
            assertEquals(before.free(), again.subnet("w").free());
            assertEquals(1, again.subnet("n").allocated());
        }
    }
}
