package io.ipam.cluster;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 9: a command's time in a cluster is the log's, nested commands included, so a client whose clock is wrong
 * changes no other client's lease, request key or cooldown. Client A runs on the true clock; client B's clock is an
 * hour fast, an hour slow, or at {@code Long.MAX_VALUE}, and B makes the calls that travel as {@code WITH_OPTIONS}
 * (a request key, a lease) and releases into a subnet with a cooldown. A's state is then checked against the change
 * feed (log times) and the subnets' counts.
 */
class ClusterClockTest
{
    private static final UUID A = new UUID(0xA, 1);
    private static final UUID B = new UUID(0xB, 1);
    private static final long HOUR = TimeUnit.HOURS.toMillis(1);

    @Test
    @Timeout(180)
    void shouldKeepOtherClientsLeasesKeysAndCooldownsWhenAClockIsAnHourFast() throws Exception
    {
        oneSkewedClient(HOUR + 60_000);
    }

    @Test
    @Timeout(180)
    void shouldKeepOtherClientsLeasesKeysAndCooldownsWhenAClockIsAnHourSlow() throws Exception
    {
        oneSkewedClient(-HOUR - 60_000);
    }

    /**
     * A's lease, its released key and its cooling address, then B's skewed calls, then A's state checked.
     */
    private static void oneSkewedClient(final long skewMs) throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3);
            ClusterIpam a = client(cluster, 0);
            ClusterIpam b = client(cluster, skewMs))
        {
            a.createSubnet(SubnetSpec.builder("a", "10.1.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            a.createSubnet(SubnetSpec.builder("b", "10.2.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            a.createSubnet(SubnetSpec.builder("c", "10.3.0.0/24").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofMinutes(10)).build());

            // A: a 10-minute lease, a keyed allocation released at once (its key is kept an hour), an address cooling
            final String leased = a.allocate("a", A, AllocationOptions.builder().lease(Duration.ofMinutes(10)).build());
            final AllocationOptions keyed = AllocationOptions.builder().requestKey("a-port-1").build();
            final String keyedAddress = a.allocate("a", A, keyed);
            assertTrue(a.release("a", keyedAddress, A));
            final String cooling = a.allocate("c", A);
            assertTrue(a.release("c", cooling, A));
            final long sequenceBefore = a.lastSequence();

            // B, its clock wrong: keyed and leased allocations (WITH_OPTIONS), a release into the cooldown subnet
            final String bLeased = b.allocate("b", B, AllocationOptions.builder().requestKey("b-port-1")
                .lease(Duration.ofMinutes(10)).build());
            b.allocate("b", B, AllocationOptions.builder().requestKey("b-port-2").build());
            final String bCooling = b.allocate("c", B);
            assertTrue(b.release("c", bCooling, B));
            b.allocate("b", B, AllocationOptions.builder().requestKey("b-port-3").build());

            // A's lease is still held, and nothing of A's expired
            assertEquals(A, a.owner("a", leased).orElse(null), "A's 10-minute lease was taken away by B's clock");
            final List<Change> after = a.changes(sequenceBefore, 1000);
            for (final Change c : after)
            {
                assertTrue(c.kind() != ChangeKind.EXPIRED, "expired by a skewed client: " + c);
            }
            // every change B caused carries the log's time, not B's clock
            final long now = System.currentTimeMillis();
            for (final Change c : after)
            {
                assertTrue(Math.abs(c.time().toEpochMilli() - now) < 10 * 60_000L,
                    "a change stamped with a client's clock: " + c + " (now " + now + ")");
            }
            // B's own lease is as long as it asked, measured in log time
            final Allocation bAllocation = b.allocations(B).stream().filter(x -> x.address().equals(bLeased))
                .findFirst().orElseThrow(() -> new AssertionError("B's leased allocation is gone at once"));
            assertTrue(Math.abs(bAllocation.time().toEpochMilli() - now) < 10 * 60_000L,
                "B's allocation is stamped with B's clock: " + bAllocation);

            // A's key is still remembered: the retry answers the first address and allocates nothing
            assertEquals(keyedAddress, a.allocate("a", A, keyed), "A's request key was forgotten early");
            assertEquals(List.of(leased), a.allocations(A).stream().map(Allocation::address).toList());

            // both released addresses still cool: automatic choice skips them
            assertEquals(2, a.subnet("c").cooling(), "a cooldown ended early");
            final String next = a.allocate("c", A);
            assertTrue(!next.equals(cooling) && !next.equals(bCooling), "a cooling address was handed out: " + next);
        }
    }

    @Test
    @Timeout(180)
    void shouldNotFreezeTheLifecycleWhenAClientSendsTheLargestTime() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3);
            ClusterIpam a = client(cluster, 0);
            ClusterIpam b = ClusterIpam.connect(new ClusterIpam.Context().members(cluster.members)
                .requestTimeout(Duration.ofSeconds(20))
                .config(IpamConfig.builder().clock(() -> Long.MAX_VALUE).build())))
        {
            a.createSubnet(SubnetSpec.builder("a", "10.1.0.0/24").build());
            final String held = a.allocate("a", A, AllocationOptions.builder().lease(Duration.ofMinutes(10)).build());
            b.allocate("a", B, AllocationOptions.builder().requestKey("b-max").build());
            assertEquals(A, a.owner("a", held).orElse(null), "A's lease ended at B's time");

            // a 1-second lease given after B's call still expires on the cluster's own timer, a second later
            final long sequence = a.lastSequence();
            final String shortLease = a.allocate("a", A, AllocationOptions.builder().lease(Duration.ofSeconds(1))
                .build());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean expired = false;
            while (!expired && System.nanoTime() < deadline)
            {
                Thread.sleep(200);
                expired = a.changes(sequence, 100).stream()
                    .anyMatch(c -> c.kind() == ChangeKind.EXPIRED && c.address().orElse("").equals(shortLease));
            }
            assertTrue(expired, "the cluster's clock was frozen by a client's Long.MAX_VALUE");
        }
    }

    private static ClusterIpam client(final LocalCluster cluster, final long skewMs)
    {
        return ClusterIpam.connect(new ClusterIpam.Context().members(cluster.members)
            .requestTimeout(Duration.ofSeconds(20))
            .config(IpamConfig.builder().clock(() -> System.currentTimeMillis() + skewMs).build()));
    }
}
