package io.ipam.cluster;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.CredentialsSupplier;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile test (issue 24; {@code docs/cluster.md}, "On a network"): three member processes with a tokens file,
 * and all at once: clients under load (audited as {@link ClusterChaosTest} audits them), a lease holder on the true
 * clock, two client processes whose clocks run an hour slow and an hour fast ({@code faketime}) making keyed, leased
 * allocations and releases into a subnet with a cooldown, a forger with a tenant's token sending batches under the
 * first epochs with hostile acknowledged marks and lengths, connection attempts with no token and a wrong one,
 * oversized commands and answers, short-lived clients one after another, and the leader SIGKILLed (and restarted)
 * and SIGSTOPped (and SIGCONTed) again and again. A change-feed reader keeps every change (log times).
 * <p>
 * Afterwards: no lease expired before its holder's allocation time plus its lease, no address handed out while it
 * cooled, no address with two holders (all from the change feed), every acknowledged allocation held on every member
 * and nothing extra, the members' snapshot files byte-equal, nobody without a valid token let in, the oversized
 * requests refused or paged, and each member's heap after a full collection under a bound. In {@code mvn verify}: 2
 * kills, 2 pauses, 300 short-lived clients; {@code cluster/hostile} runs 20, 20 and 10,000. Figures are reported,
 * never asserted.
 */
class HostileClusterTest
{
    private static final int KILLS = Integer.getInteger("ipam.hostile.kills", 2);
    private static final int PAUSES = Integer.getInteger("ipam.hostile.pauses", 2);
    private static final int SHORT_LIVED = Integer.getInteger("ipam.hostile.shortLived", 300);
    /**
     * Short-lived clients connect this many at a time in a full run (each connect waits on the log: one at a time made
     * 3,487 of 10,000 in the 20 minutes of a run at load 100); one at a time in the short run of {@code mvn verify}.
     */
    private static final int SHORT_LIVED_THREADS = Integer.getInteger("ipam.hostile.shortLivedThreads",
        SHORT_LIVED > 1000 ? 4 : 1);
    /** The members' leader heartbeat and election timeouts (see where the members start). */
    private static final long HEARTBEAT_TIMEOUT_MS = 3_000;
    private static final long ELECTION_TIMEOUT_MS = 1_000;
    private static final String ADMIN = "admin-token-hostile-0123456789";
    private static final String BLUE = "blue-token-hostile-0123456789";
    private static final String RED = "red-token-hostile-0123456789";
    private static final long LEASE_MS = 20_000;
    private static final long COOLDOWN_MS = 60_000;
    private static final UUID LEASE_OWNER = new UUID(0x1EA5E, 1);
    private static final long FAST = 0xFA57;
    private static final long SLOW = 0x510;
    /** What the heap of a member may hold beyond its engine: the client caps and the answers kept, with room. */
    private static final long HEAP_BOUND = 320L << 20;

    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<Change> feed = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder shortLivedDone = new LongAdder();
    private final LongAdder refusedConnects = new LongAdder();
    private final LongAdder forgeries = new LongAdder();
    private final LongAdder oversized = new LongAdder();
    private final LongAdder feedGaps = new LongAdder();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AcknowledgedLoad load = new AcknowledgedLoad("load", violations, stop::get);
    private MemberProcesses cluster;

    @Test
    @Timeout(value = 40, unit = TimeUnit.MINUTES)
    void shouldHoldEveryPromiseUnderHostileClientsKillsAndPauses() throws Exception
    {
        final Path faketime = faketime();
        final List<AutoCloseable> closing = new ArrayList<>();
        final List<Thread> workers = new ArrayList<>();
        final List<Process> skewed = new ArrayList<>();
        final StringBuilder report = new StringBuilder();
        MediaDriver shared = null;
        try
        {
            cluster = new MemberProcesses(60, false);
            final Path tokens = cluster.root.resolve("tokens");
            Files.writeString(tokens, ADMIN + " *\n" + BLUE + " blue\n" + RED + " red\n");
            Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
            // Members here share 2 cores with everything the test throws at them (load average about 50): with
            // the chaos test's 1 s leader heartbeat timeout and 500 ms election timeout, a member a pause or a kill
            // left seconds behind could not catch up inside an election's timeouts, so elections repeated every
            // 3 s for up to two minutes ("inactive follower quorum", "failed to join catchup log" in the member
            // logs; docs/cluster.md, "Timeouts"). This test is about safety and bounded state under attack, so
            // its members use the timeouts docs/cluster.md gives for a loaded host; cluster/chaos measures
            // failover with the fast ones.
            cluster.extraArgs.addAll(List.of("--tokens", tokens.toString(), "--heartbeat-timeout-ms",
                Long.toString(HEARTBEAT_TIMEOUT_MS), "--election-timeout-ms", Long.toString(ELECTION_TIMEOUT_MS)));
            cluster.startAll();
            final ClusterIpam admin = cluster.connect(ADMIN);
            closing.add(admin);
            admin.createSubnet(SubnetSpec.builder("load", "10.16.0.0/12").build());
            admin.createSubnet(SubnetSpec.builder("lease", "10.32.0.0/16").tenant("blue").build());
            admin.createSubnet(SubnetSpec.builder("short", "10.33.0.0/16").tenant("blue").build());
            admin.createSubnet(SubnetSpec.builder("skew", "10.34.0.0/16").tenant("red").build());
            admin.createSubnet(SubnetSpec.builder("cool", "10.35.0.0/24").tenant("red")
                .cooldown(Duration.ofMillis(COOLDOWN_MS)).build());

            final long seconds = 60L + 12L * KILLS + 10L * PAUSES + SHORT_LIVED / 40;
            skewed.add(skewed(faketime, "+1h", FAST, seconds));
            skewed.add(skewed(faketime, "-1h", SLOW, seconds));

            for (int c = 0; c < 2; c++)
            {
                final ClusterIpam client = cluster.connect(ADMIN);
                closing.add(client);
                for (int t = 0; t < 2; t++)
                {
                    final UUID owner = new UUID(c + 1, t + 1);
                    workers.add(start("load-" + c + "-" + t, () -> load.run(client, owner)));
                }
            }
            final ClusterIpam blue = cluster.connect(BLUE);
            closing.add(blue);
            assertEquals("blue", blue.tenant());
            workers.add(start("lease", () -> leases(blue)));
            final ClusterIpam reader = cluster.connect(ADMIN);
            closing.add(reader);
            workers.add(start("feed", () -> readFeed(reader)));
            // one media driver for every client this process starts from here on (hostile and short-lived ones)
            shared = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
                .termBufferSparseFile(true).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            final String sharedDir = shared.aeronDirectoryName();
            workers.add(start("forger", () -> forge(sharedDir)));
            workers.add(start("strangers", () -> strangers(sharedDir)));
            workers.add(start("oversized", () -> oversize(admin)));
            for (int i = 0; i < SHORT_LIVED_THREADS; i++)
            {
                final long thread = i;
                workers.add(start("short-lived-" + i, () -> shortLived(sharedDir, thread)));
            }

            final long t0 = System.nanoTime();
            final List<Long> failoverMs = new ArrayList<>();
            for (int k = 0; k < Math.max(KILLS, PAUSES); k++)
            {
                if (k < KILLS)
                {
                    failoverMs.add(killLeader(k));
                }
                if (k < PAUSES)
                {
                    pauseLeader(k);
                }
            }
            while (shortLivedDone.sum() < SHORT_LIVED && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(20))
            {
                Thread.sleep(500);
            }
            Thread.sleep(2000);
            stop.set(true);
            for (final Thread w : workers)
            {
                w.join(TimeUnit.SECONDS.toMillis(120));
                assertTrue(!w.isAlive(), w.getName() + " did not stop");
            }
            for (final Process p : skewed)
            {
                assertTrue(p.waitFor(5, TimeUnit.MINUTES), "a skewed client did not finish");
            }
            readFeed(reader, true);

            admin.snapshot(Path.of("hostile.ipam"));
            final List<String> digests = new ArrayList<>();
            final List<Path> files = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final Path f = cluster.dir(i).resolve("snapshots").resolve("hostile.ipam");
                // a member restarted last may still be catching up with the log (slowly on a loaded machine)
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (!Files.exists(f) && System.nanoTime() < deadline)
                {
                    Thread.sleep(50);
                }
                assertTrue(Files.exists(f), "member " + i + " never wrote its snapshot" + cluster.logs());
                files.add(f);
                digests.add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(f))));
            }
            long allocations = 0;
            for (int i = 0; i < 3; i++)
            {
                try (Ipam state = Ipam.restoreInMemory(files.get(i), IpamConfig.defaults()))
                {
                    load.audit(i, state);
                    if (i == 0)
                    {
                        for (final SubnetInfo s : state.subnets())
                        {
                            allocations += s.allocated();
                        }
                    }
                }
            }
            auditFeed();
            final long[] heap = new long[3];
            for (int i = 0; i < 3; i++)
            {
                heap[i] = cluster.heapUsedAfterGc(i);
                // the engine's share: well under 256 bytes an allocation (measured: about 60)
                if (heap[i] > HEAP_BOUND + 256L * allocations)
                {
                    violations.add("member " + i + " holds " + heap[i] + " bytes of heap after a full GC with " +
                        allocations + " allocations");
                }
            }
            final String skewedOut = skewedOutput(skewed);
            report.append(String.format(Locale.ROOT,
                "hostile: %d leader kills, %d pauses in %.0f s; %d acknowledged allocations held audited, %d changes " +
                "read (%d gaps), %d short-lived clients, %d forged batches, %d refused connects, %d oversized " +
                "requests refused or paged; failover ms %s; heap after GC %s MiB with %d allocations; %s; " +
                "digests %s; violations %d%s",
                KILLS, PAUSES, (System.nanoTime() - t0) / 1e9, load.held(), feed.size(), feedGaps.sum(),
                shortLivedDone.sum(), forgeries.sum(), refusedConnects.sum(), oversized.sum(), failoverMs,
                List.of(heap[0] >> 20, heap[1] >> 20, heap[2] >> 20), allocations, skewedOut, digests,
                violations.size(), violations.isEmpty() ? "" : ": " + violations.subList(0,
                Math.min(20, violations.size()))));
            System.out.println(report);
            Files.writeString(Path.of("target", "hostile-report.txt"), report + "\n", StandardCharsets.UTF_8);
            assertEquals(List.of(), violations);
            assertEquals(digests.get(0), digests.get(1), "member 0 and 1 differ");
            assertEquals(digests.get(0), digests.get(2), "member 0 and 2 differ");
            assertTrue(load.allocated() > 0 && !feed.isEmpty() && shortLivedDone.sum() >= SHORT_LIVED,
                "too little happened to say anything");
            assertTrue(feed.stream().anyMatch(c -> c.kind() == ChangeKind.EXPIRED), "no lease expired to check");
        }
        finally
        {
            stop.set(true);
            for (final Thread w : workers)
            {
                w.join(TimeUnit.SECONDS.toMillis(30));
            }
            for (final Process p : skewed)
            {
                p.destroyForcibly();
            }
            for (final AutoCloseable c : closing)
            {
                CloseHelper.quietClose(c);
            }
            CloseHelper.quietClose(shared);
            if (cluster != null)
            {
                cluster.close();
            }
        }
    }

    private static Thread start(final String name, final Runnable body)
    {
        final Thread t = new Thread(body, name);
        t.start();
        return t;
    }

    private static Path faketime()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator))
        {
            final Path p = Path.of(dir, "faketime");
            if (Files.isExecutable(p))
            {
                return p;
            }
        }
        throw new AssertionError("faketime is missing: cluster/need-faketime installs Debian's (./test runs it)");
    }

    private Process skewed(final Path faketime, final String skew, final long owner, final long seconds)
        throws IOException
    {
        final List<String> cmd = new ArrayList<>(List.of(faketime.toString(), "-f", skew,
            Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-"))
            {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), SkewedClient.class.getName(),
            String.join(",", cluster.members), RED, "skew", "cool", Long.toString(owner), Long.toString(seconds),
            Long.toString(LEASE_MS)));
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(cluster.root.resolve("skewed" + skew + ".log").toFile());
        pb.environment().put("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        return pb.start();
    }

    private String skewedOutput(final List<Process> skewed) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        for (final String skew : List.of("+1h", "-1h"))
        {
            final List<String> lines = Files.readAllLines(cluster.root.resolve("skewed" + skew + ".log"));
            final String last = lines.stream().filter(l -> l.startsWith("skewed client done")).findFirst()
                .orElse("skewed client " + skew + " said nothing at the end");
            if (!last.startsWith("skewed client done"))
            {
                violations.add(last + ": " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            }
            sb.append(skew).append(' ').append(last.replace("skewed client done: ", "")).append("; ");
        }
        return sb.toString().trim();
    }

    private long killLeader(final int k) throws Exception
    {
        Thread.sleep(1500);
        final int leader = awaitLeader();
        final long killed = load.killed();
        cluster.kill(leader);
        // liveness, not speed (failover times are reported): generous for a loaded machine
        final long deadline = killed + TimeUnit.SECONDS.toNanos(120);
        final long failover = load.awaitFailover(killed, 120);
        if (failover < 0)
        {
            violations.add("nothing acknowledged within 120 s of kill " + (k + 1));
        }
        final long ms = failover < 0 ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) : failover;
        Files.deleteIfExists(cluster.dir(leader).resolve("role"));
        cluster.start(leader);
        final Path role = cluster.dir(leader).resolve("role");
        while (!Files.exists(role) && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(60))
        {
            Thread.sleep(20);
        }
        Thread.sleep(1000);
        return ms;
    }

    private void pauseLeader(final int k) throws Exception
    {
        Thread.sleep(1500);
        final int leader = awaitLeader();
        cluster.pause(leader);
        // past the heartbeat timeout: the others elect, then it comes back
        Thread.sleep(HEARTBEAT_TIMEOUT_MS + 1000 + (k % 3) * 1000L);
        cluster.resume(leader);
        Thread.sleep(2000);
    }

    private int awaitLeader() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int leader;
        while ((leader = cluster.leader()) < 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        if (leader < 0)
        {
            throw new AssertionError("no member says it leads" + cluster.logs());
        }
        return leader;
    }

    /**
     * Leased allocations on the true clock (a tenant's credential: its view).
     */
    private void leases(final ClusterIpam blue)
    {
        final AllocationOptions leased = AllocationOptions.builder().lease(Duration.ofMillis(LEASE_MS)).build();
        while (!stop.get())
        {
            try
            {
                blue.allocate("lease", LEASE_OWNER, leased);
                Thread.sleep(100);
            }
            catch (final IpamException ex)
            {
                if (ex.code() != ErrorCode.OVERLOADED)
                {
                    violations.add("a leased allocation failed: " + ex);
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    private void readFeed(final ClusterIpam reader)
    {
        while (!stop.get())
        {
            readFeed(reader, false);
            try
            {
                Thread.sleep(200);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /**
     * Read the change feed from where it was left (whole pages until an empty one).
     */
    private void readFeed(final ClusterIpam reader, final boolean last)
    {
        for (int tries = 0; tries < (last ? 50 : 1); tries++)
        {
            try
            {
                while (true)
                {
                    final long after = feed.isEmpty() ? 0 : feed.get(feed.size() - 1).sequence();
                    final List<Change> page = reader.changes(after, 65_536);
                    if (page.isEmpty())
                    {
                        return;
                    }
                    feed.addAll(page);
                }
            }
            catch (final IpamException ex)
            {
                if (ex.code() == ErrorCode.LIMIT_EXCEEDED)
                {
                    // a leader rebuilt from a snapshot keeps changes from the snapshot on: skip to what it has
                    feedGaps.increment();
                    final long next = reader.lastSequence();
                    feed.add(new Change(next, Instant.EPOCH, ChangeKind.RELEASED, null, null, null, null));
                    return;
                }
            }
        }
    }

    /**
     * A red tenant's token, sending under the first epochs: a Long.MAX_VALUE mark, releases of the lease holder's
     * subnet by handle, hostile lengths.
     */
    private void forge(final String aeronDir)
    {
        final SplittableRandom random = new SplittableRandom(24);
        final ExpandableArrayBuffer b = new ExpandableArrayBuffer(4096);
        while (!stop.get())
        {
            try (RawClusterClient forger = new RawClusterClient(cluster.members, credentials(RED, 424242), aeronDir))
            {
                while (!stop.get())
                {
                    final long epoch = 1 + random.nextInt(12);
                    int at = ServiceHarness.batch(b, epoch, random.nextBoolean() ? Long.MAX_VALUE : 0, 4);
                    for (int i = 0; i < 4; i++)
                    {
                        b.putLong(at, 1 + random.nextInt(64));
                        b.putInt(at + 8, MessageTypes.RELEASE);
                        b.putInt(at + 12, i == 3 && random.nextBoolean() ? Integer.MAX_VALUE - 8 : 56);
                        final int command = at + BatchFlyweight.ENTRY_HEADER_LENGTH;
                        b.setMemory(command, 56, (byte)0);
                        b.putLong(command + CommandHeader.TIME_OFFSET, Long.MAX_VALUE);
                        b.putInt(command + 24, 1 + random.nextInt(5));
                        b.putLong(command + 32, 0x0A200000L + random.nextInt(4096));
                        at = command + 56;
                    }
                    forger.send(b, at);
                    forgeries.increment();
                    forger.poll(100);
                }
            }
            catch (final RuntimeException | AssertionError | InterruptedException ex)
            {
                sleep(500); // the forger's session went with a leader: a new one
            }
        }
    }

    private static CredentialsSupplier credentials(final String token, final long clientId)
    {
        final byte[] bytes = ClusterCredentials.credentials(clientId, token);
        return new CredentialsSupplier()
        {
            @Override
            public byte[] encodedCredentials()
            {
                return bytes;
            }

            @Override
            public byte[] onChallenge(final byte[] encodedChallenge)
            {
                return bytes;
            }
        };
    }

    /**
     * Connection attempts with no token and with a wrong one: each must be refused.
     */
    private void strangers(final String aeronDir)
    {
        int k = 0;
        while (!stop.get())
        {
            final CredentialsSupplier who = k++ % 2 == 0 ? credentials(null, 5) :
                credentials("not-a-token-0123456789", 6);
            try (RawClusterClient stranger = new RawClusterClient(cluster.members, who, aeronDir))
            {
                violations.add("a client without a valid token was let in: " + stranger);
            }
            catch (final RuntimeException ex)
            {
                if (ex.getClass().getSimpleName().equals("AuthenticationException"))
                {
                    refusedConnects.increment();
                }
            }
            sleep(1000);
        }
    }

    /**
     * A reconcile too large for one message, and a changes answer too large for one.
     */
    private void oversize(final ClusterIpam admin)
    {
        final Set<UUID> owners = new HashSet<>();
        for (int i = 0; i < 200_000; i++)
        {
            owners.add(new UUID(9, i));
        }
        while (!stop.get())
        {
            try
            {
                admin.reconcile(owners, Duration.ZERO, true);
                violations.add("a reconcile of 200,000 owners was sent");
            }
            catch (final IpamException ex)
            {
                if (ex.code() == ErrorCode.LIMIT_EXCEEDED)
                {
                    oversized.increment();
                }
                else if (ex.code() != ErrorCode.OVERLOADED)
                {
                    violations.add("a reconcile of 200,000 owners failed with " + ex);
                }
            }
            try
            {
                final List<Change> page = admin.changes(0, 65_536);
                if (!page.isEmpty())
                {
                    oversized.increment();
                }
            }
            catch (final IpamException ex)
            {
                if (ex.code() == ErrorCode.LIMIT_EXCEEDED)
                {
                    oversized.increment();
                }
                else if (ex.code() != ErrorCode.OVERLOADED)
                {
                    violations.add("changes(0, 65536) failed with " + ex);
                }
            }
            sleep(2000);
        }
    }

    /**
     * Short-lived clients one after another (HELLO, an allocation and its release, close), on each of
     * {@link #SHORT_LIVED_THREADS} threads until {@link #SHORT_LIVED} are done in all.
     */
    private void shortLived(final String aeronDir, final long thread)
    {
        long n = 0;
        while (!stop.get() && shortLivedDone.sum() < SHORT_LIVED)
        {
            final UUID owner = new UUID(0x5407_0000L + thread, n++);
            try (ClusterIpam c = ClusterIpam.connect(new ClusterIpam.Context().members(cluster.members).token(BLUE)
                .aeronDirectoryName(aeronDir).requestTimeout(Duration.ofSeconds(20))
                .connectTimeout(Duration.ofSeconds(10))))
            {
                final String a = c.allocate("short", owner);
                c.release("short", a, owner);
                shortLivedDone.increment();
            }
            catch (final IpamException ex)
            {
                if (ex.code() != ErrorCode.OVERLOADED)
                {
                    violations.add("a short-lived client failed: " + ex);
                }
            }
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The change feed against the promises: leases, cooldowns, one holder at a time.
     */
    private void auditFeed()
    {
        final Map<String, Change> holder = new HashMap<>(); // subnet/address -> its ALLOCATED change
        final Map<String, Long> freedAt = new HashMap<>();
        long expired = 0;
        for (final Change c : feed)
        {
            if (c.subnetId().isEmpty() || c.address().isEmpty())
            {
                holder.clear(); // a gap: what was held is not known any more
                freedAt.clear();
                continue;
            }
            final String key = c.subnetId().get() + "/" + c.address().get();
            switch (c.kind())
            {
                case ALLOCATED:
                {
                    final Change before = holder.put(key, c);
                    if (before != null)
                    {
                        violations.add("two holders: " + before + " and " + c);
                    }
                    final Long freed = freedAt.remove(key);
                    if ("cool".equals(c.subnetId().get()) && freed != null &&
                        c.time().toEpochMilli() < freed + COOLDOWN_MS)
                    {
                        violations.add("handed out while cooling (freed at " + freed + "): " + c);
                    }
                    break;
                }
                case EXPIRED:
                {
                    expired++;
                    final Change given = holder.remove(key);
                    if (given != null && c.time().toEpochMilli() < given.time().toEpochMilli() + LEASE_MS)
                    {
                        violations.add("expired before its time: given " + given + ", expired " + c);
                    }
                    freedAt.put(key, c.time().toEpochMilli());
                    break;
                }
                default:
                    holder.remove(key);
                    freedAt.put(key, c.time().toEpochMilli());
                    break;
            }
        }
        if (expired == 0)
        {
            violations.add("no lease expired in " + feed.size() + " changes");
        }
    }
}
