package io.ipam.cluster;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of an ipam cluster in this process: a media driver, an archive, the consensus module and the
 * {@link IpamClusteredService}. Member {@code i} of {@code --members h0:p0,h1:p1,...} listens on five ports from its
 * base port: ingress (clients) {@code p}, consensus {@code p+1}, log {@code p+2}, catch-up {@code p+3}, archive
 * control {@code p+4}; with {@code --peers} the last four are on its member-facing address
 * ({@link Context#peers(List)}). Its directory holds {@code cluster/} (recording log, mark file, snapshots' index),
 * {@code archive/} (the log and snapshots) and {@code snapshots/} (files written on request); the media driver lives
 * in {@code /dev/shm} (or the temp directory) and is deleted on start and on a clean stop. The member's addresses are
 * {@link MemberAddresses}, its directory lock {@link MemberDirectory}, seeding a member that lost its disk
 * {@link MemberSeeding}.
 */
public final class ClusterNode implements AutoCloseable
{
    /** Ports a member takes from its base port. */
    public static final int PORTS_PER_MEMBER = 5;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final Context ctx;
    private final MediaDriver mediaDriver;
    private final Archive archive;
    private final ConsensusModule consensusModule;
    private final ClusteredServiceContainer container;
    private final IpamClusteredService service;
    private final ScheduledExecutorService snapshots;
    private final String aeronDir;
    private final FileChannel lock;

    /**
     * Settings of one member.
     */
    public static final class Context
    {
        private int memberId = -1;
        private List<String> members = new ArrayList<>();
        private List<String> peers;
        private Path dir;
        private byte[] key;
        private Duration leaderHeartbeatTimeout = Duration.ofSeconds(1);
        private Duration leaderHeartbeatInterval = Duration.ofMillis(100);
        private Duration electionTimeout = Duration.ofMillis(500);
        private Duration sessionTimeout = Duration.ofSeconds(10);
        private Duration startupCanvassTimeout = Duration.ofSeconds(10);
        private Duration snapshotInterval = Duration.ofSeconds(60);
        private IpamConfig config = IpamConfig.defaults();
        private boolean seed;
        private Duration seedTimeout = Duration.ofSeconds(60);
        private Path tokens;
        private boolean insecure;
        private int maxClients = ClientTable.DEFAULT_MAX_CLIENTS;

        /**
         * @param id this member's index in {@link #members}.
         * @return this.
         */
        public Context memberId(final int id)
        {
            this.memberId = id;
            return this;
        }

        /**
         * @param hostPorts every member's host and base port, in member id order.
         * @return this.
         */
        public Context members(final List<String> hostPorts)
        {
            this.members = new ArrayList<>(hostPorts);
            return this;
        }

        /**
         * @param hostPorts every member's member-facing host and base port, in member id order: consensus, log,
         *                  catch-up and archive listen on its ports + 1..4, apart from the clients' ingress
         *                  ({@link #members}); the same list on every member. Default: the members list.
         * @return this.
         */
        public Context peers(final List<String> hostPorts)
        {
            this.peers = hostPorts == null ? null : new ArrayList<>(hostPorts);
            return this;
        }

        /**
         * @return the member-facing addresses ({@link #peers(List)}; the members list when not given).
         */
        public List<String> peers()
        {
            return peers == null ? members : peers;
        }

        /**
         * @param dir this member's directory (made if absent).
         * @return this.
         */
        public Context dir(final Path dir)
        {
            this.dir = dir;
            return this;
        }

        /**
         * @param key the 32-byte key of the engine's random generator, the same on every member.
         * @return this.
         */
        public Context key(final byte[] key)
        {
            this.key = key.clone();
            return this;
        }

        /**
         * @param d how long followers wait for the leader's heartbeat before an election (default 1 s).
         * @return this.
         */
        public Context leaderHeartbeatTimeout(final Duration d)
        {
            this.leaderHeartbeatTimeout = d;
            return this;
        }

        /**
         * @param d how often the leader sends a heartbeat when idle (default 100 ms).
         * @return this.
         */
        public Context leaderHeartbeatInterval(final Duration d)
        {
            this.leaderHeartbeatInterval = d;
            return this;
        }

        /**
         * @param d how long an election phase waits for votes (default 500 ms).
         * @return this.
         */
        public Context electionTimeout(final Duration d)
        {
            this.electionTimeout = d;
            return this;
        }

        /**
         * @param d how long a silent client session lives (default 10 s).
         * @return this.
         */
        public Context sessionTimeout(final Duration d)
        {
            this.sessionTimeout = d;
            return this;
        }

        /**
         * @param d how long a starting member waits to hear from all others before electing with a majority.
         * @return this.
         */
        public Context startupCanvassTimeout(final Duration d)
        {
            this.startupCanvassTimeout = d;
            return this;
        }

        /**
         * @param d how often the leader asks for a cluster snapshot (zero: never).
         * @return this.
         */
        public Context snapshotInterval(final Duration d)
        {
            this.snapshotInterval = d;
            return this;
        }

        /**
         * @param config limits of the engine (the same on every member); the random source is set from the key.
         * @return this.
         */
        public Context config(final IpamConfig config)
        {
            this.config = config;
            return this;
        }

        /**
         * @param seed when the directory holds no log: first copy the latest snapshot and the log after it from the
         *             other members (a member that lost its disk), instead of replaying the whole log.
         * @return this.
         */
        public Context seed(final boolean seed)
        {
            this.seed = seed;
            return this;
        }

        /**
         * @param file the tokens file clients authenticate with ({@code ipam serve}'s format); null (default): none,
         *             allowed only on a loopback ingress or with {@link #insecure(boolean)}.
         * @return this.
         */
        public Context tokens(final Path file)
        {
            this.tokens = file;
            return this;
        }

        /**
         * @param insecure without a tokens file, let every client in as the administrator although the ingress is not
         *                 a loopback address (logged at start).
         * @return this.
         */
        public Context insecure(final boolean insecure)
        {
            this.insecure = insecure;
            return this;
        }

        /**
         * @param n most clients the members remember (the same on every member; default 4,096).
         * @return this.
         */
        public Context maxClients(final int n)
        {
            this.maxClients = n;
            return this;
        }

        /**
         * @param d how long seeding may take before the member starts without it (default 60 s).
         * @return this.
         */
        public Context seedTimeout(final Duration d)
        {
            this.seedTimeout = d;
            return this;
        }

        /**
         * @return the member id.
         */
        public int memberId()
        {
            return memberId;
        }

        /**
         * @return the member list.
         */
        public List<String> members()
        {
            return members;
        }

        /**
         * @return the directory.
         */
        public Path dir()
        {
            return dir;
        }

        void check()
        {
            if (members.isEmpty())
            {
                throw new IpamException(ErrorCode.MALFORMED, "no members given");
            }
            if (memberId < 0 || memberId >= members.size())
            {
                throw new IpamException(ErrorCode.MALFORMED, "member id " + memberId + " is not in 0.." +
                    (members.size() - 1));
            }
            final List<String> addresses = new ArrayList<>(members);
            if (peers != null)
            {
                if (peers.size() != members.size())
                {
                    throw new IpamException(ErrorCode.MALFORMED, peers.size() + " peers for " + members.size() +
                        " members: give every member's member-facing host:port, in the members' order");
                }
                addresses.addAll(peers);
            }
            for (final String m : addresses)
            {
                MemberAddresses.hostOf(m);
                MemberAddresses.portOf(m);
            }
            if (dir == null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "no directory given");
            }
            if (key == null || key.length != 32)
            {
                throw new IpamException(ErrorCode.MALFORMED, "the random key must be 32 bytes, the same on every " +
                    "member");
            }
        }
    }

    /**
     * @param members every member's {@code host:port}.
     * @return the consensus module's member string.
     */
    public static String clusterMembers(final List<String> members)
    {
        return MemberAddresses.clusterMembers(members);
    }

    /**
     * @param members every member's {@code host:port}.
     * @return the clients' ingress endpoints ({@code 0=h:p,1=h:p,...}).
     */
    public static String ingressEndpoints(final List<String> members)
    {
        return MemberAddresses.ingressEndpoints(members);
    }

    /**
     * Read a key file: 64 hex digits (white space ignored).
     *
     * @param file the file.
     * @return the 32 bytes.
     */
    public static byte[] readKey(final Path file)
    {
        try
        {
            final String hex = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).replaceAll("\\s", "");
            final byte[] key = HexFormat.of().parseHex(hex);
            if (key.length != 32)
            {
                throw new IpamException(ErrorCode.MALFORMED, "key file " + file + " holds " + key.length +
                    " bytes, not 32");
            }
            return key;
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read key file " + file + ": " + ex.getMessage());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, "key file " + file + " is not 64 hex digits");
        }
    }

    static Supplier<IdleStrategy> idle()
    {
        // two cores for three members and their clients: back off to a 1 ms park quickly
        return () -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @param dir a member directory.
     * @param id  its member id.
     * @return the media driver directory for it: in shared memory when there is some.
     */
    static String aeronDirFor(final Path dir, final int id)
    {
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        final String tag = Integer.toHexString(dir.toAbsolutePath().normalize().toString().hashCode());
        return new File(base, "ipam-node-" + id + "-" + tag).getPath();
    }

    static final String LOCAL_CONTROL = "aeron:ipc?term-length=64k";

    private static Archive.Context archiveContext(final int id, final Path dir, final String aeronDir,
        final String host, final int port)
    {
        return new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(dir.resolve("archive").toFile())
            .archiveId(id)
            .controlChannel("aeron:udp?endpoint=" + host + ":" + (port + 4))
            .localControlChannel(LOCAL_CONTROL)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle())
            .errorHandler(t -> LOG.warn("archive: {}", t.toString()));
    }

    private ClusterNode(final Context ctx)
    {
        ctx.check();
        this.ctx = ctx;
        final int id = ctx.memberId;
        final String ingressHost = MemberAddresses.hostOf(ctx.members.get(id));
        final String host = MemberAddresses.hostOf(ctx.peers().get(id));
        final int port = MemberAddresses.portOf(ctx.peers().get(id));
        final Path dir = ctx.dir.toAbsolutePath();
        try
        {
            Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot make " + dir + ": " + ex.getMessage());
        }
        lock = MemberDirectory.lock(dir);
        aeronDir = aeronDirFor(dir, id);
        final byte[] key = ctx.key;
        final IpamConfig config = ctx.config.toBuilder().randomSource(() -> RandomSource.keyed(key, 0)).build();

        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle().get())
            .termBufferSparseFile(true)
            .errorHandler(t -> LOG.warn("media driver: {}", t.toString()));

        final String localControl = LOCAL_CONTROL;
        final Archive.Context archiveCtx = archiveContext(ctx.memberId, dir, aeronDir, host, port);

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(localControl)
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(localControl)
            .aeronDirectoryName(aeronDir);

        final ConsensusModule.Context cmCtx = new ConsensusModule.Context()
            .clusterMemberId(id)
            .clusterMembers(MemberAddresses.clusterMembers(ctx.members, ctx.peers()))
            .clusterDir(dir.resolve("cluster").toFile())
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .serviceCount(1)
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=16m")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeout.toNanos())
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatInterval.toNanos())
            .electionTimeoutNs(ctx.electionTimeout.toNanos())
            .sessionTimeoutNs(ctx.sessionTimeout.toNanos())
            .startupCanvassTimeoutNs(ctx.startupCanvassTimeout.toNanos())
            .maxConcurrentSessions(256)
            .authenticatorSupplier(MemberAccess.authenticator(ctx.tokens, ctx.insecure, ingressHost))
            .idleStrategySupplier(idle())
            .errorHandler(t -> LOG.warn("consensus module: {}", t.toString()));

        service = new IpamClusteredService(config, dir, ctx.maxClients);
        final ClusteredServiceContainer.Context serviceCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(localArchive.clone())
            .clusterDir(dir.resolve("cluster").toFile())
            .clusteredService(service)
            .serviceId(0)
            .idleStrategySupplier(idle())
            .errorHandler(t -> LOG.warn("service", t));

        MediaDriver launchedDriver = null;
        Archive launchedArchive = null;
        ConsensusModule launchedModule = null;
        ClusteredServiceContainer started = null;
        try
        {
            launchedDriver = MediaDriver.launch(driverCtx);
            launchedArchive = Archive.launch(archiveCtx);
            if (ctx.seed && !Files.exists(dir.resolve("cluster").resolve("recording.log")) &&
                !MemberSeeding.seed(ctx.peers(), ctx.memberId, ctx.seedTimeout, dir, aeronDir, host, port,
                    archiveCtx.localControlStreamId()))
            {
                // the directory held no log before: drop whatever a seeding that did not finish copied
                launchedArchive.close();
                MemberDirectory.deleteTree(dir.resolve("cluster"));
                MemberDirectory.deleteTree(dir.resolve("archive"));
                launchedArchive = Archive.launch(archiveContext(id, dir, aeronDir, host, port));
            }
            if (ctx.seed)
            {
                // the seeding's consensus endpoint, released by the driver shortly
                MemberSeeding.awaitPortFree(host, port + 1);
            }
            launchedModule = ConsensusModule.launch(cmCtx);
            started = ClusteredServiceContainer.launch(serviceCtx);
        }
        finally
        {
            if (started == null)
            {
                CloseHelper.quietCloseAll(launchedModule, launchedArchive, launchedDriver, lock);
            }
        }
        mediaDriver = launchedDriver;
        archive = launchedArchive;
        consensusModule = launchedModule;
        container = started;
        snapshots = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "ipam-snapshot-timer");
            t.setDaemon(true);
            return t;
        });
        if (!ctx.snapshotInterval.isZero())
        {
            final long ms = ctx.snapshotInterval.toMillis();
            snapshots.scheduleAtFixedRate(this::snapshotIfLeader, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Start a member.
     *
     * @param ctx its settings.
     * @return the running member.
     */
    public static ClusterNode launch(final Context ctx)
    {
        return new ClusterNode(ctx);
    }

    /**
     * @return this member's role now.
     */
    public Cluster.Role role()
    {
        return Cluster.Role.get(consensusModule.context().clusterNodeRoleCounter());
    }

    /**
     * @return the member's settings.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * Ask for a cluster snapshot (taken by every member at the same log position) if this member leads.
     *
     * @return true if asked.
     */
    public boolean snapshotIfLeader()
    {
        try
        {
            if (role() != Cluster.Role.LEADER)
            {
                return false;
            }
            final CountersReader counters = consensusModule.context().aeron().countersReader();
            final AtomicCounter toggle = ClusterControl.findControlToggle(counters,
                consensusModule.context().clusterId());
            return toggle != null && ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("could not ask for a snapshot: {}", ex.toString());
            return false;
        }
    }

    @Override
    public void close()
    {
        snapshots.shutdownNow();
        try
        {
            container.close();
        }
        finally
        {
            CloseHelper.closeAll(consensusModule, archive, mediaDriver, lock);
        }
    }

    /**
     * Run a member until the process is told to stop (SIGINT, SIGTERM) or the cluster terminates it.
     *
     * @param ctx settings.
     * @param out where to say it started.
     */
    public static void runUntilStopped(final Context ctx, final PrintStream out)
    {
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            try (ClusterNode node = launch(ctx))
            {
                out.println("ipam cluster node " + ctx.memberId + " of " + ctx.members.size() + " running, ingress " +
                    ctx.members.get(ctx.memberId) + ", directory " + ctx.dir.toAbsolutePath() + ", media driver " +
                    node.aeronDir);
                out.flush();
                barrier.await();
            }
        }
    }

    /**
     * Run a member from the command line (the {@code ipam cluster node} command takes the same options):
     * {@code --id N --members h:p,h:p,h:p --dir DIR --key-file FILE [--heartbeat-timeout-ms 1000]
     * [--election-timeout-ms 500] [--snapshot-interval-s 60] [--seed true]
     * [--tokens FILE] [--insecure true] [--max-clients 4096] [--peers h:p,h:p,h:p]}.
     *
     * @param args the options.
     */
    public static void main(final String[] args)
    {
        final Context ctx = new Context();
        Path keyFile = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String v = args[i + 1];
            switch (args[i])
            {
                case "--id":
                    ctx.memberId(Integer.parseInt(v));
                    break;
                case "--members":
                    ctx.members(List.of(v.split(",")));
                    break;
                case "--peers":
                    ctx.peers(List.of(v.split(",")));
                    break;
                case "--dir":
                    ctx.dir(Path.of(v));
                    break;
                case "--key-file":
                    keyFile = Path.of(v);
                    break;
                case "--heartbeat-timeout-ms":
                    ctx.leaderHeartbeatTimeout(Duration.ofMillis(Long.parseLong(v)));
                    break;
                case "--election-timeout-ms":
                    ctx.electionTimeout(Duration.ofMillis(Long.parseLong(v)));
                    break;
                case "--snapshot-interval-s":
                    ctx.snapshotInterval(Duration.ofSeconds(Long.parseLong(v)));
                    break;
                case "--tokens":
                    ctx.tokens(Path.of(v));
                    break;
                case "--insecure":
                    ctx.insecure(Boolean.parseBoolean(v));
                    break;
                case "--max-clients":
                    ctx.maxClients(Integer.parseInt(v));
                    break;
                case "--seed":
                    ctx.seed(Boolean.parseBoolean(v));
                    break;
                default:
                    throw new IpamException(ErrorCode.MALFORMED, "unknown option " + args[i]);
            }
        }
        if (keyFile == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--key-file is required");
        }
        ctx.key(readKey(keyFile));
        runUntilStopped(ctx, System.out);
    }
}
