package io.ipam.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ipam.core.snapshot.SnapshotTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole contract with three allocator agents (subnets and pools spread by id), plus what spans agents:
 * port requests, overlap across agents, snapshots.
 */
class ShardedIpamTest extends IpamContractTest
{
    @TempDir
    Path tmp;

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return Ipam.inMemory(IpamConfig.builder().agents(3).maxBulk(config.maxBulk())
            .randomSource(config.randomSource()).build());
    }

    @Test
    void shouldCheckOverlapAcrossAgents()
    {
        // enough subnets that some land on every agent; each /24 inside 10.0.0.0/16 must be refused
        ipam.createSubnet(SubnetSpec.builder("wide", "10.0.0.0/16").build());
        for (int i = 0; i < 12; i++)
        {
            final String id = "n" + i;
            final int third = i;
            assertEquals(ErrorCode.SUBNET_OVERLAP, code(() -> ipam.createSubnet(
                SubnetSpec.builder(id, "10.0." + third + ".0/24").build())));
            ipam.createSubnet(SubnetSpec.builder(id, "10.0." + third + ".0/24").tenant("other").build());
        }
        assertEquals(13, ipam.subnets().size());
    }

    @Test
    void shouldKeepPortRequestsAllOrNothingAcrossAgents()
    {
        final List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            ids.add("p" + i);
            ipam.createSubnet(SubnetSpec.builder("p" + i, "10." + i + ".0.0/24").build());
        }
        ipam.createSubnet(SubnetSpec.builder("full", "10.9.0.0/30").build());
        ipam.allocate("full", B);
        final java.util.Set<Integer> agents = new java.util.HashSet<>();
        ids.forEach(id -> agents.add(io.ipam.core.internal.ShardedIpam.index(id, 3)));
        assertTrue(agents.size() >= 2, "the request must span agents: " + agents);
        final List<AddressRequest> good = new ArrayList<>();
        for (final String id : ids)
        {
            good.add(AddressRequest.any(id));
        }
        good.add(AddressRequest.specific("p0", "10.0.0.77"));
        good.add(AddressRequest.anyOf(List.of("full", "p5")));
        for (int position = 0; position <= good.size(); position++)
        {
            final List<AddressRequest> items = new ArrayList<>(good);
            items.add(position, AddressRequest.any("full"));
            final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocatePort(A, items));
            assertEquals(ErrorCode.EXHAUSTED, ex.code());
            assertTrue(ex.getMessage().contains("item " + position), ex.getMessage());
            assertEquals(List.of(), ipam.allocations(A), "leak after a failure at item " + position);
        }
        final List<Allocation> port = ipam.allocatePort(A, good);
        assertEquals(good.size(), port.size());
        assertEquals(new Allocation("p0", "10.0.0.77", A), port.get(6));
        assertEquals("p5", port.get(7).subnetId(), "the group fell through to p5");
        assertEquals(good.size(), ipam.allocations(A).size());
    }

    @Test
    void shouldSnapshotAllAgentsAtOnePointInTime()
    {
        SnapshotTest.populate(ipam);
        final Path file = tmp.resolve("sharded.snap");
        final SnapshotInfo info = ipam.snapshot(file);
        assertEquals(6, info.subnets());
        try (Ipam single = Ipam.restoreInMemory(file, IpamConfig.defaults());
             Ipam sharded = Ipam.restoreInMemory(file, IpamConfig.builder().agents(2).build()))
        {
            SnapshotTest.assertSameState(ipam, single);
            SnapshotTest.assertSameState(ipam, sharded);
        }
    }
}
