package io.ipam.core.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;

/**
 * N allocator agents ({@link IpamConfig#agents()}), each a complete single-writer allocator owning the subnets
 * and prefix pools whose ids hash to it. Everything about one subnet or pool goes to its agent, so the rules
 * hold as with one agent. What spans agents:
 * <ul>
 * <li>creating a subnet checks overlap against every agent's subnets of the tenant, under a facade lock
 * (creations are rare, so they are serialised; allocations never take that lock);</li>
 * <li>listings and release-by-owner ask every agent and merge;</li>
 * <li>a port request whose items all live on one agent is one atomic step there; one that spans agents is served
 * item by item (specific items first, then automatic ones, groups falling through on {@code EXHAUSTED}) and on
 * any failure everything it took is released before the error is reported: all or nothing for the caller, but
 * another caller may see its addresses taken for that moment;</li>
 * <li>a snapshot pauses every agent at one barrier, captures each, then lets them go: one point in time.</li>
 * </ul>
 */
public final class ShardedIpam implements Ipam
{
    private final EngineIpam[] shards;
    private final IpamConfig config;
    private final Object createLock = new Object();
    private volatile boolean closed;

    private ShardedIpam(final IpamConfig config, final EngineIpam[] shards)
    {
        this.config = config;
        this.shards = shards;
    }

    /**
     * @param config settings with {@code agents() > 1}.
     * @return the allocator.
     */
    public static Ipam inMemory(final IpamConfig config)
    {
        final EngineIpam[] shards = new EngineIpam[config.agents()];
        for (int i = 0; i < shards.length; i++)
        {
            shards[i] = EngineIpam.inMemory(perAgent(config, i));
        }
        return new ShardedIpam(config, shards);
    }

    /**
     * @param snapshot snapshot file.
     * @param config   settings with {@code agents() > 1}.
     * @return the allocator holding the snapshot's state, spread over the agents by id.
     */
    public static Ipam fromSnapshot(final Path snapshot, final IpamConfig config)
    {
        final SnapshotData data = SnapshotCodec.read(snapshot);
        final int n = config.agents();
        final EngineIpam[] shards = new EngineIpam[n];
        try
        {
            for (int i = 0; i < n; i++)
            {
                final int k = i;
                shards[i] = EngineIpam.fromData(data.select(id -> index(id, n) == k, id -> index(id, n) == k),
                    perAgent(config, i));
            }
        }
        catch (final RuntimeException ex)
        {
            for (final EngineIpam s : shards)
            {
                if (s != null)
                {
                    s.close();
                }
            }
            throw ex;
        }
        return new ShardedIpam(config, shards);
    }

    private static IpamConfig perAgent(final IpamConfig config, final int i)
    {
        final IpamConfig.Builder b = IpamConfig.builder().maxBulk(config.maxBulk())
            .requestTimeout(config.requestTimeout()).ringCapacity(config.ringCapacity()).clock(config.clock())
            .randomSource(config.randomSource()).idleStrategy(config.idleStrategy())
            .storeCapacity(config.storeCapacity()).syncPolicy(config.syncPolicy()).syncInterval(config.syncInterval());
        if (config.countersDir() != null)
        {
            b.countersDir(config.countersDir().resolve("agent-" + i));
        }
        return b.build();
    }

    /**
     * @param id subnet or prefix pool id.
     * @param n  number of agents.
     * @return the agent that owns the id.
     */
    public static int index(final String id, final int n)
    {
        return Math.floorMod(id.hashCode() * 0x9E3779B1, n);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    private EngineIpam shard(final String id, final String what)
    {
        checkOpen();
        if (id == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        return shards[index(id, shards.length)];
    }

    private EngineIpam subnetShard(final String subnetId)
    {
        return shard(subnetId, "subnet id");
    }

    private EngineIpam poolShard(final String poolId)
    {
        return shard(poolId, "pool id");
    }

    // ----------------------------------------------------------------------------------------------------------
    // subnets
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        checkOpen();
        final SubnetRules.Plan plan = SubnetRules.plan(spec);
        final Cidr cidr = SubnetRules.checkSubnetCidr(spec.cidr());
        final EngineIpam target = subnetShard(plan.id());
        synchronized (createLock)
        {
            for (final EngineIpam other : shards)
            {
                if (other == target)
                {
                    continue;
                }
                for (final SubnetInfo s : other.subnets())
                {
                    if (s.tenant().equals(Optional.ofNullable(spec.tenant())) &&
                        AddressText.parseCidr(s.cidr(), "cidr").overlaps(cidr))
                    {
                        throw new IpamException(ErrorCode.SUBNET_OVERLAP, "subnet " + cidr + " overlaps subnet " +
                            s.id() + " (" + s.cidr() + ")" + (spec.tenant() == null ? "" : " of tenant " + spec.tenant()));
                    }
                }
            }
            return target.createSubnet(spec);
        }
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        return subnetShard(subnetId).subnet(subnetId);
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        checkOpen();
        final List<SubnetInfo> all = new ArrayList<>();
        for (final EngineIpam s : shards)
        {
            all.addAll(s.subnets());
        }
        all.sort(Comparator.comparing(SubnetInfo::id));
        return Collections.unmodifiableList(all);
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        return subnetShard(subnetId).updatePools(subnetId, pools);
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        return subnetShard(subnetId).updateGateway(subnetId, gatewayOrNull);
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        subnetShard(subnetId).deleteSubnet(subnetId);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        subnetShard(subnetId).deleteSubnet(subnetId, force);
    }

    // ----------------------------------------------------------------------------------------------------------
    // addresses
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return subnetShard(subnetId).allocate(subnetId, owner);
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return subnetShard(subnetId).allocateNext(subnetId, owner);
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        return subnetShard(subnetId).allocate(subnetId, address, owner);
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        return subnetShard(subnetId).allocateEui64(subnetId, mac, owner);
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        return subnetShard(subnetId).allocateBulk(subnetId, owner, count);
    }

    @Override
    public boolean release(final String subnetId, final String address)
    {
        return subnetShard(subnetId).release(subnetId, address);
    }

    @Override
    public boolean release(final String subnetId, final String address, final UUID owner)
    {
        return subnetShard(subnetId).release(subnetId, address, owner);
    }

    @Override
    public CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        try
        {
            return subnetShard(subnetId).allocateAsync(subnetId, owner);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        try
        {
            return subnetShard(subnetId).releaseAsync(subnetId, address);
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        checkOpen();
        if (owner == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "owner is null");
        }
        int n = 0;
        for (final EngineIpam s : shards)
        {
            n += s.releaseOwner(owner);
        }
        return n;
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        return subnetShard(subnetId).owner(subnetId, address);
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        checkOpen();
        if (owner == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "owner is null");
        }
        final List<Allocation> all = new ArrayList<>();
        for (final EngineIpam s : shards)
        {
            all.addAll(s.allocations(owner));
        }
        // each agent's list is in address order within a subnet; a stable sort by subnet id keeps that
        all.sort(Comparator.comparing(Allocation::subnetId));
        return Collections.unmodifiableList(all);
    }

    // ----------------------------------------------------------------------------------------------------------
    // ports
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        checkOpen();
        final List<AddressRequest> copy = EngineIpam.checkPortRequest(owner, items);
        int only = -1;
        boolean spans = false;
        for (final AddressRequest item : copy)
        {
            for (final String id : item.subnetIds())
            {
                final int k = index(id, shards.length);
                spans |= only >= 0 && k != only;
                only = k;
            }
        }
        if (!spans)
        {
            return shards[only].allocatePort(owner, copy);
        }
        return allocateAcrossAgents(owner, copy);
    }

    private List<Allocation> allocateAcrossAgents(final UUID owner, final List<AddressRequest> items)
    {
        final Allocation[] taken = new Allocation[items.size()];
        try
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < items.size(); i++)
                {
                    final AddressRequest item = items.get(i);
                    final boolean fixed = item.kind() == AddressRequest.Kind.SPECIFIC ||
                        item.kind() == AddressRequest.Kind.EUI64;
                    if (fixed != (pass == 0))
                    {
                        continue;
                    }
                    try
                    {
                        taken[i] = serve(owner, item);
                    }
                    catch (final IpamException ex)
                    {
                        throw new IpamException(ex.code(), "port request item " + i + " (" + item + ") failed, " +
                            "nothing was allocated: " + ex.getMessage());
                    }
                }
            }
        }
        catch (final IpamException ex)
        {
            for (final Allocation a : taken)
            {
                if (a != null)
                {
                    subnetShard(a.subnetId()).release(a.subnetId(), a.address(), owner);
                }
            }
            throw ex;
        }
        return List.of(taken);
    }

    private Allocation serve(final UUID owner, final AddressRequest item)
    {
        if (item.kind() != AddressRequest.Kind.ANY_OF)
        {
            return subnetShard(item.subnetId()).allocatePort(owner, List.of(item)).get(0);
        }
        for (final String id : item.subnetIds())
        {
            try
            {
                return subnetShard(id).allocatePort(owner, List.of(AddressRequest.any(id))).get(0);
            }
            catch (final IpamException ex)
            {
                if (ex.code() != ErrorCode.EXHAUSTED)
                {
                    throw ex;
                }
            }
        }
        throw new IpamException(ErrorCode.EXHAUSTED, "every subnet of group " + item.subnetIds() + " is exhausted");
    }

    // ----------------------------------------------------------------------------------------------------------
    // prefix pools
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        checkOpen();
        if (spec == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "prefix pool spec is null");
        }
        return poolShard(spec.id()).createPrefixPool(spec);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return poolShard(poolId).allocatePrefix(poolId, tenant);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        return poolShard(poolId).allocatePrefix(poolId, tenant, prefixLength);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        return poolShard(poolId).allocatePrefix(poolId, tenant, cidr);
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        return poolShard(poolId).releasePrefix(poolId, cidr);
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        return poolShard(poolId).addPrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        return poolShard(poolId).removePrefixes(poolId, prefixes);
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        return poolShard(poolId).prefixPool(poolId);
    }

    @Override
    public List<String> children(final String poolId)
    {
        return poolShard(poolId).children(poolId);
    }

    // ----------------------------------------------------------------------------------------------------------
    // snapshots and lifecycle
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        checkOpen();
        if (file == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "snapshot file is null");
        }
        final long takenAt = config.clock().time();
        // every agent stops at the first barrier; when all are there, each captures; the second barrier lets
        // them go only when all have captured: one point in time across agents
        final CyclicBarrier paused = new CyclicBarrier(shards.length);
        final CyclicBarrier captured = new CyclicBarrier(shards.length);
        final List<CompletableFuture<SnapshotCodec.Image>> images = new ArrayList<>();
        for (final EngineIpam s : shards)
        {
            images.add(s.executor().submit(e ->
            {
                await(paused);
                final SnapshotCodec.Image image = SnapshotCodec.capture(e, takenAt);
                await(captured);
                return image;
            }));
        }
        final List<SnapshotData> parts = new ArrayList<>();
        for (final CompletableFuture<SnapshotCodec.Image> f : images)
        {
            try
            {
                parts.add(f.get(60, TimeUnit.SECONDS).data());
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw ex.getCause() instanceof IpamException ? (IpamException)ex.getCause() :
                    new IpamException(ErrorCode.INTERNAL, "snapshot capture failed: " + ex.getCause(), ex);
            }
            catch (final InterruptedException | java.util.concurrent.TimeoutException ex)
            {
                throw new IpamException(ErrorCode.INTERNAL, "snapshot capture did not complete: " + ex, ex);
            }
        }
        final SnapshotInfo info = SnapshotCodec.write(SnapshotData.merge(parts), file);
        return new SnapshotInfo(info.file(), info.bytes(), info.formatVersion(), info.subnets(), info.allocations(),
            Instant.ofEpochMilli(takenAt));
    }

    private static void await(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await(30, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new IpamException(ErrorCode.INTERNAL, "agents did not meet for a snapshot: " + ex, ex);
        }
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final EngineIpam s : shards)
        {
            s.close();
        }
    }
}
