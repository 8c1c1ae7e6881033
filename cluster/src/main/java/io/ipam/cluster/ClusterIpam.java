package io.ipam.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.SubnetSpec;
import io.ipam.core.SubnetUpdate;
import io.ipam.core.SubnetStats;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.protocol.Reply;
import io.ipam.core.snapshot.SnapshotData;

/**
 * An {@link Ipam} whose state lives in an ipam cluster: every call is encoded by the same facade as a local
 * allocator's and applied, in the cluster's log order, on every member. Thread-safe; calls from many threads are
 * batched into few messages. The client follows the leader; after a leader change it sends again every command not
 * yet answered, and the cluster answers those it had applied from its memory of this client, so nothing is applied
 * twice. A call made during a failover waits for the new leader, at most the request timeout; then it fails with
 * {@code OVERLOADED} ("may still be applied": it keeps being sent until answered, and is applied at most once).
 * <p>
 * {@link #snapshot(Path)} makes every member write a snapshot file of its state, at the same log position, to
 * {@code DIR/snapshots/<file name>} on that member; the answer describes the leader's file.
 */
public final class ClusterIpam implements Ipam
{
    private final ClusterTransport transport;
    /** The whole allocator's facade; what the calls go to when the credential is an administrator's. */
    private final Ipam root;
    /** The view the calls go to: the root, or the tenant view the credential acts for. */
    private final Ipam facade;
    private final Context ctx;

    /**
     * Settings of a client.
     */
    public static final class Context
    {
        private String ingressEndpoints;
        private String egressChannel = "aeron:udp?endpoint=localhost:0";
        private String aeronDirectoryName;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration resendAfter = Duration.ofSeconds(2);
        private IpamConfig config = IpamConfig.defaults();
        private long clientId = new SecureRandom().nextLong() | 1;
        private String token;

        /**
         * @param endpoints {@code 0=host:port,1=host:port,...}: the members' ingress, as {@link
         *                  ClusterNode#ingressEndpoints} makes it.
         * @return this.
         */
        public Context ingressEndpoints(final String endpoints)
        {
            this.ingressEndpoints = endpoints;
            return this;
        }

        /**
         * @param members the members' {@code host:port} list, as given to the nodes.
         * @return this.
         */
        public Context members(final List<String> members)
        {
            this.ingressEndpoints = ClusterNode.ingressEndpoints(members);
            return this;
        }

        /**
         * @param channel where answers come back: an Aeron UDP channel with an address the members can reach
         *                (default {@code aeron:udp?endpoint=localhost:0}).
         * @return this.
         */
        public Context egressChannel(final String channel)
        {
            this.egressChannel = channel;
            return this;
        }

        /**
         * @param dir a running media driver's directory; null (default) starts one inside the client.
         * @return this.
         */
        public Context aeronDirectoryName(final String dir)
        {
            this.aeronDirectoryName = dir;
            return this;
        }

        /**
         * @param d how long a call waits for its answer, failovers included (default 10 s).
         * @return this.
         */
        public Context requestTimeout(final Duration d)
        {
            this.requestTimeout = d;
            return this;
        }

        /**
         * @param d how long connecting (and each reconnect attempt) may take (default 5 s).
         * @return this.
         */
        public Context connectTimeout(final Duration d)
        {
            this.connectTimeout = d;
            return this;
        }

        /**
         * @param d how long an answer may be overdue before unanswered commands are sent again (default 2 s).
         * @return this.
         */
        public Context resendAfter(final Duration d)
        {
            this.resendAfter = d;
            return this;
        }

        /**
         * @param config the limits the members run with (checked at this edge too) and the clock that stamps
         *               commands (the members replace the time by the log's).
         * @return this.
         */
        public Context config(final IpamConfig config)
        {
            this.config = config;
            return this;
        }

        /**
         * @param id this client's identity in the cluster's memory of answers, within its credential's tenant; unique
         *           per client process (default random).
         * @return this.
         */
        public Context clientId(final long id)
        {
            this.clientId = id;
            return this;
        }

        /**
         * A stable client id: the same name gives the same id in every run, so a restarted process takes over its
         * own entry in the members' memory of clients instead of adding one (the members keep one entry per name
         * and credential; a second process with the same name at the same time takes it over from the first).
         *
         * @param name a name unique among the processes sharing a credential (a host name and a role, say).
         * @return this.
         */
        public Context clientName(final String name)
        {
            if (name == null || name.isEmpty())
            {
                throw new IpamException(ErrorCode.MALFORMED, "client name is null or empty");
            }
            try
            {
                final byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
                this.clientId = ByteBuffer.wrap(d).getLong();
            }
            catch (final NoSuchAlgorithmException ex)
            {
                throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
            }
            return this;
        }

        /**
         * @param token a token of the members' tokens file ({@code --tokens}); null (default): none, for members that
         *              run without one (loopback only). The token decides the tenant this client acts for.
         * @return this.
         */
        public Context token(final String token)
        {
            if (token != null && (token.isEmpty() || token.length() > ClusterCredentials.MAX_TOKEN_LENGTH))
            {
                throw new IpamException(ErrorCode.MALFORMED, "a token must be 1-" +
                    ClusterCredentials.MAX_TOKEN_LENGTH + " characters");
            }
            this.token = token;
            return this;
        }

        String token()
        {
            return token;
        }

        String ingressEndpoints()
        {
            return ingressEndpoints;
        }

        String egressChannel()
        {
            return egressChannel;
        }

        String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        Duration requestTimeout()
        {
            return requestTimeout;
        }

        Duration connectTimeout()
        {
            return connectTimeout;
        }

        Duration resendAfter()
        {
            return resendAfter;
        }

        long clientId()
        {
            return clientId;
        }
    }

    private ClusterIpam(final Context ctx)
    {
        if (ctx.ingressEndpoints == null || ctx.ingressEndpoints.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "no cluster ingress endpoints given");
        }
        this.ctx = ctx;
        this.transport = new ClusterTransport(ctx);
        this.root = Allocators.remote(ctx.config.toBuilder().requestTimeout(ctx.requestTimeout).build(), transport);
        this.facade = transport.tenant() == null ? root : root.forTenant(transport.tenant());
    }

    /**
     * Connect to a cluster.
     *
     * @param ctx settings.
     * @return the client, connected to the leader.
     * @throws IpamException {@code OVERLOADED} if no leader answered within the connect timeout.
     */
    public static ClusterIpam connect(final Context ctx)
    {
        return new ClusterIpam(ctx);
    }

    /**
     * @return the leader's member id as this client last heard it.
     */
    public int leader()
    {
        return transport.leader();
    }

    /**
     * @return leader changes and reconnections this client went through.
     */
    public long leaderChanges()
    {
        return transport.leaderChanges();
    }

    /**
     * @return how often unanswered commands were sent again.
     */
    public long resends()
    {
        return transport.resends();
    }

    /**
     * @return this client's id in the cluster.
     */
    public long clientId()
    {
        return ctx.clientId;
    }

    /**
     * @return this client incarnation's epoch in the members' memory of clients (a new one after they forgot it).
     */
    long epoch()
    {
        return transport.epoch();
    }

    /**
     * @return the tenant this client's credential acts for (its calls run in that tenant's view), or null for the
     *     administrator.
     */
    public String tenant()
    {
        return transport.tenant();
    }

    @Override
    public Ipam forTenant(final String tenant)
    {
        return root.forTenant(tenant);
    }

    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        if (file == null || file.getFileName() == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "snapshot file is null");
        }
        final String name = file.getFileName().toString();
        final NodeCommandFlyweight node = new NodeCommandFlyweight();
        final Reply r = transport.acquire();
        node.encode(r, ClusterProtocol.NODE_SNAPSHOT, System.currentTimeMillis(), name);
        transport.execute(r);
        try
        {
            if (r.code < 0)
            {
                final String message = node.message(r);
                throw new IpamException(ErrorCode.ofResultCode(r.code), message == null ? "snapshot failed" : message);
            }
            final long bytes = node.snapshotBytes(r);
            final int subnets = node.snapshotSubnets();
            return new SnapshotInfo(Path.of("snapshots", name), bytes, SnapshotData.FORMAT_VERSION, subnets, r.value,
                Instant.ofEpochMilli(r.timeMs));
        }
        finally
        {
            transport.release(r);
        }
    }

    /**
     * Sent at once; completes on the client's own thread when the cluster answers (do not block in what the future
     * runs there), with no timeout on the answer.
     */
    @Override
    public CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        return facade.allocateAsync(subnetId, owner);
    }

    /**
     * Asynchronous {@link #release(String, String)}, as {@link #allocateAsync(String, UUID)}.
     */
    @Override
    public CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        return facade.releaseAsync(subnetId, address);
    }

    /**
     * A batch as one {@code BATCH} command through the log: applied in order by every member, each operation on its
     * own.
     */
    @Override
    public IpamBatch apply(final IpamBatch batch)
    {
        return facade.apply(batch);
    }

    @Override
    public CompletableFuture<IpamBatch> applyAsync(final IpamBatch batch)
    {
        return facade.applyAsync(batch);
    }

    /**
     * Every member creates the empty file {@code DIR/marks/NAME} when it applies this command: shows how far each
     * member has applied the log (a member catching up writes it late).
     *
     * @param name 1-128 of {@code [A-Za-z0-9._-]}, not starting with a dot.
     * @return the leader's count of applied commands.
     */
    public long mark(final String name)
    {
        final NodeCommandFlyweight node = new NodeCommandFlyweight();
        final Reply r = transport.acquire();
        node.encode(r, ClusterProtocol.NODE_MARK, System.currentTimeMillis(), name);
        transport.execute(r);
        try
        {
            if (r.code < 0)
            {
                final String message = node.message(r);
                throw new IpamException(ErrorCode.ofResultCode(r.code), message == null ? "mark failed" : message);
            }
            return r.value;
        }
        finally
        {
            transport.release(r);
        }
    }

    @Override
    public void close()
    {
        root.close();
    }

    @Override
    public ReconcileReport reconcile(final Set<UUID> liveOwners, final Duration grace,
        final boolean dryRun)
    {
        return facade.reconcile(liveOwners, grace, dryRun);
    }

    @Override
    public ReconcileReport reconcileSubnet(final String subnetId, final Map<String, UUID> expected,
        final Duration grace, final boolean dryRun)
    {
        return facade.reconcileSubnet(subnetId, expected, grace, dryRun);
    }

    @Override
    public List<Change> changes(final long afterSequence, final int max)
    {
        return facade.changes(afterSequence, max);
    }

    @Override
    public long lastSequence()
    {
        return facade.lastSequence();
    }

    @Override
    public String allocate(final String subnetId, final UUID owner, final AllocationOptions options)
    {
        return facade.allocate(subnetId, owner, options);
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count,
        final AllocationOptions options)
    {
        return facade.allocateBulk(subnetId, owner, count, options);
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items,
        final AllocationOptions options)
    {
        return facade.allocatePort(owner, items, options);
    }

    @Override
    public boolean renew(final String subnetId, final String address, final UUID owner, final Duration lease)
    {
        return facade.renew(subnetId, address, owner, lease);
    }

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        return facade.createSubnet(spec);
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        return facade.subnet(subnetId);
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        return facade.subnets();
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        return facade.updatePools(subnetId, pools);
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        return facade.updateGateway(subnetId, gatewayOrNull);
    }

    @Override
    public SubnetInfo updateSubnet(final String subnetId, final SubnetUpdate update)
    {
        return facade.updateSubnet(subnetId, update);
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        facade.deleteSubnet(subnetId);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        facade.deleteSubnet(subnetId, force);
    }

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return facade.allocate(subnetId, owner);
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return facade.allocateNext(subnetId, owner);
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        return facade.allocate(subnetId, address, owner);
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner,
        final AllocationOptions options)
    {
        return facade.allocate(subnetId, address, owner, options);
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        return facade.allocateEui64(subnetId, mac, owner);
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        return facade.allocateBulk(subnetId, owner, count);
    }

    @Override
    public boolean release(final String subnetId, final String address)
    {
        return facade.release(subnetId, address);
    }

    @Override
    public boolean release(final String subnetId, final String address, final UUID owner)
    {
        return facade.release(subnetId, address, owner);
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        return facade.releaseOwner(owner);
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        return facade.owner(subnetId, address);
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        return facade.allocations(owner);
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        return facade.allocatePort(owner, items);
    }

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        return facade.createPrefixPool(spec);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return facade.allocatePrefix(poolId, tenant);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        return facade.allocatePrefix(poolId, tenant, prefixLength);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        return facade.allocatePrefix(poolId, tenant, cidr);
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        return facade.releasePrefix(poolId, cidr);
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        return facade.addPrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        return facade.removePrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        return facade.prefixPool(poolId);
    }

    @Override
    public List<String> children(final String poolId)
    {
        return facade.children(poolId);
    }

    @Override
    public List<SubnetStats> subnetStats()
    {
        return facade.subnetStats();
    }

    @Override
    public SubnetMap subnetMap(final String subnetId, final String window, final int cellBits)
    {
        return facade.subnetMap(subnetId, window, cellBits);
    }

    @Override
    public List<PrefixPoolInfo> prefixPools()
    {
        return facade.prefixPools();
    }
}
