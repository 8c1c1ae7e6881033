package io.ipam.cluster;

import java.time.Duration;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 10 through real members and clients: the members remember at most their cap of clients, the one seen longest
 * ago is dropped, and its next command is answered with a clear error instead of being applied (it may have been
 * applied before); the client then begins a new incarnation and goes on. A client with a stable name takes over its
 * own entry when it runs again instead of adding one.
 */
class ClusterClientMemoryTest
{
    private static final UUID OWNER = new UUID(0xC1, 1);

    @Test
    @Timeout(180)
    void shouldDropTheOldestClientPastTheCapAndLetItStartAgain() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3, 2);
            ClusterIpam first = cluster.client())
        {
            first.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            first.allocate("s", OWNER);
            final long epoch = first.epoch();
            try (ClusterIpam second = cluster.client(); ClusterIpam third = cluster.client())
            {
                second.allocate("s", OWNER);
                third.allocate("s", OWNER); // a third client: the first, seen longest ago, is dropped
                final IpamException forgotten = assertThrows(IpamException.class, () -> first.allocate("s", OWNER));
                assertEquals(ErrorCode.LIMIT_EXCEEDED, forgotten.code(), forgotten.toString());
                assertTrue(forgotten.getMessage().contains("forgot"), forgotten.getMessage());
            }
            // a new incarnation of the first client, and it goes on
            final long deadline = System.nanoTime() + 20_000_000_000L;
            String next = null;
            while (next == null && System.nanoTime() < deadline)
            {
                try
                {
                    next = first.allocate("s", OWNER);
                }
                catch (final IpamException ex)
                {
                    Thread.sleep(100);
                }
            }
            assertTrue(next != null && next.startsWith("10.0.0."), "the forgotten client did not start again");
            assertNotEquals(epoch, first.epoch());
            assertEquals(4, first.allocations(OWNER).size(), "the refused command was applied");
        }
    }

    @Test
    @Timeout(180)
    void shouldKeepOneEntryPerClientNameAcrossRuns() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3, 2))
        {
            try (ClusterIpam other = cluster.client())
            {
                other.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
                for (int run = 0; run < 4; run++)
                {
                    try (ClusterIpam named = ClusterIpam.connect(new ClusterIpam.Context().members(cluster.members)
                        .clientName("neutron-server-1").requestTimeout(Duration.ofSeconds(20))))
                    {
                        named.allocate("s", OWNER);
                    }
                    // with two entries at most, the other client stays remembered: each run took over its own entry
                    other.allocate("s", OWNER);
                }
                assertEquals(8, other.allocations(OWNER).size());
            }
        }
    }
}
