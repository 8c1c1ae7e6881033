package io.ipam.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three members in one JVM and a client: calls are answered as a local allocator answers them, every member holds
 * the same state (their node snapshot files are byte-equal), and a member restarted from its directory rejoins
 * with that state.
 */
class ClusterIpamTest
{
    private static final UUID OWNER = new UUID(3, 4);

    @Test
    @Timeout(120)
    void shouldReplicateEveryCallToEveryMember() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3); ClusterIpam ipam = cluster.client())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").strategy(AllocationStrategy.LOWEST).build());
            ipam.createSubnet(SubnetSpec.builder("r", "10.1.0.0/16").build());
            assertEquals("10.0.0.2", ipam.allocate("s", OWNER));
            assertEquals("10.0.0.7", ipam.allocate("s", "10.0.0.7", OWNER));
            assertEquals(3, ipam.allocateBulk("s", OWNER, 3).size());
            final Set<String> random = new HashSet<>();
            for (int i = 0; i < 100; i++)
            {
                random.add(ipam.allocate("r", OWNER));
            }
            assertEquals(100, random.size());
            final IpamException taken = assertThrows(IpamException.class, () -> ipam.allocate("s", "10.0.0.7", OWNER));
            assertEquals(ErrorCode.ADDRESS_TAKEN, taken.code());
            assertTrue(ipam.release("s", "10.0.0.7"));
            assertFalse(ipam.release("s", "10.0.0.7"));
            assertEquals(OWNER, ipam.owner("s", "10.0.0.2").orElseThrow());
            assertEquals(104, ipam.allocations(OWNER).size());
            // the operator's map and pool list (issue 27) read through the cluster too
            assertEquals(4, ipam.subnetMap("s", null, 0).held(0));
            assertEquals(List.of(), ipam.prefixPools());
            assertThrows(IpamException.class, () -> ipam.subnet("missing"));

            final SnapshotInfo info = ipam.snapshot(Path.of("first.ipam"));
            assertEquals(104, info.allocations());
            // the answer comes from whichever member leads; node 0 may be a follower after an election
            awaitFile(cluster.root.resolve("node-0/snapshots/first.ipam"));
            final byte[] leader = Files.readAllBytes(cluster.root.resolve("node-0/snapshots/first.ipam"));
            awaitFile(cluster.root.resolve("node-1/snapshots/first.ipam"));
            awaitFile(cluster.root.resolve("node-2/snapshots/first.ipam"));
            assertArrayEquals(leader, Files.readAllBytes(cluster.root.resolve("node-1/snapshots/first.ipam")));
            assertArrayEquals(leader, Files.readAllBytes(cluster.root.resolve("node-2/snapshots/first.ipam")));
            final SnapshotData data = SnapshotCodec.read(cluster.root.resolve("node-2/snapshots/first.ipam"));
            assertEquals(104, data.allocationCount());
            assertEquals(List.of("s", "r").size(), ipam.subnets().size());

            // request keys pass through to the engine of every member: a retry with the key gets the first answer
            final AllocationOptions keyed = AllocationOptions.builder().requestKey("port-17").build();
            final String first = ipam.allocate("s", OWNER, keyed);
            assertEquals(first, ipam.allocate("s", OWNER, keyed));
            // a tenant view acts through the same client
            ipam.createSubnet(SubnetSpec.builder("t", "10.2.0.0/24").tenant("blue").build());
            assertEquals(List.of("t"), ipam.forTenant("blue").subnets().stream().map(i -> i.id()).toList());
            assertEquals(ErrorCode.SUBNET_NOT_FOUND,
                assertThrows(IpamException.class, () -> ipam.forTenant("red").subnet("t")).code());
            // asynchronous allocations are answered on the client's thread
            assertTrue(ipam.allocateAsync("s", OWNER).get(20, TimeUnit.SECONDS)
                .startsWith("10.0."));
            assertTrue(ipam.mark("probe") > 0);
        }
    }

    private static void awaitFile(final Path file) throws InterruptedException
    {
        // followers apply the log a little after the leader answers
        for (int i = 0; i < 200 && !Files.exists(file); i++)
        {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(file), file + " was never written");
    }

    @Test
    @Timeout(120)
    void shouldExpireLeasesOnTheClustersOwnTimerWhenNoClientCalls() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3))
        {
            final long allocatedAt;
            final long sequence;
            try (ClusterIpam ipam = cluster.client())
            {
                ipam.createSubnet(SubnetSpec.builder("l", "10.2.0.0/24").build());
                ipam.allocate("l", OWNER, AllocationOptions.builder()
                    .lease(Duration.ofSeconds(1)).build());
                allocatedAt = ipam.allocations(OWNER).get(0).time().toEpochMilli();
                sequence = ipam.lastSequence();
            }
            // nobody connected: only the members' timer can expire it
            Thread.sleep(3_500);
            final long reconnectedAt = System.currentTimeMillis();
            try (ClusterIpam ipam = cluster.client())
            {
                final List<Change> after = ipam.changes(sequence, 10);
                assertEquals(ChangeKind.EXPIRED, after.get(0).kind(), after.toString());
                final long expiredAt = after.get(0).time().toEpochMilli();
                // ordering, not a duration: it expired after its lease ended and before any client came back
                // (without the members' timer it would expire in this client's first command)
                assertTrue(expiredAt >= allocatedAt + 1_000 && expiredAt < reconnectedAt,
                    "expired at " + expiredAt + ", lease end " + (allocatedAt + 1_000) + ", reconnected at " +
                    reconnectedAt);
            }
        }
    }
}
