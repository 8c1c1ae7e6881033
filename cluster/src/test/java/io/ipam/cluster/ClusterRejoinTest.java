package io.ipam.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A member that crashed, and one that lost its disk: three member processes, N allocations (one command each), a
 * cluster snapshot, then a follower SIGKILLed and started again (its latest snapshot plus the log after it), then
 * SIGKILLed again, its directory deleted, and started again empty (the whole log). Each time it is back when it has
 * applied a node-snapshot command sent right after its restart; its file must equal the leader's byte for byte.
 * The times from its start to that file are reported (target/rejoin-report.txt), never asserted.
 * {@code mvn verify} uses
 * 100,000 allocations; {@code cluster/rejoin 1000000} the target's million.
 */
class ClusterRejoinTest
{
    private static final int ALLOCATIONS = Integer.getInteger("ipam.rejoin.allocations", 100_000);

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void shouldRejoinWithTheSameStateAfterLosingItsDisk() throws Exception
    {
        try (MemberProcesses cluster = new MemberProcesses(2); ClusterIpam ipam = cluster.connect())
        {
            ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").build());
            final long fillStart = System.nanoTime();
            final UUID owner = new UUID(9, 9);
            final int wave = 2000;
            for (int done = 0; done < ALLOCATIONS; done += wave)
            {
                final int n = Math.min(wave, ALLOCATIONS - done);
                final CompletableFuture<?>[] all = new CompletableFuture<?>[n];
                for (int i = 0; i < n; i++)
                {
                    all[i] = ipam.allocateAsync("big", owner);
                }
                CompletableFuture.allOf(all).get(120, TimeUnit.SECONDS);
            }
            final double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            assertEquals(ALLOCATIONS, ipam.subnet("big").allocated());

            // a cluster snapshot that holds them all (the leader asks every 2 s)
            final int leader = cluster.leader();
            final long before = cluster.logLines(leader, "snapshot of");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (cluster.logLines(leader, "snapshot of") < before + 2 && System.nanoTime() < deadline)
            {
                Thread.sleep(100);
            }
            assertTrue(cluster.logLines(leader, "snapshot of") >= before + 2, "no snapshot was taken" + cluster.logs());

            final int lost = (leader + 1) % 3;
            // first a crash with the disk intact: back from its latest snapshot plus the log after it
            cluster.kill(lost);
            final double restartSeconds = back(cluster, ipam, leader, lost, "restart.ipam");
            // then the disk lost: back from the log alone (below)
            cluster.kill(lost);
            LocalCluster.deleteTree(cluster.dir(lost));
            final double rejoinSeconds = back(cluster, ipam, leader, lost, "rejoin.ipam");
            final Path file = cluster.dir(lost).resolve("snapshots").resolve("rejoin.ipam");
            final byte[] leaderFile =
                Files.readAllBytes(cluster.dir(leader).resolve("snapshots").resolve("rejoin.ipam"));
            final String report = String.format(Locale.ROOT, "rejoin: %d allocations (filled at %.0f/s); member %d " +
                "killed with its disk intact was back (state equal to the leader's) %.2f s after its process " +
                "started; " +
                "after losing its directory, %.2f s (%d-byte state)", ALLOCATIONS, ALLOCATIONS / fillSeconds, lost,
                restartSeconds, rejoinSeconds, leaderFile.length);
            System.out.println(report);
            Files.writeString(Path.of("target", "rejoin-report.txt"), report + "\n", StandardCharsets.UTF_8);
            assertTrue(Arrays.equals(leaderFile, Files.readAllBytes(file)));
        }
    }

    /**
     * Start the member again and wait until it applied a node-snapshot command sent right after: then it holds what
     * the leader held at that point, which its file must equal byte for byte.
     *
     * @return seconds from its start to its file.
     */
    private static double back(final MemberProcesses cluster, final ClusterIpam ipam, final int leader,
        final int member, final String name) throws Exception
    {
        final long restart = System.nanoTime();
        cluster.start(member);
        ipam.snapshot(Path.of(name));
        final Path file = cluster.dir(member).resolve("snapshots").resolve(name);
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!Files.exists(file) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        final double seconds = (System.nanoTime() - restart) / 1e9;
        assertTrue(Files.exists(file), "member " + member + " never caught up" + cluster.logs());
        assertArrayEquals(Files.readAllBytes(cluster.dir(leader).resolve("snapshots").resolve(name)),
            Files.readAllBytes(file), "member " + member + "'s state differs from the leader's");
        return seconds;
    }
}
