package io.ipam.cluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
 * applied one of the mark commands sent from its restart on (an empty file each); then a node snapshot it writes must
 * equal the leader's byte for byte.
 * The times from its start to that file are reported (target/rejoin-report.txt), never asserted.
 * {@code mvn verify} uses
 * 100,000 allocations; {@code cluster/rejoin 1000000} the target's million.
 */
class ClusterRejoinTest
{
    private static final int ALLOCATIONS = Integer.getInteger("ipam.rejoin.allocations", 100_000);
    /** Whether the emptied member starts with {@code --seed} (a snapshot copied first) or replays the whole log. */
    private static final boolean SEED = Boolean.parseBoolean(System.getProperty("ipam.rejoin.seed", "true"));

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
            final double restartSeconds = back(cluster, ipam, leader, lost, "restart", false);
            // then the disk lost: back from the log alone (below)
            cluster.kill(lost);
            LocalCluster.deleteTree(cluster.dir(lost));
            final double rejoinSeconds = back(cluster, ipam, leader, lost, "rejoin", SEED);
            final boolean seeded = cluster.logLines(lost, "seeded from the cluster") > 0;
            final byte[] leaderFile =
                Files.readAllBytes(cluster.dir(leader).resolve("snapshots").resolve("rejoin.ipam"));
            final String report = String.format(Locale.ROOT, "rejoin: %d allocations (filled at %.0f/s); member %d " +
                "killed with its disk intact was back (state equal to the leader's) %.2f s after its process " +
                "started; " +
                "after losing its directory, %.2f s (%s; %d-byte state)", ALLOCATIONS, ALLOCATIONS / fillSeconds, lost,
                restartSeconds, rejoinSeconds, seeded ? "seeded with a snapshot and the log after it" :
                "the whole log replayed", leaderFile.length);
            assertEquals(ALLOCATIONS, ipam.subnet("big").allocated());
            System.out.println(report);
            Files.writeString(Path.of("target", "rejoin-report.txt"), report + "\n", StandardCharsets.UTF_8);
        }
    }

    /**
     * Start the member again and wait until it applied a node-snapshot command sent right after: then it holds what
     * the leader held at that point, which its file must equal byte for byte.
     *
     * @return seconds from its start to its file.
     */
    private static double back(final MemberProcesses cluster, final ClusterIpam ipam, final int leader,
        final int member, final String name, final boolean seed) throws Exception
    {
        final long restart = System.nanoTime();
        cluster.start(member, seed);
        // a seeded member starts from a snapshot that may already be past a command sent now: keep sending mark
        // commands (every 50 ms, each an empty file on every member) until the member writes one
        final Path marks = cluster.dir(member).resolve("marks");
        final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        boolean marked = false;
        for (int i = 0; !marked && System.nanoTime() < deadline; i++)
        {
            ipam.mark(name + "-" + i);
            final long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            while (!marked && System.nanoTime() < next)
            {
                try (Stream<Path> files = Files.exists(marks) ? Files.list(marks) :
                    Stream.empty())
                {
                    marked = files.anyMatch(f -> f.getFileName().toString().startsWith(name + "-"));
                }
                Thread.sleep(2);
            }
        }
        final double seconds = (System.nanoTime() - restart) / 1e9;
        assertTrue(marked, "member " + member + " never caught up" + cluster.logs());
        // then its state, written at one log position by every member, must equal the leader's
        ipam.snapshot(Path.of(name + ".ipam"));
        final Path file = cluster.dir(member).resolve("snapshots").resolve(name + ".ipam");
        final long written = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.exists(file) && System.nanoTime() < written)
        {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(file), "member " + member + " did not write " + file);
        assertArrayEquals(Files.readAllBytes(cluster.dir(leader).resolve("snapshots").resolve(name + ".ipam")),
            Files.readAllBytes(file), "member " + member + "'s state differs from the leader's");
        return seconds;
    }
}
