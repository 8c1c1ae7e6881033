package io.ipam.core.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
import io.ipam.core.addr.IpAddress;
import io.ipam.core.agent.IpamCounters;
import io.ipam.core.agent.PipelinedExecutor;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.PortRequest;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-safe facade: validates and parses text on the caller's thread, hands primitive requests to the
 * single writer through an {@link EngineExecutor}, and turns result codes into {@link IpamException}s whose
 * messages name the input. Strings are made here, at the edge, never inside the writer.
 */
public class EngineIpam implements Ipam
{
    private static final Logger LOG = LoggerFactory.getLogger(EngineIpam.class);
    private static final int SLOT_POOL_SIZE = 1024;

    protected final IpamConfig config;
    protected final EngineExecutor executor;
    private final ConcurrentHashMap<String, SubnetRef> handles = new ConcurrentHashMap<>();
    private final HotSlots slots;
    private final AtomicLong correlationIds = new AtomicLong();
    private volatile boolean closed;

    /**
     * @param config   settings.
     * @param executor the way to the writer.
     */
    protected EngineIpam(final IpamConfig config, final EngineExecutor executor)
    {
        this(config, slots -> executor);
    }

    /**
     * @param config   settings.
     * @param executor makes the way to the writer, given the reply slots it must serve.
     */
    protected EngineIpam(final IpamConfig config, final Function<HotSlots, EngineExecutor> executor)
    {
        this.config = config;
        this.slots = new HotSlots(SLOT_POOL_SIZE);
        this.executor = executor.apply(slots);
    }

    /**
     * @param config settings.
     * @return an in-memory allocator.
     */
    public static EngineIpam inMemory(final IpamConfig config)
    {
        final AllocatorEngine engine = new AllocatorEngine(config.randomSource().get(), config.maxBulk());
        return new EngineIpam(config, pipelined(engine, config, null));
    }

    /**
     * @param engine     the engine the writer will own.
     * @param config     settings.
     * @param afterBatch run after each batch before replies go out (a durable store's sync), or null.
     * @return a factory of the ring-buffer executor with its allocator agent.
     */
    public static Function<HotSlots, EngineExecutor> pipelined(final AllocatorEngine engine, final IpamConfig config,
        final Runnable afterBatch)
    {
        return slots -> new PipelinedExecutor(engine, slots, config, IpamCounters.create(config.countersDir()),
            afterBatch);
    }

    /**
     * @param config settings.
     * @return an in-memory allocator without a writer thread: callers take turns under a lock (the baseline the
     * pipeline is measured against; also for embedders that want no extra thread).
     */
    public static Ipam locked(final IpamConfig config)
    {
        final AllocatorEngine engine = new AllocatorEngine(config.randomSource().get(), config.maxBulk());
        return new EngineIpam(config, new LockedExecutor(engine));
    }

    /**
     * @return the executor (tests and benchmarks reach the agent through it).
     */
    public EngineExecutor executor()
    {
        return executor;
    }

    /**
     * @param snapshot snapshot file.
     * @param config   settings.
     * @return an in-memory allocator holding the snapshot's state.
     */
    public static Ipam fromSnapshot(final Path snapshot, final IpamConfig config)
    {
        return fromData(SnapshotCodec.read(snapshot), config);
    }

    /**
     * @param data   snapshot data.
     * @param config settings.
     * @return an in-memory allocator holding the data.
     */
    static EngineIpam fromData(final SnapshotData data, final IpamConfig config)
    {
        final AllocatorEngine engine = new AllocatorEngine(config.randomSource().get(), config.maxBulk());
        data.restoreInto(engine);
        final EngineIpam ipam = new EngineIpam(config, pipelined(engine, config, null));
        ipam.refreshHandles();
        return ipam;
    }

    // ----------------------------------------------------------------------------------------------------------
    // edge helpers
    // ----------------------------------------------------------------------------------------------------------

    private void checkOpen()
    {
        if (closed)
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

    /**
     * A subnet as the edge sees it: its handle and CIDR, both fixed for the subnet's life (handles are never
     * reused, so a stale reference is answered {@code SUBNET_NOT_FOUND} by the writer).
     */
    private static final class SubnetRef
    {
        final int handle;
        final Cidr cidr;

        SubnetRef(final int handle, final Cidr cidr)
        {
            this.handle = handle;
            this.cidr = cidr;
        }
    }

    private SubnetRef ref(final String subnetId)
    {
        nonNull(subnetId, "subnet id");
        final SubnetRef ref = handles.get(subnetId);
        if (ref == null)
        {
            SubnetRules.checkId(subnetId, "subnet id");
            throw notFound(subnetId);
        }
        return ref;
    }

    private int handle(final String subnetId)
    {
        return ref(subnetId).handle;
    }

    private static IpamException notFound(final String subnetId)
    {
        return new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " + AddressText.quote(subnetId) + " not found");
    }

    private HotRequest acquire()
    {
        final HotRequest r = slots.acquire();
        r.correlationId = correlationIds.incrementAndGet();
        r.result = 0;
        return r;
    }

    /**
     * Fill a pooled slot with a hot request, run it, and return the slot with its reply; the caller reads the
     * reply and gives the slot back with {@code slots.release}.
     */
    private HotRequest send(final int type, final int handle, final long address, final UUID owner, final long time)
    {
        final HotRequest r = acquire();
        r.type = type;
        r.handle = handle;
        r.address = address;
        r.ownerMsb = owner == null ? 0 : owner.getMostSignificantBits();
        r.ownerLsb = owner == null ? 0 : owner.getLeastSignificantBits();
        r.timeMs = time;
        run(r);
        return r;
    }

    private void run(final HotRequest r)
    {
        try
        {
            executor.execute(r);
        }
        catch (final RuntimeException ex)
        {
            slots.release(r);
            throw ex;
        }
    }

    private <T> T call(final Function<AllocatorEngine, T> command)
    {
        checkOpen();
        return executor.call(command);
    }

    /**
     * Parse an address and check it belongs to the subnet's family; returns the address value.
     */
    private long addressValue(final String subnetId, final IpAddress a)
    {
        final Cidr cidr = ref(subnetId).cidr;
        if (a.isV6() != cidr.isV6() || (a.isV6() && a.hi() != cidr.address().hi()))
        {
            throw new IpamException(ErrorCode.ADDRESS_INVALID, "address " + a + " is not in subnet " + subnetId +
                " (" + cidr + ")");
        }
        return a.lo();
    }

    private IpamException failure(final int rc, final String subnetId, final String what)
    {
        final ErrorCode code = ErrorCode.fromValue(-rc);
        if (code == null)
        {
            return new IpamException(ErrorCode.MALFORMED, "unexpected result " + rc + " for " + what);
        }
        switch (code)
        {
            case SUBNET_NOT_FOUND:
                return notFound(subnetId);
            case EXHAUSTED:
                return new IpamException(code, "subnet " + subnetId + " has no free address in its pools" +
                    (what.isEmpty() ? "" : " for " + what));
            case ADDRESS_INVALID:
                return new IpamException(code, what + " is not a usable address of subnet " + subnetId);
            case ADDRESS_TAKEN:
                return new IpamException(code, what + " is already allocated in subnet " + subnetId);
            case OWNER_MISMATCH:
                return new IpamException(code, what + " in subnet " + subnetId + " belongs to another owner");
            case BULK_TOO_LARGE:
                return new IpamException(code, what + " is over the bulk limit of " + config.maxBulk());
            case STORE_FULL:
                return storeFull();
            default:
                return new IpamException(code, what + " in subnet " + subnetId);
        }
    }

    private static String format(final boolean v6, final long hi, final long value)
    {
        return v6 ? AddressText.formatV6(hi, value) : AddressText.formatV4(value);
    }

    // ----------------------------------------------------------------------------------------------------------
    // subnets
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        checkOpen();
        final SubnetRules.Plan plan = SubnetRules.plan(spec);
        return call(e ->
        {
            final int h = e.createSubnet(plan);
            handles.put(plan.id(), new SubnetRef(h, e.cidr(plan.id())));
            return e.info(plan.id());
        });
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        handle(subnetId);
        return call(e -> e.info(subnetId));
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        return Collections.unmodifiableList(call(AllocatorEngine::subnets));
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        nonNull(subnetId, "subnet id");
        final List<IpAddress[]> ranges = SubnetRules.parseRanges(pools);
        handle(subnetId);
        return call(e -> e.updatePools(subnetId, ranges));
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        nonNull(subnetId, "subnet id");
        final IpAddress gateway = gatewayOrNull == null ? null : AddressText.parseAddress(gatewayOrNull, "gateway");
        handle(subnetId);
        return call(e -> e.updateGateway(subnetId, gateway));
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        deleteSubnet(subnetId, false);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        handle(subnetId);
        call(e ->
        {
            final long released = e.deleteSubnet(subnetId, force);
            handles.remove(subnetId);
            return released;
        });
    }

    // ----------------------------------------------------------------------------------------------------------
    // addresses
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return allocateAuto(subnetId, owner, HotRequest.ALLOCATE);
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return allocateAuto(subnetId, owner, HotRequest.ALLOCATE_NEXT);
    }

    private String allocateAuto(final String subnetId, final UUID owner, final int type)
    {
        checkOpen();
        nonNull(owner, "owner");
        final HotRequest r = send(type, handle(subnetId), 0, owner, config.clock().time());
        final int rc = r.result;
        final long value = r.replyAddress;
        slots.release(r);
        if (rc != AllocatorEngine.OK)
        {
            throw failure(rc, subnetId, "");
        }
        return logged(subnetId, owner, text(subnetId, value));
    }

    private String text(final String subnetId, final long value)
    {
        final Cidr cidr = ref(subnetId).cidr;
        return format(cidr.isV6(), cidr.address().hi(), value);
    }

    private static String logged(final String subnetId, final UUID owner, final String address)
    {
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} in {} to {}", address, subnetId, owner);
        }
        return address;
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final IpAddress a = AddressText.parseAddress(address, "address");
        nonNull(owner, "owner");
        final int h = handle(subnetId);
        final HotRequest r = send(HotRequest.ALLOCATE_SPECIFIC, h, addressValue(subnetId, a), owner,
            config.clock().time());
        final int rc = r.result;
        slots.release(r);
        if (rc != AllocatorEngine.OK)
        {
            throw failure(rc, subnetId, "address " + a);
        }
        return logged(subnetId, owner, a.toString());
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        checkOpen();
        nonNull(subnetId, "subnet id");
        final long m = AddressText.parseMac(mac);
        nonNull(owner, "owner");
        final HotRequest r = send(HotRequest.ALLOCATE_EUI64, handle(subnetId), m, owner, config.clock().time());
        final int rc = r.result;
        final long value = r.replyAddress;
        slots.release(r);
        if (rc == -ErrorCode.ADDRESS_INVALID.value())
        {
            final Cidr cidr = ref(subnetId).cidr;
            if (!cidr.isV6() || cidr.prefixLength() != 64)
            {
                throw new IpamException(ErrorCode.ADDRESS_INVALID, "EUI-64 needs an IPv6 /64; subnet " + subnetId +
                    " is " + cidr);
            }
        }
        if (rc != AllocatorEngine.OK)
        {
            throw failure(rc, subnetId, "EUI-64 address of MAC " + mac);
        }
        return logged(subnetId, owner, text(subnetId, value));
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        checkOpen();
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
        final int h = handle(subnetId);
        final long[] out = new long[count];
        final long time = config.clock().time();
        final long msb = owner.getMostSignificantBits();
        final long lsb = owner.getLeastSignificantBits();
        final int rc = call(e -> e.allocateBulk(h, count, msb, lsb, time, out));
        if (rc != AllocatorEngine.OK)
        {
            throw failure(rc, subnetId, "bulk of " + count);
        }
        final Cidr cidr = ref(subnetId).cidr;
        final List<String> result = new ArrayList<>(count);
        for (final long v : out)
        {
            result.add(format(cidr.isV6(), cidr.address().hi(), v));
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated {} addresses in {} to {}", count, subnetId, owner);
        }
        return Collections.unmodifiableList(result);
    }

    @Override
    public java.util.concurrent.CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        try
        {
            checkOpen();
            nonNull(owner, "owner");
            final SubnetRef ref = ref(subnetId);
            final long msb = owner.getMostSignificantBits();
            final long lsb = owner.getLeastSignificantBits();
            final long time = config.clock().time();
            // the writer returns codes and values only; strings and exceptions are made on the completion thread
            return executor.submit(e -> new long[] {e.allocate(ref.handle, msb, lsb, time), e.lastAddress()})
                .thenApply(r ->
                {
                    if (r[0] != AllocatorEngine.OK)
                    {
                        throw failure((int)r[0], subnetId, "");
                    }
                    return logged(subnetId, owner, format(ref.cidr.isV6(), ref.cidr.address().hi(), r[1]));
                });
        }
        catch (final RuntimeException ex)
        {
            return java.util.concurrent.CompletableFuture.failedFuture(ex);
        }
    }

    @Override
    public java.util.concurrent.CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        try
        {
            checkOpen();
            nonNull(subnetId, "subnet id");
            final IpAddress a = AddressText.parseAddress(address, "address");
            final SubnetRef ref = ref(subnetId);
            final long value = addressValue(subnetId, a);
            return executor.submit(e -> e.release(ref.handle, value)).thenApply(rc ->
            {
                if (rc < 0)
                {
                    throw failure(rc, subnetId, "address " + a);
                }
                return rc == AllocatorEngine.RELEASED;
            });
        }
        catch (final RuntimeException ex)
        {
            return java.util.concurrent.CompletableFuture.failedFuture(ex);
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
        final HotRequest r = send(checked ? HotRequest.RELEASE_CHECKED : HotRequest.RELEASE, handle(subnetId),
            addressValue(subnetId, a), checked ? owner : null, 0);
        final int rc = r.result;
        slots.release(r);
        if (rc < 0)
        {
            throw failure(rc, subnetId, "address " + a);
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
        final long msb = owner.getMostSignificantBits();
        final long lsb = owner.getLeastSignificantBits();
        final int n = call(e -> e.releaseOwner(msb, lsb));
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
        final HotRequest r = send(HotRequest.OWNER_OF, handle(subnetId), addressValue(subnetId, a), null, 0);
        final int rc = r.result;
        final UUID owner = rc == AllocatorEngine.FOUND ? new UUID(r.replyOwnerMsb, r.replyOwnerLsb) : null;
        slots.release(r);
        if (rc < 0)
        {
            throw failure(rc, subnetId, "address " + a);
        }
        return Optional.ofNullable(owner);
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        checkOpen();
        nonNull(owner, "owner");
        final long msb = owner.getMostSignificantBits();
        final long lsb = owner.getLeastSignificantBits();
        final List<Object[]> raw = call(e ->
        {
            final List<Object[]> out = new ArrayList<>();
            e.forEachOfOwner(msb, lsb, (id, v6, hi, value, m, l, t) -> out.add(new Object[] {id, v6, hi, value}));
            return out;
        });
        raw.sort(Comparator.<Object[], String>comparing(x -> (String)x[0])
            .thenComparing((x, y) -> Long.compareUnsigned((Long)x[3], (Long)y[3])));
        final List<Allocation> result = new ArrayList<>(raw.size());
        for (final Object[] x : raw)
        {
            result.add(new Allocation((String)x[0], format((Boolean)x[1], (Long)x[2], (Long)x[3]), owner));
        }
        return Collections.unmodifiableList(result);
    }

    // ----------------------------------------------------------------------------------------------------------
    // ports and groups
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        checkOpen();
        final List<AddressRequest> copy = checkPortRequest(owner, items);
        final PortRequest req = new PortRequest();
        final List<String[]> ids = new ArrayList<>(copy.size());
        for (int i = 0; i < copy.size(); i++)
        {
            final AddressRequest item = copy.get(i);
            ids.add(item.subnetIds().toArray(new String[0]));
            switch (item.kind())
            {
                case ANY:
                    req.any(handle(item.subnetId()));
                    break;
                case NEXT:
                    req.next(handle(item.subnetId()));
                    break;
                case SPECIFIC:
                {
                    final IpAddress a = AddressText.parseAddress(item.value(), "address of item " + i);
                    req.specific(handle(item.subnetId()), a.isV6(), a.hi(), a.lo());
                    break;
                }
                case EUI64:
                    req.eui64(handle(item.subnetId()), AddressText.parseMac(item.value()));
                    break;
                default:
                {
                    final int[] group = new int[item.subnetIds().size()];
                    for (int g = 0; g < group.length; g++)
                    {
                        group[g] = handle(item.subnetIds().get(g));
                    }
                    req.anyOf(group, group.length);
                }
            }
        }
        final long msb = owner.getMostSignificantBits();
        final long lsb = owner.getLeastSignificantBits();
        final long time = config.clock().time();
        final Object[] outcome = call(e ->
        {
            final int rc = e.allocatePort(req, msb, lsb, time);
            final boolean[] v6 = new boolean[req.count()];
            final long[] hi = new long[req.count()];
            final String[] subnetIds = new String[req.count()];
            if (rc == AllocatorEngine.OK)
            {
                for (int i = 0; i < req.count(); i++)
                {
                    final int h = req.resultHandle(i);
                    v6[i] = e.isV6(h);
                    hi[i] = e.subnetHigh(h);
                }
            }
            return new Object[] {rc, v6, hi, subnetIds};
        });
        final int rc = (Integer)outcome[0];
        if (rc != AllocatorEngine.OK)
        {
            final int failed = req.failedItem();
            final AddressRequest item = copy.get(failed);
            final String subnetId = subnetIdOf(ids.get(failed), req.failedHandle());
            final IpamException cause = failure(rc, subnetId, item.kind() == AddressRequest.Kind.SPECIFIC ?
                "address " + item.value() : item.kind() == AddressRequest.Kind.EUI64 ? "MAC " + item.value() : "");
            throw new IpamException(cause.code(), "port request item " + failed + " (" + item + ") failed, " +
                "nothing was allocated: " + cause.getMessage());
        }
        final boolean[] v6 = (boolean[])outcome[1];
        final long[] hi = (long[])outcome[2];
        final List<Allocation> result = new ArrayList<>(req.count());
        for (int i = 0; i < req.count(); i++)
        {
            final String subnetId = subnetIdOf(ids.get(i), req.resultHandle(i));
            result.add(new Allocation(subnetId, format(v6[i], hi[i], req.resultAddress(i)), owner));
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("port request of {} allocated {}", owner, result);
        }
        return Collections.unmodifiableList(result);
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

    private String subnetIdOf(final String[] ids, final int handle)
    {
        for (final String id : ids)
        {
            final SubnetRef ref = handles.get(id);
            if (ref != null && ref.handle == handle)
            {
                return id;
            }
        }
        return ids[0];
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

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        checkOpen();
        nonNull(spec, "prefix pool spec");
        final String id = SubnetRules.checkId(spec.id(), "pool id");
        final List<Cidr> prefixes = parsePrefixes(spec.prefixes());
        final long quota = spec.quota().isPresent() ? spec.quota().getAsLong() : -1;
        if (spec.quota().isPresent() && quota < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "quota must be 0 or more, was " + quota);
        }
        return call(e -> e.prefixPools().create(id, prefixes, spec.minPrefixLength(), spec.maxPrefixLength(),
            spec.defaultPrefixLength(), quota));
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
        final Cidr wanted = cidrText == null ? null : AddressText.parseCidr(cidrText, "prefix");
        if (wanted != null && wanted.hostBitsSet())
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + AddressText.quote(cidrText) +
                " has host bits set; did you mean " + wanted.network() + "?");
        }
        final Object[] outcome = call(e ->
        {
            final int rc = wanted == null ? e.prefixPools().allocate(poolId, tenant, len) :
                e.prefixPools().allocate(poolId, tenant, wanted);
            return new Object[] {rc, rc == AllocatorEngine.OK ? e.prefixPools().lastPrefix() : null};
        });
        final int rc = (Integer)outcome[0];
        if (rc != AllocatorEngine.OK)
        {
            throw prefixFailure(rc, poolId, tenant, wanted == null ? "a child" +
                (len < 0 ? " of the default length" : " of length /" + len) : "prefix " + wanted);
        }
        final String child = outcome[1].toString();
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated prefix {} from {} to tenant {}", child, poolId, tenant);
        }
        return child;
    }

    private static IpamException storeFull()
    {
        return new IpamException(ErrorCode.STORE_FULL, "the store is at its configured capacity; grow it by " +
            "snapshot and restore into a store with a larger storeCapacity (see the README)");
    }

    private static IpamException prefixFailure(final int rc, final String poolId, final String tenant,
        final String what)
    {
        final ErrorCode code = ErrorCode.fromValue(-rc);
        switch (code)
        {
            case POOL_NOT_FOUND:
                return new IpamException(code, "prefix pool " + AddressText.quote(poolId) + " not found");
            case PREFIX_LENGTH:
                return new IpamException(code, what + " is outside the lengths allowed by pool " + poolId);
            case QUOTA_EXCEEDED:
                return new IpamException(code, what + " would put tenant " + tenant + " over its quota in pool " +
                    poolId);
            case EXHAUSTED:
                return new IpamException(code, "pool " + poolId + " has no free block for " + what);
            case PREFIX_UNAVAILABLE:
                return new IpamException(code, what + " is not wholly free in pool " + poolId);
            case CIDR_INVALID:
                return new IpamException(code, what + " is of another family than pool " + poolId);
            case STORE_FULL:
                return storeFull();
            default:
                return new IpamException(code, what + " in pool " + poolId);
        }
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final Cidr c = AddressText.parseCidr(cidr, "prefix");
        final int rc = call(e -> e.prefixPools().release(poolId, c));
        if (rc < 0)
        {
            throw prefixFailure(rc, poolId, null, "prefix " + c);
        }
        return rc == AllocatorEngine.RELEASED;
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final List<Cidr> parsed = parsePrefixes(prefixes);
        return call(e -> e.prefixPools().addPrefixes(poolId, parsed));
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final List<Cidr> parsed = parsePrefixes(prefixes);
        if (parsed.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "no prefix to remove");
        }
        return call(e -> e.prefixPools().removePrefixes(poolId, parsed));
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        return call(e -> e.prefixPools().info(poolId));
    }

    @Override
    public List<String> children(final String poolId)
    {
        checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        return Collections.unmodifiableList(call(e -> e.prefixPools().children(poolId)));
    }

    // ----------------------------------------------------------------------------------------------------------
    // snapshots and lifecycle
    // ----------------------------------------------------------------------------------------------------------

    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        checkOpen();
        nonNull(file, "snapshot file");
        final long takenAt = config.clock().time();
        final SnapshotCodec.Image image = call(e -> SnapshotCodec.capture(e, takenAt));
        return SnapshotCodec.write(image, file);
    }

    /**
     * Called after an engine has been rebuilt outside the facade (restore, recovery) to learn its handles.
     */
    protected void refreshHandles()
    {
        call(e ->
        {
            handles.clear();
            for (final SubnetInfo s : e.subnets())
            {
                handles.put(s.id(), new SubnetRef(e.handle(s.id()), e.cidr(s.id())));
            }
            return null;
        });
    }

    /**
     * @return true once {@link #close()} has been called.
     */
    protected boolean isClosed()
    {
        return closed;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        executor.close();
    }
}
