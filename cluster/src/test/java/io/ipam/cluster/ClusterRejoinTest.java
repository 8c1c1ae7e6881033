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
 * A member that lost its disk: three member processes, N allocations (one command each), a cluster snapshot, then
 * a follower SIGKILLed, its directory deleted, and the member started again empty. It is back when it has applied
 * a node-snapshot command sent right after its restart; its file must equal the leader's byte for byte. The time
 * from its start to that file is reported (target/rejoin-report.txt), never asserted. {@code mvn verify} uses
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
            cluster.kill(lost);
            LocalCluster.deleteTree(cluster.dir(lost));
            final long restart = System.nanoTime();
            cluster.start(lost);
            ipam.snapshot(Path.of("rejoin.ipam"));
            final Path file = cluster.dir(lost).resolve("snapshots").resolve("rejoin.ipam");
            final long back = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!Files.exists(file) && System.nanoTime() < back)
            {
                Thread.sleep(20);
            }
            final double rejoinSeconds = (System.nanoTime() - restart) / 1e9;
            assertTrue(Files.exists(file), "the emptied member never caught up" + cluster.logs());
            Thread.sleep(200); // written beside and renamed: present means complete
            final byte[] leaderFile = Files.readAllBytes(cluster.dir(leader).resolve("snapshots").resolve("rejoin.ipam"));
            assertArrayEquals(leaderFile, Files.readAllBytes(file), "the rejoined member's state differs");
            final String report = String.format(Locale.ROOT, "rejoin: %d allocations (filled at %.0f/s), member %d " +
                "lost its directory and was back (state equal to the leader's, %d-byte snapshot) %.2f s after its " +
                "process started", ALLOCATIONS, ALLOCATIONS / fillSeconds, lost, leaderFile.length, rejoinSeconds);
            System.out.println(report);
            Files.writeString(Path.of("target", "rejoin-report.txt"), report + "\n", StandardCharsets.UTF_8);
            assertTrue(Arrays.equals(leaderFile, Files.readAllBytes(file)));
        }
    }
}
