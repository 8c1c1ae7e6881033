package io.ipam.core.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.CommandAdapter;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.HotCommand;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.Wire;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.writer.Store;
import io.ipam.core.writer.WriterExecutor;
import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-safe facade: validates and parses text on the caller's thread, encodes each call as a command
 * ({@link MessageTypes}), runs it through the {@link WriterExecutor}, and turns the encoded reply into values or
 * an {@link IpamException} naming the input. Strings are made here, at the edge, never inside the writer;
 * addresses in answers are formatted with the CIDR captured with the request (a subnet handle never changes its
 * CIDR and is never reused), never looked up again afterwards.
 */
public final class EngineIpam implements Ipam
{
    private static final Logger LOG = LoggerFactory.getLogger(EngineIpam.class);

    private final IpamConfig config;
    /** Where commands go: the local writer, or a transport to a writer elsewhere (a replicated log). */
    private final CommandTransport executor;
    /** The local writer; null when commands are applied elsewhere. */
    private final WriterExecutor local;
    private final Store store;
    private final ConcurrentHashMap<String, SubnetRef> handles;
    private final ThreadLocal<Wire> wires;
    private final EngineIpam root;
    /** The tenant this view acts for; null for the allocator itself. */
    private final String scope;
    private volatile boolean closed;

    private EngineIpam(final IpamConfig config, final AllocatorEngine engine, final Store store)
    {
        requireAgrona();
        this.config = config;
        this.store = store;
        this.local = new WriterExecutor(engine, config, store, store == null ? null : store::afterBatch);
        this.executor = local;
        this.handles = new ConcurrentHashMap<>();
        this.wires = ThreadLocal.withInitial(Wire::new);
        this.root = this;
        this.scope = null;
        if (engine.hasLifecycleState())
        {
            ensureTicker();
        }
    }

    private EngineIpam(final IpamConfig config, final CommandTransport transport)
    {
        requireAgrona();
        this.config = config;
        this.store = null;
        this.local = null;
        this.executor = transport;
        this.handles = new ConcurrentHashMap<>();
        this.wires = ThreadLocal.withInitial(Wire::new);
        this.root = this;
        this.scope = null;
    }

    /** Items of each kind (expiries, cooled addresses, keys) one tick handles: about a millisecond of work. */
    static final int TICK_BUDGET = 256;

    private volatile Thread ticker;
    private long lastTickWarningNs;

    /**
     * Start the lifecycle ticker once there is lifecycle state (a lease, a key, a subnet with a cooldown): a
     * daemon thread that sends the writer a {@code TICK} command at least once a second, and again at once while
     * due work is left, so that expiry happens when nobody calls and a million leases falling due at once are
     * handled a bounded step at a time between other requests. An allocator that never uses the lifecycle has
     * no thread of ipam's own in caller-runs mode.
     */
    private void ensureTicker()
    {
        final EngineIpam r = root;
        if (r.ticker != null || r.closed)
        {
            return;
        }
        synchronized (r)
        {
            if (r.ticker != null || r.closed)
            {
                return;
            }
            final Thread t = new Thread(r::tickLoop, "ipam-lifecycle");
            t.setDaemon(true);
            r.ticker = t;
            t.start();
        }
    }

    private void tickLoop()
    {
        while (!closed)
        {
            boolean more = false;
            try
            {
                final Reply r = begin(MessageTypes.TICK);
                run(r, wire().writeTo(r.command, CommandHeader.LENGTH).putInt(TICK_BUDGET));
                more = r.code >= 0 && r.value == 1;
                executor.release(r);
            }
            catch (final IpamException ex)
            {
                if (closed)
                {
                    return;
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastTickWarningNs > TimeUnit.MINUTES.toNanos(1) || lastTickWarningNs == 0)
                {
                    // a failed store refuses every tick: say so once a minute, not four times a second
                    lastTickWarningNs = nowNs;
                    LOG.warn("lifecycle tick failed: {}", ex.getMessage());
                }
            }
            if (!more)
            {
                // parked, not slept: close() unparks it. It is never interrupted, since a tick may be running the
                // writer, and an interrupt during the store's file I/O closes the store's channels under it
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_INTERVAL_MS));
            }
            else
            {
                Thread.yield(); // due work left: the next step at once, callers' requests in between
            }
        }
    }

    /** The longest gap between ticks: expiry is checked at least once per second of clock time (SPEC 9). */
    static final long TICK_INTERVAL_MS = 250;

    private EngineIpam(final EngineIpam root, final String tenant)
    {
        this.config = root.config;
        this.store = null;
        this.executor = root.executor;
        this.local = root.local;
        this.handles = root.handles;
        this.wires = root.wires;
        this.root = root;
        this.scope = tenant;
    }

    /**
     * Agrona reaches {@code jdk.internal.misc.Unsafe}; without the JVM flag that opens it, the first Agrona class
     * fails with an {@code IllegalAccessError} from deep inside. Say what to do instead, once, up front.
     */
    private static void requireAgrona()
    {
        try
        {
            new org.agrona.concurrent.UnsafeBuffer(new byte[8]).getLong(0);
        }
        catch (final IllegalAccessError | ExceptionInInitializerError | NoClassDefFoundError ex)
        {
            throw new IpamException(ErrorCode.INTERNAL, "ipam needs the JVM flag " +
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (Agrona reaches jdk.internal.misc.Unsafe): " +
                ex.getMessage(), ex);
        }
    }

    @Override
    public Ipam forTenant(final String tenant)
    {
        checkOpen();
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
            throw forbidden("a view of tenant " + scope + " cannot act for another tenant");
        }
        return new EngineIpam(this, tenant);
    }

    private static IpamException forbidden(final String message)
    {
        return new IpamException(ErrorCode.FORBIDDEN, message);
    }

    private void requireAdmin(final String what)
    {
        checkOpen();
        if (scope != null)
        {
            throw forbidden(what + " is an administrative call, not allowed to the view of tenant " + scope);
        }
    }

    /**
     * @param config settings.
     * @return an in-memory allocator.
     */
    public static EngineIpam inMemory(final IpamConfig config)
    {
        return new EngineIpam(config, memoryEngine(config), null);
    }

    private static AllocatorEngine memoryEngine(final IpamConfig config)
    {
        return newEngine(config, config.maxAllocations()).capacityCode(ErrorCode.LIMIT_EXCEEDED);
    }

    /**
     * An allocator over an engine already filled (restored, recovered), with a store plugged in.
     *
     * @param config settings.
     * @param engine the engine, owned by the allocator from now on.
     * @param store  the store, or null for memory only; closed with the allocator.
     * @return the allocator.
     */
    public static EngineIpam over(final IpamConfig config, final AllocatorEngine engine, final Store store)
    {
        return new EngineIpam(config, engine, store);
    }

    /**
     * A facade whose commands are applied elsewhere: it validates, encodes and decodes exactly as the local one,
     * and hands every command to the transport (a replicated log's client). {@link #snapshot} sends
     * {@code CAPTURE}, which the transport's writer must answer itself or refuse.
     *
     * @param config    settings (request timeout, limits checked at the edge, clock for the command time).
     * @param transport carries commands and answers; closed with the facade.
     * @return the facade.
     */
    public static EngineIpam remote(final IpamConfig config, final CommandTransport transport)
    {
        return new EngineIpam(config, transport);
    }

    /**
     * @param config     settings.
     * @param maxEntries allocations the engine may hold.
     * @return an empty engine with the configured random source and bulk limit.
     */
    public static AllocatorEngine newEngine(final IpamConfig config, final long maxEntries)
    {
        final AllocatorEngine engine = new AllocatorEngine(config.randomSource().get(), config.maxBulk(), maxEntries);
        // keys are bounded like allocations: each held key has an allocation, each idle one its retention
        engine.keyPolicy(config.requestKeyRetention().toMillis(), config.maxAllocations());
        return engine;
    }

    /**
     * @param snapshot snapshot file.
     * @param config   settings.
     * @return an in-memory allocator holding the snapshot's state.
     */
    public static Ipam fromSnapshot(final Path snapshot, final IpamConfig config)
    {
        final SnapshotData data = SnapshotCodec.read(snapshot);
        final AllocatorEngine engine = memoryEngine(config);
        data.restoreInto(engine);
        return new EngineIpam(config, engine, null);
    }

    /**
     * @return the local writer (tests and benchmarks reach it through this), or null for a {@link #remote} facade.
     */
    public WriterExecutor executor()
    {
        return local;
    }

    // ----------------------------------------------------------------------------------------------------------
    // encode and await
    // ----------------------------------------------------------------------------------------------------------

    private void checkOpen()
    {
        if (root.closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    private static <T> T nonNull(final T value, final String what)
    {
        if (value == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        return value;
    }

    private long now()
    {
        try
        {
            return config.clock().time();
        }
        catch (final Throwable t)
        {
            throw new IpamException(ErrorCode.INTERNAL, "the configured clock failed: " + t, t);
        }
    }

    /**
     * A subnet as the edge knows it: its handle, CIDR and tenant, all fixed for the subnet's life.
     */
    private static final class SubnetRef
    {
        final String id;
        final int handle;
        final Cidr cidr;
        final String tenant;

        SubnetRef(final String id, final int handle, final Cidr cidr, final String tenant)
        {
            this.id = id;
            this.handle = handle;
            this.cidr = cidr;
            this.tenant = tenant;
        }
    }

    /**
     * The subnet as this facade may see it: a view sees its own tenant's subnets only (a handle never changes
     * tenant, so the check cannot race; a cached reference of another tenant is checked once more with the
     * writer, in case the id was deleted and created again).
     */
    private SubnetRef ref(final String subnetId)
    {
        nonNull(subnetId, "subnet id");
        SubnetRef ref = handles.get(subnetId);
        if (ref == null)
        {
            ref = resolve(subnetId);
        }
        if (scope != null && !scope.equals(ref.tenant))
        {
            ref = resolve(subnetId);
            if (!scope.equals(ref.tenant))
            {
                throw ErrorMessages.notFound(subnetId);
            }
        }
        return ref;
    }

    /**
     * Ask the writer for a subnet's handle (a cache miss, or a cached handle the writer no longer knows).
     */
    private SubnetRef resolve(final String subnetId)
    {
        SubnetRules.checkId(subnetId, "subnet id");
        final Reply r = begin(MessageTypes.RESOLVE_SUBNET);
        final Wire w = wire().writeTo(r.command, CommandHeader.LENGTH).putString(subnetId);
        run(r, w);
        try
        {
            if (r.code != CommandAdapter.FOUND)
            {
                handles.remove(subnetId);
                throw ErrorMessages.notFound(subnetId);
            }
            final Wire in = wire().readFrom(r.payload, 0, r.payloadLength);
            final Cidr cidr = in.getCidr();
            final SubnetRef ref = new SubnetRef(subnetId, (int)r.value, cidr, in.getString());
            handles.put(subnetId, ref);
            return ref;
        }
        finally
        {
            executor.release(r);
        }
    }

    private Wire wire()
    {
        return wires.get();
    }

    private Reply begin(final int type)
    {
        checkOpen();
        final long time = now();
        final Reply r = executor.acquire();
        r.type = type;
        r.command.putLong(CommandHeader.TIME_OFFSET, time);
        return r;
    }

    private void run(final Reply r, final Wire w)
    {
        r.commandLength = w.position();
        executor.execute(r);
    }

    private Reply hot(final int type, final SubnetRef ref, final int count, final long address, final UUID owner,
        final AllocationOptions options)
    {
        final Reply r = encodeHot(type, ref, count, address, owner, options);
        executor.execute(r);
        return r;
    }

    private Reply encodeHot(final int type, final SubnetRef ref, final int count, final long address,
        final UUID owner, final AllocationOptions options)
    {
        final Reply r = begin(type);
        final MutableDirectBuffer b = r.command;
        b.putInt(HotCommand.HANDLE_OFFSET, ref == null ? 0 : ref.handle);
        b.putInt(HotCommand.COUNT_OFFSET, count);
        b.putLong(HotCommand.ADDRESS_OFFSET, address);
        b.putLong(HotCommand.OWNER_MSB_OFFSET, owner == null ? 0 : owner.getMostSignificantBits());
        b.putLong(HotCommand.OWNER_LSB_OFFSET, owner == null ? 0 : owner.getLeastSignificantBits());
        r.commandLength = HotCommand.LENGTH;
        r.context = ref; // the answer is read with the CIDR this request was sent with
        if (options != null)
        {
            wrapOptions(r, options);
        }
        return r;
    }

    /**
     * Truly asynchronous over a transport that applies commands elsewhere (a cluster client): the command is sent
     * at once and the future completes on the transport's thread when the answer comes (a stale cached handle is
     * retried on the common pool with the blocking call). The local allocator keeps the interface's default.
     */
    @Override
    public java.util.concurrent.CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        if (local != null)
        {
            return Ipam.super.allocateAsync(subnetId, owner);
        }
        final java.util.concurrent.CompletableFuture<String> f = new java.util.concurrent.CompletableFuture<>();
        try
        {
            checkOpen();
            nonNull(owner, "owner");
            final SubnetRef ref = ref(subnetId);
            final Reply r = encodeHot(MessageTypes.ALLOCATE, ref, 0, 0, owner, null);
            executor.executeAsync(r, answer ->
            {
                if (answer.code == -ErrorCode.SUBNET_NOT_FOUND.value())
                {
                    executor.release(answer);
                    handles.remove(subnetId, ref);
                    java.util.concurrent.ForkJoinPool.commonPool().execute(() -> completeWith(f, subnetId, owner));
                    return;
                }
                try
                {
                    f.complete(allocated(answer, subnetId, owner, ""));
                }
                catch (final RuntimeException ex)
                {
                    f.completeExceptionally(ex);
                }
            });
        }
        catch (final RuntimeException ex)
        {
            f.completeExceptionally(ex);
        }
        return f;
    }

    private void completeWith(final java.util.concurrent.CompletableFuture<String> f, final String subnetId,
        final UUID owner)
    {
        try
        {
            f.complete(allocate(subnetId, owner));
        }
        catch (final RuntimeException ex)
        {
            f.completeExceptionally(ex);
        }
    }

    /**
     * Put an encoded allocation command inside a {@code WITH_OPTIONS} command (see {@link MessageTypes}). Only
     * calls with options come here: the hot path without them is untouched.
     */
    private void wrapOptions(final Reply r, final AllocationOptions options)
    {
        if (options.isNone())
        {
            return;
        }
        ensureTicker();
        final byte[] inner = new byte[r.commandLength];
        r.command.getBytes(0, inner);
        final Wire w = wire().writeTo(r.command, CommandHeader.LENGTH).putString(scope)
            .putString(options.requestKey().orElse(null))
            .putLong(options.lease().map(java.time.Duration::toMillis).orElse(0L)).putInt(r.type);
        r.command.putBytes(w.position(), inner);
        r.commandLength = w.position() + inner.length;
        r.type = MessageTypes.WITH_OPTIONS;
    }

    private static AllocationOptions checkOptions(final AllocationOptions options)
    {
        if (options == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "options is null (use AllocationOptions.none())");
        }
        return options;
    }

    /**
     * A hot command on a subnet, once more with a fresh handle if the cached one was stale (the subnet was
     * deleted and created again under the same id).
     */
    private Reply hotOn(final int type, final String subnetId, final int count, final long address,
        final UUID owner)
    {
        return hotOn(type, subnetId, count, address, owner, null);
    }

    private Reply hotOn(final int type, final String subnetId, final int count, final long address,
        final UUID owner, final AllocationOptions options)
    {
        SubnetRef ref = ref(subnetId);
        Reply r = hot(type, ref, count, address, owner, options);
        if (r.code == -ErrorCode.SUBNET_NOT_FOUND.value())
        {
            executor.release(r);
            handles.remove(subnetId, ref);
            ref = ref(subnetId);
            r = hot(type, ref, count, address, owner, options);
        }
        return r;
    }

    private String message(final Reply r)
    {
        return r.payloadLength == 0 ? null : wire().readFrom(r.payload, 0, r.payloadLength).getString();
    }

    private IpamException addressFailure(final Reply r, final String subnetId, final String what)
    {
        final int code = r.code;
        final String message = code == -ErrorCode.INTERNAL.value() || code == -ErrorCode.CLOSED.value() ||
            code == -ErrorCode.STORE_IO.value() ? message(r) : null;
        if (message != null)
        {
            return new IpamException(ErrorCode.fromValue(-code), message);
        }
        if (code == -ErrorCode.CLOSED.value())
        {
            return new IpamException(ErrorCode.CLOSED, "ipam closed before the request was served");
        }
        return ErrorMessages.address(code, subnetId, what, config.maxBulk(), null);
    }

    /**
     * Read a variable reply: the wire over its payload, or the exception its code stands for.
     */
    private Wire answer(final Reply r)
    {
        if (r.code < 0)
        {
            final String m = message(r);
            throw new IpamException(ErrorCode.fromValue(-r.code), m != null ? m : "request failed");
        }
        return wire().readFrom(r.payload, 0, r.payloadLength);
    }

    private static String format(final Cidr cidr, final long value)
    {
        return cidr.isV6() ? AddressText.formatV6(cidr.address().hi(), value) : AddressText.formatV4(value);
    }

    private long addressValue(final String subnetId, final Cidr cidr, final IpAddress a)
    {
        if (a.isV6() != cidr.isV6() || (a.isV6() && a.hi() != cidr.address().hi()))
        {
            throw new IpamException(ErrorCode.ADDRESS_INVALID, "address " + a + " is not in subnet " + subnetId +
                " (" + cidr + ")");
        }
        return a.lo();
    }

    // ----------------------------------------------------------------------------------------------------------
    // subnets
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        checkOpen();
        final SubnetRules.Plan plan = scoped(SubnetRules.plan(spec));
        checkPoolCount(plan.poolFirst().length);
        if (plan.cooldownMs() > 0)
        {
            ensureTicker();
        }
        final Reply r = begin(MessageTypes.CREATE_SUBNET);
        final Wire w = wire().writeTo(r.command, CommandHeader.LENGTH).putString(plan.id()).putString(plan.tenant())
            .putCidr(plan.cidr()).putAddress(plan.gateway());
        final long[] first = plan.poolFirst();
        final long[] last = plan.poolLast();
        w.putInt(first.length);
        for (int i = 0; i < first.length; i++)
        {
            w.putLong(first[i]).putLong(last[i]);
        }
        w.putByte(plan.strategy().ordinal()).putLong(plan.cooldownMs());
        run(r, w);
        try
        {
            final SubnetInfo info = ReplyCodec.getSubnet(answer(r));
            handles.put(plan.id(), new SubnetRef(plan.id(), (int)r.value, plan.cidr(), plan.tenant()));
            return info;
        }
        finally
        {
            executor.release(r);
        }
    }

    private void checkPoolCount(final int n)
    {
        if (n > config.maxPoolsPerSubnet())
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, n + " pools are over the limit of " +
                config.maxPoolsPerSubnet() + " per subnet (maxPoolsPerSubnet)");
        }
    }

    /**
     * A view creates in its own tenant: a spec without a tenant gets the view's, one naming another is refused.
     */
    private SubnetRules.Plan scoped(final SubnetRules.Plan plan)
    {
        if (scope == null || scope.equals(plan.tenant()))
        {
            return plan;
        }
        if (plan.tenant() != null)
        {
            throw forbidden("the view of tenant " + scope + " cannot create a subnet for tenant " + plan.tenant());
        }
        return SubnetRules.Plan.restored(plan.id(), scope, plan.cidr(), plan.gateway(), plan.poolFirst(),
            plan.poolLast(), plan.strategy()).cooldown(plan.cooldownMs());
    }

    private Wire scoped(final Reply r)
    {
        return wire().writeTo(r.command, CommandHeader.LENGTH).putString(scope);
    }

    /**
     * Run an encoded command and read its answer with a decoder; the slot is given back either way.
     */
    private <T> T request(final Reply r, final Wire w, final Function<Wire, T> decode)
    {
        run(r, w);
        try
        {
            return decode.apply(answer(r));
        }
        finally
        {
            executor.release(r);
        }
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        SubnetRules.checkId(nonNull(subnetId, "subnet id"), "subnet id");
        final Reply r = begin(MessageTypes.SUBNET_INFO);
        return request(r, scoped(r).putString(subnetId), ReplyCodec::getSubnet);
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        final Reply r = begin(MessageTypes.LIST_SUBNETS);
        return Collections.unmodifiableList(request(r, scoped(r), ReplyCodec::getSubnets));
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        SubnetRules.checkId(nonNull(subnetId, "subnet id"), "subnet id");
        final List<IpAddress[]> ranges = SubnetRules.parseRanges(pools);
        checkPoolCount(ranges.size());
        final Reply r = begin(MessageTypes.UPDATE_POOLS);
        final Wire w = scoped(r).putString(subnetId).putInt(ranges.size());
        for (final IpAddress[] range : ranges)
        {
            w.putAddress(range[0]).putAddress(range[1]);
        }
        return request(r, w, ReplyCodec::getSubnet);
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        SubnetRules.checkId(nonNull(subnetId, "subnet id"), "subnet id");
        final IpAddress gateway = gatewayOrNull == null ? null : AddressText.parseAddress(gatewayOrNull, "gateway");
        final Reply r = begin(MessageTypes.UPDATE_GATEWAY);
        return request(r, scoped(r).putString(subnetId).putAddress(gateway), ReplyCodec::getSubnet);
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        deleteSubnet(subnetId, false);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        SubnetRules.checkId(nonNull(subnetId, "subnet id"), "subnet id");
        final Reply r = begin(MessageTypes.DELETE_SUBNET);
        run(r, scoped(r).putString(subnetId).putBoolean(force));
        try
        {
            answer(r);
            handles.remove(subnetId);
        }
        finally
        {
            executor.release(r);
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // addresses
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return allocateAuto(subnetId, owner, MessageTypes.ALLOCATE);
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return allocateAuto(subnetId, owner, MessageTypes.ALLOCATE_NEXT);
    }

    private String allocateAuto(final String subnetId, final UUID owner, final int type)
    {
        checkOpen();
        nonNull(owner, "owner");
        return allocated(hotOn(type, subnetId, 0, 0, owner), subnetId, owner, "");
    }

    @Override
    public String allocate(final String subnetId, final UUID owner, final AllocationOptions options)
    {
        checkOpen();
        nonNull(owner, "owner");
        checkOptions(options);
        return allocated(hotOn(MessageTypes.ALLOCATE, subnetId, 0, 0, owner, options), subnetId, owner, "");
    }

    @Override
    public boolean renew(final String subnetId, final String address, final UUID owner,
        final java.time.Duration lease)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        nonNull(owner, "owner");
        AllocationOptions.checkLease(lease);
        ensureTicker();
        final SubnetRef ref = ref(subnetId);
        final long value = addressValue(subnetId, ref.cidr, a);
        final Reply r = begin(MessageTypes.RENEW);
        run(r, scoped(r).putInt(ref.handle).putLong(value).putLong(owner.getMostSignificantBits())
            .putLong(owner.getLeastSignificantBits()).putLong(lease.toMillis()));
        try
        {
            if (r.code < 0)
            {
                if (r.code == -ErrorCode.SUBNET_NOT_FOUND.value())
                {
                    handles.remove(subnetId, ref);
                }
                throw addressFailure(r, subnetId, "address " + a);
            }
            return r.code == AllocatorEngine.RELEASED;
        }
        finally
        {
            executor.release(r);
        }
    }

    /**
     * The answer to a single allocation: the address formatted with the CIDR of the handle the writer served.
     */
    private String allocated(final Reply r, final String subnetId, final UUID owner, final String what)
    {
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw addressFailure(r, subnetId, what);
            }
            final String address = format(cidrOf(r), r.value);
            if (LOG.isDebugEnabled())
            {
                LOG.debug("allocated {} in {} to {}", address, subnetId, owner);
            }
            return address;
        }
        finally
        {
            executor.release(r);
        }
    }

    /**
     * The CIDR of the subnet a request was sent to: its handle's, captured when it was sent (a handle never changes
     * its CIDR), never looked up again after the answer, when the id may name another subnet.
     */
    private static Cidr cidrOf(final Reply r)
    {
        return ((SubnetRef)r.context).cidr;
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        nonNull(owner, "owner");
        final SubnetRef ref = ref(subnetId);
        final Reply r = hotOn(MessageTypes.ALLOCATE_SPECIFIC, subnetId, 0, addressValue(subnetId, ref.cidr, a),
            owner);
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw addressFailure(r, subnetId, "address " + a);
            }
        }
        finally
        {
            executor.release(r);
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} in {} to {}", a, subnetId, owner);
        }
        return a.toString();
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final long m = AddressText.parseMac(mac);
        nonNull(owner, "owner");
        final Reply r = hotOn(MessageTypes.ALLOCATE_EUI64, subnetId, 0, m, owner);
        if (r.code == -ErrorCode.ADDRESS_INVALID.value())
        {
            final Cidr cidr = cidrOf(r);
            if (!cidr.isV6() || cidr.prefixLength() != 64)
            {
                executor.release(r);
                throw new IpamException(ErrorCode.ADDRESS_INVALID, "EUI-64 needs an IPv6 /64; subnet " + subnetId +
                    " is " + cidr);
            }
        }
        return allocated(r, subnetId, owner, "EUI-64 address of MAC " + mac);
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
        checkOpen();
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
        final Reply r = hotOn(MessageTypes.ALLOCATE_BULK, subnetId, count, 0, owner, options);
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw addressFailure(r, subnetId, "bulk of " + count);
            }
            final Cidr cidr = cidrOf(r);
            final Wire w = wire().readFrom(r.payload, 0, r.payloadLength);
            final int n = w.getCount(8);
            final List<String> result = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                result.add(format(cidr, w.getLong()));
            }
            if (LOG.isDebugEnabled())
            {
                LOG.debug("allocated {} addresses in {} to {}", count, subnetId, owner);
            }
            return Collections.unmodifiableList(result);
        }
        finally
        {
            executor.release(r);
        }
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
        checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        if (checked)
        {
            nonNull(owner, "owner");
        }
        final SubnetRef ref = ref(subnetId);
        final Reply r = hotOn(checked ? MessageTypes.RELEASE_CHECKED : MessageTypes.RELEASE, subnetId, 0,
            addressValue(subnetId, ref.cidr, a), checked ? owner : null);
        final int rc = r.code;
        try
        {
            if (rc < 0)
            {
                throw addressFailure(r, subnetId, "address " + a);
            }
        }
        finally
        {
            executor.release(r);
        }
        if (rc == AllocatorEngine.RELEASED && LOG.isDebugEnabled())
        {
            LOG.debug("released {} in {}", a, subnetId);
        }
        return rc == AllocatorEngine.RELEASED;
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        checkOpen();
        nonNull(owner, "owner");
        final Reply r = begin(MessageTypes.RELEASE_OWNER);
        run(r, scoped(r).putLong(owner.getMostSignificantBits()).putLong(owner.getLeastSignificantBits()));
        final int n = r.code;
        try
        {
            if (n < 0)
            {
                throw addressFailure(r, "", "release of owner " + owner);
            }
        }
        finally
        {
            executor.release(r);
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("released {} addresses of {}", n, owner);
        }
        return n;
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        final SubnetRef ref = ref(subnetId);
        final Reply r = hotOn(MessageTypes.OWNER_OF, subnetId, 0, addressValue(subnetId, ref.cidr, a), null);
        try
        {
            if (r.code < 0)
            {
                throw addressFailure(r, subnetId, "address " + a);
            }
            return r.code == AllocatorEngine.FOUND ? Optional.of(new UUID(r.ownerMsb, r.ownerLsb)) : Optional.empty();
        }
        finally
        {
            executor.release(r);
        }
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        checkOpen();
        nonNull(owner, "owner");
        final Reply r = begin(MessageTypes.ALLOCATIONS_OF);
        run(r, scoped(r).putLong(owner.getMostSignificantBits()).putLong(owner.getLeastSignificantBits()));
        final List<Object[]> raw;
        try
        {
            if (r.code < 0)
            {
                throw addressFailure(r, "", "allocations of owner " + owner);
            }
            final Wire w = wire().readFrom(r.payload, 0, r.payloadLength);
            final int n = w.getCount(37);
            raw = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final String id = w.getString();
                final boolean v6 = w.getBoolean();
                final long hi = w.getLong();
                final long value = w.getLong();
                final Instant time = Instant.ofEpochMilli(w.getLong());
                final long expires = w.getLong();
                raw.add(new Object[] {id, v6 ? AddressText.formatV6(hi, value) : AddressText.formatV4(value), value,
                    time, expires == 0 ? null : Instant.ofEpochMilli(expires)});
            }
        }
        finally
        {
            executor.release(r);
        }
        raw.sort(Comparator.<Object[], String>comparing(x -> (String)x[0])
            .thenComparing((x, y) -> Long.compareUnsigned((Long)x[2], (Long)y[2])));
        final List<Allocation> result = new ArrayList<>(raw.size());
        for (final Object[] x : raw)
        {
            result.add(new Allocation((String)x[0], (String)x[1], owner, (Instant)x[3], (Instant)x[4]));
        }
        return Collections.unmodifiableList(result);
    }

    // ----------------------------------------------------------------------------------------------------------
    // ports and groups
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        return allocatePort(owner, items, AllocationOptions.none());
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items,
        final AllocationOptions options)
    {
        checkOpen();
        checkOptions(options);
        final List<AddressRequest> copy = checkPortRequest(owner, items);
        if (copy.size() > config.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a port request of " + copy.size() +
                " items is over the limit of " + config.maxBulk());
        }
        final List<SubnetRef[]> refs = new ArrayList<>(copy.size());
        for (final AddressRequest item : copy)
        {
            refs.add(itemRefs(item));
        }
        final Reply r = begin(MessageTypes.ALLOCATE_PORT);
        final Wire w;
        try
        {
            w = wire().writeTo(r.command, CommandHeader.LENGTH).putLong(owner.getMostSignificantBits())
                .putLong(owner.getLeastSignificantBits()).putInt(copy.size());
            for (int i = 0; i < copy.size(); i++)
            {
                encodeItem(w, copy.get(i), i, refs.get(i));
            }
        }
        catch (final RuntimeException ex)
        {
            executor.release(r);
            throw ex;
        }
        r.commandLength = w.position();
        if (options != null)
        {
            wrapOptions(r, options);
        }
        executor.execute(r);
        try
        {
            final Wire in = wire().readFrom(r.payload, 0, r.payloadLength);
            if (r.code != AllocatorEngine.OK)
            {
                if (r.code == -ErrorCode.INTERNAL.value() || r.code == -ErrorCode.CLOSED.value() ||
                    r.code == -ErrorCode.STORE_IO.value() || r.code == -ErrorCode.MALFORMED.value())
                {
                    throw addressFailure(r, "", "port request");
                }
                final int failed = in.getInt();
                final int failedHandle = in.getInt();
                final AddressRequest item = copy.get(failed);
                final String subnetId = idOf(refs.get(failed), failedHandle);
                final IpamException cause = ErrorMessages.address(r.code, subnetId,
                    item.kind() == AddressRequest.Kind.SPECIFIC ? "address " + item.value() :
                    item.kind() == AddressRequest.Kind.EUI64 ? "MAC " + item.value() : "", config.maxBulk(), null);
                throw new IpamException(cause.code(), "port request item " + failed + " (" + item + ") failed, " +
                    "nothing was allocated: " + cause.getMessage());
            }
            final int n = in.getCount(21);
            final List<Allocation> result = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final int handle = in.getInt();
                final boolean v6 = in.getBoolean();
                final long hi = in.getLong();
                final long value = in.getLong();
                result.add(new Allocation(idOf(refs.get(i), handle),
                    v6 ? AddressText.formatV6(hi, value) : AddressText.formatV4(value), owner));
            }
            if (LOG.isDebugEnabled())
            {
                LOG.debug("port request of {} allocated {}", owner, result);
            }
            return Collections.unmodifiableList(result);
        }
        finally
        {
            executor.release(r);
        }
    }

    /**
     * The handles of an item's subnets, asked of the writer where not cached: done for every item before the
     * command is encoded, since asking uses this thread's wire.
     */
    private SubnetRef[] itemRefs(final AddressRequest item)
    {
        final List<String> ids = item.subnetIds();
        final SubnetRef[] itemRefs = new SubnetRef[ids.size()];
        for (int g = 0; g < itemRefs.length; g++)
        {
            itemRefs[g] = ref(ids.get(g));
        }
        return itemRefs;
    }

    private void encodeItem(final Wire w, final AddressRequest item, final int i, final SubnetRef[] itemRefs)
    {
        final int kind;
        switch (item.kind())
        {
            case ANY:
                kind = CommandAdapter.PortKinds.ANY;
                break;
            case NEXT:
                kind = CommandAdapter.PortKinds.NEXT;
                break;
            case SPECIFIC:
                kind = CommandAdapter.PortKinds.SPECIFIC;
                break;
            case EUI64:
                kind = CommandAdapter.PortKinds.EUI64;
                break;
            default:
                kind = CommandAdapter.PortKinds.GROUP;
        }
        w.putByte(kind).putInt(itemRefs.length);
        for (final SubnetRef ref : itemRefs)
        {
            w.putInt(ref.handle);
        }
        if (kind == CommandAdapter.PortKinds.SPECIFIC)
        {
            w.putAddress(AddressText.parseAddress(item.value(), "address of item " + i));
        }
        else if (kind == CommandAdapter.PortKinds.EUI64)
        {
            w.putLong(AddressText.parseMac(item.value()));
        }
    }

    private static String idOf(final SubnetRef[] refs, final int handle)
    {
        for (final SubnetRef ref : refs)
        {
            if (ref.handle == handle)
            {
                return ref.id;
            }
        }
        return refs[0].id;
    }

    /**
     * The checks every port request gets before anything is looked up: owner and items present, every item
     * naming at least one subnet, no null anywhere.
     *
     * @param owner owner.
     * @param items items as given.
     * @return a copy of the items.
     */
    static List<AddressRequest> checkPortRequest(final UUID owner, final List<AddressRequest> items)
    {
        nonNull(owner, "owner");
        nonNull(items, "item list");
        final List<AddressRequest> copy = new ArrayList<>(items);
        if (copy.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "a port request needs one or more items");
        }
        for (int i = 0; i < copy.size(); i++)
        {
            final AddressRequest item = nonNull(copy.get(i), "item " + i);
            nonNull(item.subnetIds(), "subnet list of item " + i);
            if (item.subnetIds().isEmpty())
            {
                throw new IpamException(ErrorCode.MALFORMED, "item " + i + " names no subnet");
            }
            for (final String id : item.subnetIds())
            {
                nonNull(id, "subnet id of item " + i);
            }
        }
        return copy;
    }

    // ----------------------------------------------------------------------------------------------------------
    // prefix pools
    // ----------------------------------------------------------------------------------------------------------

    private static List<Cidr> parsePrefixes(final List<String> prefixes)
    {
        nonNull(prefixes, "prefix list");
        final List<Cidr> out = new ArrayList<>(prefixes.size());
        for (final String p : prefixes)
        {
            out.add(AddressText.parseCidr(p, "prefix"));
        }
        return out;
    }

    private static Wire putCidrs(final Wire w, final List<Cidr> cidrs)
    {
        w.putInt(cidrs.size());
        for (final Cidr c : cidrs)
        {
            w.putCidr(c);
        }
        return w;
    }

    private PrefixPoolInfo poolCommand(final Reply r, final Wire w)
    {
        return request(r, w, ReplyCodec::getPool);
    }

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        requireAdmin("createPrefixPool");
        nonNull(spec, "prefix pool spec");
        final String id = SubnetRules.checkId(spec.id(), "pool id");
        final List<Cidr> prefixes = parsePrefixes(spec.prefixes());
        final long quota = spec.quota().isPresent() ? spec.quota().getAsLong() : -1;
        if (spec.quota().isPresent() && quota < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "quota must be 0 or more, was " + quota);
        }
        final Reply r = begin(MessageTypes.CREATE_PREFIX_POOL);
        final Wire w = putCidrs(wire().writeTo(r.command, CommandHeader.LENGTH).putString(id), prefixes)
            .putInt(spec.minPrefixLength()).putInt(spec.maxPrefixLength()).putInt(spec.defaultPrefixLength())
            .putLong(quota);
        return poolCommand(r, w);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return allocatePrefix(poolId, tenant, -1, null);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > 128)
        {
            checkPoolArgs(poolId, tenant);
            throw new IpamException(ErrorCode.PREFIX_LENGTH, "prefix length " + prefixLength + " is out of range");
        }
        return allocatePrefix(poolId, tenant, prefixLength, null);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        nonNull(cidr, "prefix");
        return allocatePrefix(poolId, tenant, -1, cidr);
    }

    private static void checkPoolArgs(final String poolId, final String tenant)
    {
        SubnetRules.checkId(poolId, "pool id");
        nonNull(tenant, "tenant");
        SubnetRules.checkTenant(tenant);
    }

    private String allocatePrefix(final String poolId, final String tenant, final int len, final String cidrText)
    {
        checkOpen();
        checkPoolArgs(poolId, tenant);
        if (scope != null && !scope.equals(tenant))
        {
            throw forbidden("the view of tenant " + scope + " cannot allocate a prefix for tenant " + tenant);
        }
        final Cidr wanted = cidrText == null ? null : AddressText.parseCidr(cidrText, "prefix");
        if (wanted != null && wanted.hostBitsSet())
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + AddressText.quote(cidrText) +
                " has host bits set; did you mean " + wanted.network() + "?");
        }
        final Reply r = begin(MessageTypes.ALLOCATE_PREFIX);
        final Wire w = wire().writeTo(r.command, CommandHeader.LENGTH).putString(poolId).putString(tenant)
            .putInt(len).putBoolean(wanted != null);
        if (wanted != null)
        {
            w.putCidr(wanted);
        }
        run(r, w);
        final String child;
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw ErrorMessages.prefix(r.code, poolId, tenant, wanted == null ? "a child" +
                    (len < 0 ? " of the default length" : " of length /" + len) : "prefix " + wanted, message(r));
            }
            child = wire().readFrom(r.payload, 0, r.payloadLength).getCidr().toString();
        }
        finally
        {
            executor.release(r);
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated prefix {} from {} to tenant {}", child, poolId, tenant);
        }
        return child;
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final Cidr c = AddressText.parseCidr(cidr, "prefix");
        final Reply r = begin(MessageTypes.RELEASE_PREFIX);
        run(r, scoped(r).putString(poolId).putCidr(c));
        try
        {
            if (r.code < 0)
            {
                throw ErrorMessages.prefix(r.code, poolId, null, "prefix " + c, message(r));
            }
            return r.code == AllocatorEngine.RELEASED;
        }
        finally
        {
            executor.release(r);
        }
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        requireAdmin("addPrefixes");
        SubnetRules.checkId(poolId, "pool id");
        final List<Cidr> parsed = parsePrefixes(prefixes);
        final Reply r = begin(MessageTypes.ADD_PREFIXES);
        return poolCommand(r, putCidrs(wire().writeTo(r.command, CommandHeader.LENGTH).putString(poolId), parsed));
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        requireAdmin("removePrefixes");
        SubnetRules.checkId(poolId, "pool id");
        final List<Cidr> parsed = parsePrefixes(prefixes);
        if (parsed.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "no prefix to remove");
        }
        final Reply r = begin(MessageTypes.REMOVE_PREFIXES);
        return poolCommand(r, putCidrs(wire().writeTo(r.command, CommandHeader.LENGTH).putString(poolId), parsed));
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final Reply r = begin(MessageTypes.PREFIX_POOL_INFO);
        return poolCommand(r, wire().writeTo(r.command, CommandHeader.LENGTH).putString(poolId));
    }

    @Override
    public List<String> children(final String poolId)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final Reply r = begin(MessageTypes.CHILDREN);
        return Collections.unmodifiableList(request(r, scoped(r).putString(poolId), ReplyCodec::getStrings));
    }

    // ----------------------------------------------------------------------------------------------------------
    // lifecycle
    // ----------------------------------------------------------------------------------------------------------

    private static final int MAX_CHANGES_PER_CALL = 65_536;

    @Override
    public ReconcileReport reconcile(final Set<UUID> liveOwners, final Duration grace, final boolean dryRun)
    {
        checkOpen();
        nonNull(liveOwners, "live owner set");
        nonNull(grace, "grace");
        if (grace.isNegative())
        {
            throw new IpamException(ErrorCode.MALFORMED, "grace must not be negative, was " + grace);
        }
        final List<UUID> owners = new ArrayList<>(liveOwners);
        final Reply r = begin(MessageTypes.RECONCILE);
        final Wire w;
        try
        {
            w = scoped(r).putLong(grace.toMillis()).putBoolean(dryRun).putInt(owners.size());
            for (final UUID owner : owners)
            {
                nonNull(owner, "live owner");
                w.putLong(owner.getMostSignificantBits()).putLong(owner.getLeastSignificantBits());
            }
        }
        catch (final RuntimeException ex)
        {
            executor.release(r);
            throw ex;
        }
        run(r, w);
        try
        {
            final Wire in = answer(r);
            final int n = in.getCount(45);
            final List<Allocation> released = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final String id = in.getString();
                final boolean v6 = in.getBoolean();
                final long hi = in.getLong();
                final long value = in.getLong();
                final UUID owner = new UUID(in.getLong(), in.getLong());
                final Instant time = Instant.ofEpochMilli(in.getLong());
                released.add(new Allocation(id, v6 ? AddressText.formatV6(hi, value) : AddressText.formatV4(value),
                    owner, time, null));
            }
            if (!dryRun && n > 0)
            {
                LOG.info("reconcile released {} allocation(s) of owners not live", n);
            }
            return new ReconcileReport(released, dryRun);
        }
        finally
        {
            executor.release(r);
        }
    }

    @Override
    public List<Change> changes(final long afterSequence, final int max)
    {
        checkOpen();
        if (afterSequence < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "sequence must be 0 or more, was " + afterSequence);
        }
        if (max < 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "max must be 1 or more, was " + max);
        }
        final Reply r = begin(MessageTypes.CHANGES);
        return Collections.unmodifiableList(request(r,
            scoped(r).putLong(afterSequence).putInt(Math.min(max, MAX_CHANGES_PER_CALL)), ReplyCodec::getChanges));
    }

    @Override
    public List<io.ipam.core.SubnetStats> subnetStats()
    {
        final Reply r = begin(MessageTypes.SUBNET_STATS);
        run(r, scoped(r));
        try
        {
            final Wire w = answer(r);
            final int n = w.getCount(40);
            final List<io.ipam.core.SubnetStats> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final String id = w.getString();
                final String tenant = w.getString();
                final long allocated = w.getLong();
                final java.math.BigInteger free = new java.math.BigInteger(w.getString());
                out.add(new io.ipam.core.SubnetStats(id, tenant, allocated, free, w.getLong(), w.getLong(),
                    w.getLong(), w.getLong()));
            }
            return out;
        }
        finally
        {
            executor.release(r);
        }
    }

    @Override
    public java.util.Map<String, Long> requestCounters()
    {
        return local == null ? java.util.Map.of() : local.counters().snapshot();
    }

    @Override
    public long lastSequence()
    {
        final Reply r = begin(MessageTypes.LAST_SEQUENCE);
        return request(r, scoped(r), in -> r.value);
    }

    // ----------------------------------------------------------------------------------------------------------
    // snapshots
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        requireAdmin("snapshot");
        nonNull(file, "snapshot file");
        final Reply r = begin(MessageTypes.CAPTURE);
        r.commandLength = CommandHeader.LENGTH;
        executor.execute(r);
        final SnapshotCodec.Image image;
        try
        {
            answer(r);
            image = (SnapshotCodec.Image)r.attachment;
        }
        finally
        {
            executor.release(r);
        }
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
        final Thread t = ticker;
        if (t != null)
        {
            java.util.concurrent.locks.LockSupport.unpark(t);
            try
            {
                // a tick in progress finishes (its wait for the writer is bounded by requestTimeout)
                t.join(config.requestTimeout().toMillis() + 5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        try
        {
            executor.close();
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
