package io.ipam.core.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
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
import io.ipam.core.SubnetStats;
import io.ipam.core.SubnetUpdate;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.internal.SubnetHandles.SubnetRef;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.writer.Store;
import io.ipam.core.writer.WriterExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.ipam.core.internal.Edge.addressValue;
import static io.ipam.core.internal.Edge.checkOptions;
import static io.ipam.core.internal.Edge.checkSubnetId;
import static io.ipam.core.internal.Edge.leaseMs;
import static io.ipam.core.internal.Edge.nonNull;

/**
 * The thread-safe facade: validates and parses text on the caller's thread, has the {@link CommandProxy} encode
 * each call as a command and send it through the {@link CommandTransport} (the local {@link WriterExecutor}, or a
 * writer elsewhere), and has {@link Answers} turn the answer into values or an {@link IpamException} naming the
 * input. Strings are made here, at the edge, never inside the writer. A view ({@link #forTenant}) shares the
 * allocator's transport, handle cache and ticker and sends its tenant as the commands' scope.
 */
public final class EngineIpam implements Ipam
{
    private static final Logger LOG = LoggerFactory.getLogger(EngineIpam.class);

    private final IpamConfig config;
    /** The local writer; null when commands are applied elsewhere. */
    private final WriterExecutor local;
    private final Store store;
    private final Edge edge;
    private final CommandProxy proxy;
    private final Answers answers;
    private final SubnetHandles handles;
    /** Each thread's out-slot for the subnet reference a hot call was sent with (no array per call). */
    private final ThreadLocal<SubnetRef[]> sentRefs = ThreadLocal.withInitial(() -> new SubnetRef[1]);
    /** Per calling thread: a released address's high and low 64 bits as parsed (no IpAddress on the hot path). */
    private final ThreadLocal<long[]> parsedHalves = ThreadLocal.withInitial(() -> new long[2]);
    private final PortCalls ports;
    private final PrefixCalls prefixes;
    private final LifecycleCalls lifecycle;
    private final SubnetCalls subnetCalls;
    private final AsyncCalls async;
    private final BatchCalls batches;
    private final MapCalls maps;
    private final EngineIpam root;
    /** The tenant this view acts for; null for the allocator itself. */
    private final String scope;
    private volatile boolean closed;

    /**
     * The allocator itself.
     *
     * @param config    settings.
     * @param transport carries its commands: the local writer, or one elsewhere.
     * @param local     the local writer, or null.
     * @param store     the store, or null; closed with the allocator.
     */
    EngineIpam(final IpamConfig config, final CommandTransport transport, final WriterExecutor local,
        final Store store)
    {
        this.config = config;
        this.local = local;
        this.store = store;
        this.proxy = new CommandProxy(transport, config);
        this.answers = new Answers(proxy, config.maxBulk());
        this.handles = new SubnetHandles(proxy);
        this.root = this;
        this.scope = null;
        this.edge = new Edge(config, proxy, answers, handles, new LifecycleTicker(proxy), null, this);
        this.ports = new PortCalls(edge);
        this.prefixes = new PrefixCalls(edge);
        this.lifecycle = new LifecycleCalls(edge);
        this.subnetCalls = new SubnetCalls(edge);
        this.async = new AsyncCalls(edge, this);
        this.batches = new BatchCalls(edge);
        this.maps = new MapCalls(edge);
    }

    private EngineIpam(final EngineIpam root, final String tenant)
    {
        this.config = root.config;
        this.local = root.local;
        this.store = null;
        this.proxy = root.proxy;
        this.answers = root.answers;
        this.handles = root.handles;
        this.root = root;
        this.scope = tenant;
        this.edge = root.edge.forTenant(tenant);
        this.ports = new PortCalls(edge);
        this.prefixes = new PrefixCalls(edge);
        this.lifecycle = new LifecycleCalls(edge);
        this.subnetCalls = new SubnetCalls(edge);
        this.async = new AsyncCalls(edge, this);
        this.batches = new BatchCalls(edge);
        this.maps = new MapCalls(edge);
    }

    /**
     * Start the lifecycle ticker (a restored engine holds lifecycle state).
     */
    void startTicker()
    {
        edge.ticker.ensureStarted();
    }

    /**
     * @return the local writer (tests and benchmarks reach it through this), or null for a {@link #remote} facade.
     */
    public WriterExecutor executor()
    {
        return local;
    }

    // ----------------------------------------------------------------------------------------------------------
    // checks at the edge
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public Ipam forTenant(final String tenant)
    {
        edge.checkOpen();
        if (tenant == null || tenant.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "tenant is " + (tenant == null ? "null" : "empty"));
        }
        SubnetRules.checkTenant(tenant);
        if (scope != null)
        {
            if (scope.equals(tenant))
            {
                return this;
            }
            throw Edge.forbidden("a view of tenant " + scope + " cannot act for another tenant");
        }
        return new EngineIpam(this, tenant);
    }

    // ----------------------------------------------------------------------------------------------------------
    // subnets
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        return subnetCalls.create(spec);
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        checkSubnetId(subnetId);
        edge.checkOpen();
        return answers.read(proxy.scopedId(MessageTypes.SUBNET_INFO, scope, subnetId), ReplyCodec::getSubnet);
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        edge.checkOpen();
        return Collections.unmodifiableList(answers.read(proxy.scope(MessageTypes.LIST_SUBNETS, scope),
            ReplyCodec::getSubnets));
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        return subnetCalls.updatePools(subnetId, pools);
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        return subnetCalls.updateGateway(subnetId, gatewayOrNull);
    }

    @Override
    public SubnetInfo updateSubnet(final String subnetId, final SubnetUpdate update)
    {
        return subnetCalls.update(subnetId, update);
    }

    @Override
    public ReconcileReport reconcileSubnet(final String subnetId, final Map<String, UUID> expected,
        final Duration grace, final boolean dryRun)
    {
        return subnetCalls.reconcile(subnetId, expected, grace, dryRun);
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        deleteSubnet(subnetId, false);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        checkSubnetId(subnetId);
        edge.checkOpen();
        answers.read(proxy.deleteSubnet(scope, subnetId, force), in -> in);
        handles.forget(subnetId);
    }

    // ----------------------------------------------------------------------------------------------------------
    // addresses
    // ----------------------------------------------------------------------------------------------------------

    /**
     * A hot command on a subnet, once more with a fresh handle if the cached one was stale (the subnet was deleted
     * and created again under the same id). The answer is read with the reference it was sent with. An address given
     * ({@code given}: {@code value} is the low 64 bits of an address of family {@code v6} whose high bits are
     * {@code hi}; else {@code value} is a MAC or nothing) is checked against each subnet it is sent to, and sent with
     * its high 64 bits to a wide subnet (IPv6 /1 to /63). The address travels as primitives, not as an
     * {@link IpAddress}: handed to a call the JIT does not inline, the caller's parsed address would escape and be
     * allocated on every call (32 bytes a release).
     */
    private Reply hotOn(final int type, final SubnetRef first, final int count, final boolean given, final boolean v6,
        final long hi, final long value, final UUID owner, final AllocationOptions options, final SubnetRef[] sentWith)
    {
        final String key = options == null ? null : options.requestKey().orElse(null);
        final long leaseMs = options == null ? 0 : leaseMs(options);
        final boolean router = options != null && options.router();
        SubnetRef ref = first;
        Reply r = hot(type, ref, count, given, v6, hi, value, owner, key, leaseMs, router);
        if (r.code == ErrorCode.SUBNET_NOT_FOUND.resultCode())
        {
            answers.release(r);
            handles.stale(ref);
            ref = edge.ref(ref.id);
            r = hot(type, ref, count, given, v6, hi, value, owner, key, leaseMs, router);
        }
        sentWith[0] = ref;
        return r;
    }

    private Reply hot(final int type, final SubnetRef ref, final int count, final boolean given, final boolean v6,
        final long hi, final long value, final UUID owner, final String key, final long leaseMs, final boolean router)
    {
        final boolean wide = given && Answers.isWide(ref.cidr);
        return proxy.hot(type, ref.handle, count, wide, wide ? hi : 0,
            given ? addressValue(ref.id, ref.cidr, v6, hi, value) : value, owner, scope, key, leaseMs, router);
    }

    private String allocateBy(final int type, final String subnetId, final UUID owner,
        final AllocationOptions options)
    {
        edge.checkOpen();
        nonNull(owner, "owner");
        if (options != null && !options.isNone())
        {
            edge.ticker.ensureStarted();
        }
        final SubnetRef[] sent = sentRefs.get();
        final Reply r = hotOn(type, edge.ref(subnetId), 0, false, false, 0, 0, owner, options, sent);
        final String address = answers.allocated(r, sent[0], subnetId, "");
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} in {} to {}", address, subnetId, owner);
        }
        return address;
    }

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return allocateBy(MessageTypes.ALLOCATE, subnetId, owner, null);
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return allocateBy(MessageTypes.ALLOCATE_NEXT, subnetId, owner, null);
    }

    @Override
    public String allocate(final String subnetId, final UUID owner, final AllocationOptions options)
    {
        edge.checkOpen();
        nonNull(owner, "owner");
        return allocateBy(MessageTypes.ALLOCATE, subnetId, owner, checkOptions(options));
    }

    @Override
    public CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        return async.allocate(subnetId, owner);
    }

    @Override
    public CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        return async.release(subnetId, address);
    }

    @Override
    public IpamBatch apply(final IpamBatch batch)
    {
        return batches.apply(batch);
    }

    @Override
    public CompletableFuture<IpamBatch> applyAsync(final IpamBatch batch)
    {
        return batches.applyAsync(batch);
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        return allocate(subnetId, address, owner, AllocationOptions.none());
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner,
        final AllocationOptions options)
    {
        edge.checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        nonNull(owner, "owner");
        checkOptions(options);
        if (!options.isNone())
        {
            edge.ticker.ensureStarted();
        }
        final SubnetRef ref = edge.ref(subnetId);
        final SubnetRef[] sent = sentRefs.get();
        answers.code(hotOn(MessageTypes.ALLOCATE_SPECIFIC, ref, 0, true, a.isV6(), a.hi(), a.lo(), owner, options,
            sent), subnetId, a);
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} in {} to {}", a, subnetId, owner);
        }
        return a.toString();
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        edge.checkOpen();
        nonNull(subnetId, "subnet id");
        final long m = AddressText.parseMac(mac);
        nonNull(owner, "owner");
        final SubnetRef[] sent = sentRefs.get();
        final Reply r = hotOn(MessageTypes.ALLOCATE_EUI64, edge.ref(subnetId), 0, false, false, 0, m, owner, null,
            sent);
        final Cidr cidr = sent[0].cidr;
        if (r.code == ErrorCode.ADDRESS_INVALID.resultCode() && (!cidr.isV6() || cidr.prefixLength() != 64))
        {
            answers.release(r);
            throw new IpamException(ErrorCode.ADDRESS_INVALID, "EUI-64 needs an IPv6 /64; subnet " + subnetId +
                " is " + cidr);
        }
        return answers.allocated(r, sent[0], subnetId, "EUI-64 address of MAC " + mac);
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        return allocateBulk(subnetId, owner, count, AllocationOptions.none());
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count,
        final AllocationOptions options)
    {
        edge.checkOpen();
        checkOptions(options);
        nonNull(subnetId, "subnet id");
        nonNull(owner, "owner");
        if (count < 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "bulk count must be 1 or more, was " + count);
        }
        if (count > config.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "bulk count " + count + " is over the limit of " +
                config.maxBulk());
        }
        if (!options.isNone())
        {
            edge.ticker.ensureStarted();
        }
        final SubnetRef[] sent = sentRefs.get();
        final Reply r = hotOn(MessageTypes.ALLOCATE_BULK, edge.ref(subnetId), count, false, false, 0, 0, owner, options,
            sent);
        final List<String> result = answers.bulk(r, sent[0], subnetId, count);
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} addresses in {} to {}", count, subnetId, owner);
        }
        return result;
    }

    @Override
    public boolean renew(final String subnetId, final String address, final UUID owner, final Duration lease)
    {
        edge.checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        nonNull(owner, "owner");
        AllocationOptions.checkLease(lease);
        edge.ticker.ensureStarted();
        final SubnetRef ref = edge.ref(subnetId);
        final boolean wide = Answers.isWide(ref.cidr);
        final Reply r = proxy.renew(scope, ref.handle, wide, a.hi(), addressValue(subnetId, ref.cidr, a), owner,
            lease.toMillis());
        if (r.code == ErrorCode.SUBNET_NOT_FOUND.resultCode())
        {
            handles.stale(ref);
        }
        return answers.code(r, subnetId, a) == AllocatorEngine.RELEASED;
    }

    @Override
    public boolean release(final String subnetId, final String address)
    {
        return release(subnetId, address, null, false);
    }

    @Override
    public boolean release(final String subnetId, final String address, final UUID owner)
    {
        return release(subnetId, address, owner, true);
    }

    private boolean release(final String subnetId, final String address, final UUID owner, final boolean checked)
    {
        edge.checkOpen();
        nonNull(subnetId, "subnet id");
        final long[] halves = parsedHalves.get();
        final boolean v6 = AddressText.parseAddress(address, "address", halves);
        final long hi = halves[0];
        final long lo = halves[1];
        if (checked)
        {
            nonNull(owner, "owner");
        }
        final SubnetRef ref = edge.ref(subnetId);
        final SubnetRef[] sent = sentRefs.get();
        final int rc = answers.code(hotOn(checked ? MessageTypes.RELEASE_CHECKED : MessageTypes.RELEASE, ref, 0, true,
            v6, hi, lo, checked ? owner : null, null, sent), subnetId, v6, hi, lo);
        if (rc == AllocatorEngine.RELEASED && LOG.isDebugEnabled())
        {
            LOG.debug("released {} in {}", new IpAddress(v6, hi, lo), subnetId);
        }
        return rc == AllocatorEngine.RELEASED;
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        edge.checkOpen();
        nonNull(owner, "owner");
        final int n = answers.code(proxy.owned(MessageTypes.RELEASE_OWNER, scope, owner), "",
            "release of owner " + owner);
        if (LOG.isDebugEnabled())
        {
            LOG.debug("released {} addresses of {}", n, owner);
        }
        return n;
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        edge.checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        final SubnetRef ref = edge.ref(subnetId);
        final SubnetRef[] sent = sentRefs.get();
        final Reply r = hotOn(MessageTypes.OWNER_OF, ref, 0, true, a.isV6(), a.hi(), a.lo(), null, null, sent);
        final UUID owner = r.code == AllocatorEngine.FOUND ? new UUID(r.ownerMsb, r.ownerLsb) : null;
        answers.code(r, subnetId, a);
        return Optional.ofNullable(owner);
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        edge.checkOpen();
        nonNull(owner, "owner");
        return answers.allocations(proxy.owned(MessageTypes.ALLOCATIONS_OF, scope, owner), owner);
    }

    // ----------------------------------------------------------------------------------------------------------
    // ports and prefix pools: see PortCalls and PrefixCalls
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        return ports.allocate(owner, items, AllocationOptions.none());
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items,
        final AllocationOptions options)
    {
        return ports.allocate(owner, items, options);
    }

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        return prefixes.createPrefixPool(spec);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return prefixes.allocatePrefix(poolId, tenant);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        return prefixes.allocatePrefix(poolId, tenant, prefixLength);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        return prefixes.allocatePrefix(poolId, tenant, cidr);
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        return prefixes.releasePrefix(poolId, cidr);
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        return this.prefixes.addPrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        return this.prefixes.removePrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        return prefixes.prefixPool(poolId);
    }

    @Override
    public List<String> children(final String poolId)
    {
        return prefixes.children(poolId);
    }

    // ----------------------------------------------------------------------------------------------------------
    // lifecycle
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public ReconcileReport reconcile(final Set<UUID> liveOwners, final Duration grace, final boolean dryRun)
    {
        return lifecycle.reconcile(liveOwners, grace, dryRun);
    }

    @Override
    public List<Change> changes(final long afterSequence, final int max)
    {
        return lifecycle.changes(afterSequence, max);
    }

    @Override
    public List<SubnetStats> subnetStats()
    {
        return lifecycle.subnetStats();
    }

    @Override
    public SubnetMap subnetMap(final String subnetId, final String window, final int cellBits)
    {
        return maps.subnetMap(subnetId, window, cellBits);
    }

    @Override
    public List<PrefixPoolInfo> prefixPools()
    {
        return maps.prefixPools();
    }

    @Override
    public long lastSequence()
    {
        return lifecycle.lastSequence();
    }

    @Override
    public Map<String, Long> requestCounters()
    {
        return local == null ? Map.of() : local.counters().snapshot();
    }

    // ----------------------------------------------------------------------------------------------------------
    // snapshots
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        edge.requireAdmin("snapshot");
        nonNull(file, "snapshot file");
        final Reply r = proxy.encodeCapture();
        if (local == null)
        {
            // a writer elsewhere captures and writes its own snapshot files, or refuses
            proxy.transport().execute(r);
            answers.read(r, in -> in);
            throw new IpamException(ErrorCode.FORBIDDEN, "a snapshot of a writer elsewhere is taken where it runs");
        }
        final SnapshotCodec.Image image = local.capture(r);
        answers.read(r, in -> in);
        return SnapshotCodec.write(image, file); // off the writer
    }

    /**
     * @return true once {@link #close()} has been called.
     */
    public boolean isClosed()
    {
        return root.closed;
    }

    /**
     * Close the allocator; on a view, nothing (the allocator's owner closes it; its views then fail with
     * {@code CLOSED}).
     */
    @Override
    public void close()
    {
        if (root != this || closed)
        {
            return;
        }
        closed = true;
        // a tick in progress finishes (its wait for the writer is bounded by requestTimeout)
        edge.ticker.stop(config.requestTimeout().toMillis() + 5_000);
        try
        {
            proxy.transport().close();
        }
        finally
        {
            if (store != null)
            {
                store.close();
            }
        }
    }
}
