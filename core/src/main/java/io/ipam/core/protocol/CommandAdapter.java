package io.ipam.core.protocol;

import java.util.ArrayList;
import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.PortRequest;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SnapshotCodec;
import org.agrona.DirectBuffer;

/**
 * The one place that turns encoded commands into engine calls and engine results into encoded replies; it
 * runs on the writer only. It reads nothing but the command's bytes (time included) and the engine, so the
 * same commands in the same order give the same answers and the same state: the basis of the command log and
 * of replay. Hot commands allocate nothing here.
 * <p>
 * Results: an {@link IpamException} from the engine (a rule broken by an administrative command) becomes an
 * error reply with its code and message; any other {@code Throwable} is left to the caller of
 * {@link #onCommand} (the writer), which answers {@code INTERNAL} and undoes the command.
 */
public final class CommandAdapter
{
    /** Reply code of a query that found something. */
    public static final int FOUND = AllocatorEngine.FOUND;

    private static final AllocationStrategy[] STRATEGIES = AllocationStrategy.values();
    private static final int KIND_ANY = 0;
    private static final int KIND_NEXT = 1;
    private static final int KIND_SPECIFIC = 2;
    private static final int KIND_EUI64 = 3;
    private static final int KIND_GROUP = 4;

    private final AllocatorEngine engine;
    private final io.ipam.core.engine.ChangeFeed feed;
    private final int maxSubnets;
    private final int maxPoolsPerSubnet;
    private final Wire in = new Wire();
    private final Wire out = new Wire();
    // keyed requests: a second reader and writer (in and out are in use then) and a buffer for kept answers
    private final Wire scratchIn = new Wire();
    private final Wire scratchOut = new Wire();
    private final org.agrona.ExpandableArrayBuffer keptAnswer = new org.agrona.ExpandableArrayBuffer(64);
    private final org.agrona.concurrent.UnsafeBuffer keptView = new org.agrona.concurrent.UnsafeBuffer(new byte[0]);
    private final PortRequest port = new PortRequest();
    private long[] bulk = new long[64];
    private int[] group = new int[8];

    /**
     * An adapter with the default limits.
     *
     * @param engine the engine this adapter drives (writer's thread only).
     */
    public CommandAdapter(final AllocatorEngine engine)
    {
        this(engine, io.ipam.core.IpamConfig.defaults(), null);
    }

    /**
     * @param engine the engine this adapter drives (writer's thread only).
     * @param config the limits it enforces ({@code maxSubnets}, {@code maxPoolsPerSubnet}); a replay must use the
     *               same ones as the run it replays.
     * @param feed   the change feed in the engine's listener chain, or null: then one is made here and put in
     *               front of the engine's current listener.
     */
    public CommandAdapter(final AllocatorEngine engine, final io.ipam.core.IpamConfig config,
        final io.ipam.core.engine.ChangeFeed feed)
    {
        this.engine = engine;
        if (feed == null)
        {
            this.feed = new io.ipam.core.engine.ChangeFeed(engine, (int)Math.min(Integer.MAX_VALUE - 8,
                config.changeRetention()), engine.listener());
            engine.listener(this.feed);
        }
        else
        {
            this.feed = feed;
        }
        this.maxSubnets = config.maxSubnets();
        this.maxPoolsPerSubnet = config.maxPoolsPerSubnet();
    }

    private void checkPools(final int n)
    {
        if (n > maxPoolsPerSubnet)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, n + " pools are over the limit of " + maxPoolsPerSubnet +
                " per subnet (maxPoolsPerSubnet)");
        }
    }

    /**
     * @return the engine.
     */
    public AllocatorEngine engine()
    {
        return engine;
    }

    /**
     * Apply one command and fill its reply.
     *
     * @param type   type id.
     * @param buffer buffer holding the command.
     * @param offset where its header starts.
     * @param length its length, header included.
     * @param reply  where the answer goes.
     */
    public void onCommand(final int type, final DirectBuffer buffer, final int offset, final int length,
        final Reply reply)
    {
        final long time = buffer.getLong(offset + CommandHeader.TIME_OFFSET);
        engine.advance(time);
        feed.begin(time, io.ipam.core.ChangeKind.RELEASED, type == MessageTypes.CREATE_SUBNET, null);
        // leases that ran out go first, a bounded number per command (the ticker does the rest)
        engine.expireDue(EXPIRE_PER_COMMAND);
        if (MessageTypes.isHot(type))
        {
            if (length < HotCommand.LENGTH)
            {
                reply.error(ErrorCode.MALFORMED.value(), "command " + MessageTypes.name(type) + " is " + length +
                    " bytes, shorter than " + HotCommand.LENGTH, out);
                return;
            }
            onHot(type, buffer, offset, time, reply);
            return;
        }
        in.readFrom(buffer, offset + CommandHeader.LENGTH, length - CommandHeader.LENGTH);
        try
        {
            if (type == MessageTypes.WITH_OPTIONS)
            {
                withOptions(buffer, offset + length, time, reply);
                return;
            }
            onVariable(type, time, reply);
        }
        catch (final IpamException ex)
        {
            reply.error(ex.code().value(), ex.reason(), out);
        }
    }

    private void onHot(final int type, final DirectBuffer b, final int offset, final long time, final Reply reply)
    {
        final int handle = b.getInt(offset + HotCommand.HANDLE_OFFSET);
        final long address = b.getLong(offset + HotCommand.ADDRESS_OFFSET);
        final long msb = b.getLong(offset + HotCommand.OWNER_MSB_OFFSET);
        final long lsb = b.getLong(offset + HotCommand.OWNER_LSB_OFFSET);
        final int rc;
        switch (type)
        {
            case MessageTypes.ALLOCATE:
                rc = engine.allocate(handle, msb, lsb, time);
                break;
            case MessageTypes.ALLOCATE_NEXT:
                rc = engine.allocateNext(handle, msb, lsb, time);
                break;
            case MessageTypes.ALLOCATE_SPECIFIC:
                rc = engine.allocateSpecific(handle, address, msb, lsb, time);
                break;
            case MessageTypes.ALLOCATE_EUI64:
                rc = engine.allocateEui64(handle, address, msb, lsb, time);
                break;
            case MessageTypes.RELEASE:
                rc = engine.release(handle, address);
                break;
            case MessageTypes.RELEASE_CHECKED:
                rc = engine.release(handle, address, msb, lsb);
                break;
            case MessageTypes.OWNER_OF:
                rc = engine.ownerOf(handle, address);
                if (rc == AllocatorEngine.FOUND)
                {
                    reply.ownerMsb = engine.lastOwnerMsb();
                    reply.ownerLsb = engine.lastOwnerLsb();
                    reply.timeMs = engine.lastTime();
                }
                break;
            default: // ALLOCATE_BULK
                rc = allocateBulk(handle, b.getInt(offset + HotCommand.COUNT_OFFSET), msb, lsb, time, reply);
        }
        reply.code = rc;
        if (rc == AllocatorEngine.OK && type <= MessageTypes.ALLOCATE_EUI64)
        {
            reply.value = engine.lastAddress();
        }
    }

    private int allocateBulk(final int handle, final int count, final long msb, final long lsb, final long time,
        final Reply reply)
    {
        if (count > 0 && count <= engine.maxBulk() && bulk.length < count)
        {
            bulk = new long[Math.max(count, bulk.length * 2)];
        }
        final int rc = engine.allocateBulk(handle, count, msb, lsb, time, bulk);
        if (rc == AllocatorEngine.OK)
        {
            out.writeTo(reply.payload, 0).putInt(count);
            for (int i = 0; i < count; i++)
            {
                out.putLong(bulk[i]);
            }
            reply.payloadLength = out.position();
        }
        return rc;
    }

    private void allocationsOf(final Reply reply)
    {
        final String scope = in.getString();
        final long msb = in.getLong();
        final long lsb = in.getLong();
        out.writeTo(reply.payload, 4);
        final int[] n = new int[1];
        final java.util.function.Predicate<String> inScope = scopeFilter(scope);
        engine.forEachOfOwner(msb, lsb, (id, v6, hi, value, m, l, t) ->
        {
            if (inScope.test(id))
            {
                out.putString(id).putBoolean(v6).putLong(hi).putLong(value).putLong(t)
                    .putLong(engine.lastExpiresAt());
                n[0]++;
            }
        });
        reply.payload.putInt(0, n[0]);
        reply.payloadLength = out.position();
        reply.code = n[0];
    }

    private void releaseOwner(final Reply reply)
    {
        final String scope = in.getString();
        final long msb = in.getLong();
        final long lsb = in.getLong();
        if (scope == null)
        {
            reply.code = engine.releaseOwner(msb, lsb);
            return;
        }
        // a view frees what the owner holds in its own tenant's subnets only
        final List<String> ids = new ArrayList<>();
        final List<Long> values = new ArrayList<>();
        final java.util.function.Predicate<String> inScope = scopeFilter(scope);
        engine.forEachOfOwner(msb, lsb, (id, v6, hi, value, m, l, t) ->
        {
            if (inScope.test(id))
            {
                ids.add(id);
                values.add(value);
            }
        });
        int released = 0;
        for (int i = 0; i < ids.size(); i++)
        {
            if (engine.release(engine.handle(ids.get(i)), values.get(i)) == AllocatorEngine.RELEASED)
            {
                released++;
            }
        }
        reply.code = released;
    }

    /**
     * @param scope a view's tenant, or null for the whole allocator.
     * @return whether a subnet id is in the scope (each subnet's tenant looked up once per command).
     */
    private java.util.function.Predicate<String> scopeFilter(final String scope)
    {
        if (scope == null)
        {
            return id -> true;
        }
        final java.util.Map<String, Boolean> seen = new java.util.HashMap<>();
        return id -> seen.computeIfAbsent(id, x -> scope.equals(engine.tenantOf(x)));
    }

    /**
     * The subnet id read next, checked to be in the scope: another tenant's subnet does not exist for a view.
     */
    private String scopedSubnet(final String scope)
    {
        final String id = in.getString();
        if (scope != null && engine.handle(id) != AllocatorEngine.NO_HANDLE && !scope.equals(engine.tenantOf(id)))
        {
            throw new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " +
                io.ipam.core.addr.AddressText.quote(id) + " not found");
        }
        return id;
    }

    private void onVariable(final int type, final long time, final Reply reply)
    {
        switch (type)
        {
            case MessageTypes.ALLOCATE_PORT:
                allocatePort(time, reply);
                break;
            case MessageTypes.CREATE_SUBNET:
                createSubnet(reply);
                break;
            case MessageTypes.RELEASE_OWNER:
                releaseOwner(reply);
                break;
            case MessageTypes.ALLOCATIONS_OF:
                allocationsOf(reply);
                break;
            case MessageTypes.SUBNET_INFO:
                subnet(reply, engine.info(scopedSubnet(in.getString())));
                break;
            case MessageTypes.LIST_SUBNETS:
            {
                final String scope = in.getString();
                final List<SubnetInfo> all = engine.subnets();
                final List<SubnetInfo> list = scope == null ? all : new ArrayList<>();
                if (scope != null)
                {
                    for (final SubnetInfo info : all)
                    {
                        if (scope.equals(info.tenant().orElse(null)))
                        {
                            list.add(info);
                        }
                    }
                }
                ReplyCodec.putSubnets(out.writeTo(reply.payload, 0), list);
                reply.payloadLength = out.position();
                break;
            }
            case MessageTypes.UPDATE_POOLS:
            {
                final String id = scopedSubnet(in.getString());
                final int n = in.getCount(34);
                checkPools(n);
                final List<IpAddress[]> ranges = new ArrayList<>(n);
                for (int i = 0; i < n; i++)
                {
                    ranges.add(new IpAddress[] {in.getAddress(), in.getAddress()});
                }
                subnet(reply, engine.updatePools(id, ranges));
                break;
            }
            case MessageTypes.UPDATE_GATEWAY:
            {
                final String id = scopedSubnet(in.getString());
                subnet(reply, engine.updateGateway(id, in.getAddress()));
                break;
            }
            case MessageTypes.DELETE_SUBNET:
            {
                final String id = scopedSubnet(in.getString());
                feed.begin(time, io.ipam.core.ChangeKind.RELEASED, false, engine.tenantOf(id));
                reply.value = engine.deleteSubnet(id, in.getBoolean());
                break;
            }
            case MessageTypes.RESOLVE_SUBNET:
                resolve(reply);
                break;
            case MessageTypes.CREATE_PREFIX_POOL:
            {
                final String id = in.getString();
                final List<Cidr> prefixes = cidrs();
                final int min = in.getInt();
                final int max = in.getInt();
                final int def = in.getInt();
                final long quota = in.getLong();
                pool(reply, engine.prefixPools().create(id, prefixes, min, max, def, quota));
                break;
            }
            case MessageTypes.ALLOCATE_PREFIX:
                allocatePrefix(reply);
                break;
            case MessageTypes.RELEASE_PREFIX:
            {
                final String scope = in.getString();
                final String id = in.getString();
                final Cidr child = in.getCidr();
                feed.begin(time, io.ipam.core.ChangeKind.RELEASED, false, engine.prefixPools().holder(id, child));
                reply.code = engine.prefixPools().release(id, child, scope);
                break;
            }
            case MessageTypes.ADD_PREFIXES:
            {
                final String id = in.getString();
                pool(reply, engine.prefixPools().addPrefixes(id, cidrs()));
                break;
            }
            case MessageTypes.REMOVE_PREFIXES:
            {
                final String id = in.getString();
                pool(reply, engine.prefixPools().removePrefixes(id, cidrs()));
                break;
            }
            case MessageTypes.PREFIX_POOL_INFO:
                pool(reply, engine.prefixPools().info(in.getString()));
                break;
            case MessageTypes.CHILDREN:
            {
                final String scope = in.getString();
                ReplyCodec.putStrings(out.writeTo(reply.payload, 0),
                    engine.prefixPools().children(in.getString(), scope));
                reply.payloadLength = out.position();
                break;
            }
            case MessageTypes.RECONCILE:
                reconcile(time, reply);
                break;
            case MessageTypes.RENEW:
            {
                final String scope = in.getString();
                final int handle = in.getInt();
                final long address = in.getLong();
                final long msb = in.getLong();
                final long lsb = in.getLong();
                final long leaseMs = in.getLong();
                checkScope(scope, handle);
                if (leaseMs <= 0 || leaseMs > MAX_LEASE_MS)
                {
                    throw new IpamException(ErrorCode.MALFORMED, "lease must be 1 ms to 100 years, was " +
                        leaseMs + " ms");
                }
                reply.code = engine.renew(handle, address, msb, lsb, leaseMs);
                reply.value = engine.lastExpiresAt();
                break;
            }
            case MessageTypes.SUBNET_STATS:
            {
                final String scope = in.getString();
                engine.sweepDue();
                final List<SubnetInfo> all = engine.subnets();
                out.writeTo(reply.payload, 4);
                int n = 0;
                for (final SubnetInfo info : all)
                {
                    if (scope != null && !scope.equals(info.tenant().orElse(null)))
                    {
                        continue;
                    }
                    final long[] c = engine.lifecycleCounts(info.id());
                    out.putString(info.id()).putString(info.tenant().orElse(null)).putLong(c[0])
                        .putString(info.free().toString()).putLong(c[2]).putLong(c[3]).putLong(c[4]).putLong(c[5]);
                    n++;
                }
                reply.payload.putInt(0, n);
                reply.payloadLength = out.position();
                break;
            }
            case MessageTypes.TICK:
                reply.value = engine.tick(Math.max(1, in.getInt())) ? 1 : 0;
                break;
            case MessageTypes.CHANGES:
                changes(reply);
                break;
            case MessageTypes.LAST_SEQUENCE:
                reply.value = feed.lastSequence(in.getString());
                break;
            case MessageTypes.CAPTURE:
                reply.attachment = SnapshotCodec.capture(engine, time, feed.lastSequence());
                break;
            default:
                reply.error(ErrorCode.MALFORMED.value(), "unknown command type " + type, out);
        }
    }

    /** Due leases each command expires before its own work. */
    static final int EXPIRE_PER_COMMAND = 64;

    /** Longest lease or cooldown: 100 years. */
    private static final long MAX_LEASE_MS = 36_500L * 86_400_000L;

    /**
     * A view's command on another tenant's subnet: that subnet does not exist for it.
     */
    private void checkScope(final String scope, final int handle)
    {
        final String id = engine.subnetId(handle);
        if (scope != null && id != null && !scope.equals(engine.tenantOf(id)))
        {
            throw new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " +
                io.ipam.core.addr.AddressText.quote(id) + " not found");
        }
    }

    /**
     * An allocation with options (SPEC 9). A key already remembered for this tenant answers with its first answer
     * and allocates nothing (or is MALFORMED when it was used on another request); otherwise the inner command
     * runs with the engine stamping its allocations with the lease and the key, and a success is remembered.
     */
    private void withOptions(final DirectBuffer b, final int end, final long time, final Reply reply)
    {
        final String scope = in.getString();
        final String key = in.getString();
        final long leaseMs = in.getLong();
        final int innerType = in.getInt();
        final int innerOffset = in.position();
        final int innerLength = end - innerOffset;
        if (!(MessageTypes.isHot(innerType) && innerType != MessageTypes.RELEASE &&
            innerType != MessageTypes.RELEASE_CHECKED && innerType != MessageTypes.OWNER_OF ||
            innerType == MessageTypes.ALLOCATE_PORT))
        {
            throw new IpamException(ErrorCode.MALFORMED, "options apply to allocations only, not to " +
                MessageTypes.name(innerType));
        }
        if (innerLength < (innerType == MessageTypes.ALLOCATE_PORT ? CommandHeader.LENGTH + 20 : HotCommand.LENGTH))
        {
            throw new IpamException(ErrorCode.MALFORMED, "the command inside WITH_OPTIONS is " + innerLength +
                " bytes, too short for " + MessageTypes.name(innerType));
        }
        if (leaseMs < 0 || leaseMs > MAX_LEASE_MS)
        {
            throw new IpamException(ErrorCode.MALFORMED, "lease must be 1 ms to 100 years, was " + leaseMs + " ms");
        }
        final int firstHandle = innerType == MessageTypes.ALLOCATE_PORT ?
            (innerLength >= CommandHeader.LENGTH + 29 ? b.getInt(innerOffset + CommandHeader.LENGTH + 25) : -1) :
            b.getInt(innerOffset + HotCommand.HANDLE_OFFSET);
        if (innerType != MessageTypes.ALLOCATE_PORT)
        {
            checkScope(scope, firstHandle);
        }
        io.ipam.core.engine.RequestKeys.Key k = null;
        if (key != null)
        {
            io.ipam.core.AllocationOptions.checkKey(key);
            final String firstId = engine.subnetId(firstHandle);
            final String tenant = scope != null ? scope : firstId == null ? null : engine.tenantOf(firstId);
            final long fingerprint = fingerprint(b, innerType, innerOffset, end, leaseMs);
            final io.ipam.core.engine.RequestKeys.Key seen = engine.findKey(tenant, key);
            if (seen != null)
            {
                if (seen.fingerprint != fingerprint)
                {
                    throw new IpamException(ErrorCode.MALFORMED, "request key " + key +
                        " was used for a different request" + (tenant == null ? "" : " of tenant " + tenant));
                }
                reply.code = seen.code();
                reply.value = seen.value();
                final byte[] payload = seen.payload();
                if (innerType == MessageTypes.ALLOCATE_PORT)
                {
                    portAnswerWithHandles(payload, reply);
                }
                else
                {
                    reply.payload.putBytes(0, payload);
                    reply.payloadLength = payload.length;
                }
                return;
            }
            if (!engine.keys().hasRoom())
            {
                throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "the allocator remembers its limit of " +
                    engine.keys().size() + " request keys");
            }
            k = engine.beginKey(tenant, key, fingerprint);
        }
        engine.options(k, leaseMs);
        try
        {
            onCommand(innerType, b, innerOffset, innerLength, reply);
        }
        catch (final Throwable t)
        {
            engine.clearOptions();
            if (k != null)
            {
                engine.abortKey(k);
            }
            throw t;
        }
        engine.clearOptions();
        if (k != null)
        {
            if (reply.code >= 0)
            {
                final byte[] payload;
                if (innerType == MessageTypes.ALLOCATE_PORT)
                {
                    payload = portAnswerWithIds(reply);
                }
                else
                {
                    payload = new byte[reply.payloadLength];
                    reply.payload.getBytes(0, payload);
                }
                engine.commitKey(k, reply.code, reply.value, payload);
            }
            else
            {
                engine.abortKey(k);
            }
        }
    }

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private static long mix(final long h, final long v)
    {
        long x = h;
        for (int i = 0; i < 8; i++)
        {
            x = (x ^ ((v >>> (i * 8)) & 0xFF)) * FNV_PRIME;
        }
        return x;
    }

    private long mixSubnet(final long h, final int handle)
    {
        final String id = engine.subnetId(handle);
        if (id == null)
        {
            return mix(h, handle);
        }
        long x = mix(h, id.length());
        for (int i = 0; i < id.length(); i++)
        {
            x = (x ^ id.charAt(i)) * FNV_PRIME;
        }
        return x;
    }

    /**
     * A 64-bit FNV-1a hash of what makes a request this request: its type, subnets (by id: handles are numbered
     * again when a store is reopened or a snapshot restored), owner, address, count or items, and its lease. The
     * header (time, correlation) is left out.
     */
    private long fingerprint(final DirectBuffer b, final int type, final int inner, final int end, final long leaseMs)
    {
        long h = mix(mix(FNV_OFFSET, type), leaseMs);
        if (type != MessageTypes.ALLOCATE_PORT)
        {
            h = mixSubnet(h, b.getInt(inner + HotCommand.HANDLE_OFFSET));
            h = mix(h, b.getInt(inner + HotCommand.COUNT_OFFSET));
            h = mix(h, b.getLong(inner + HotCommand.ADDRESS_OFFSET));
            h = mix(h, b.getLong(inner + HotCommand.OWNER_MSB_OFFSET));
            return mix(h, b.getLong(inner + HotCommand.OWNER_LSB_OFFSET));
        }
        final Wire w = scratchIn.readFrom(b, inner + CommandHeader.LENGTH, end - inner - CommandHeader.LENGTH);
        h = mix(mix(h, w.getLong()), w.getLong());
        final int n = w.getCount(6);
        h = mix(h, n);
        for (int i = 0; i < n; i++)
        {
            final int kind = w.getByte();
            final int handles = w.getCount(4);
            h = mix(mix(h, kind), handles);
            for (int j = 0; j < handles; j++)
            {
                h = mixSubnet(h, w.getInt());
            }
            if (kind == KIND_SPECIFIC)
            {
                final IpAddress a = w.getAddress();
                h = a == null ? mix(h, 0) : mix(mix(h, a.hi()), a.lo());
            }
            else if (kind == KIND_EUI64)
            {
                h = mix(h, w.getLong());
            }
        }
        return h;
    }

    /**
     * A port answer as a key keeps it: subnet ids instead of handles (count, then id, v6, hi, value per item).
     */
    private byte[] portAnswerWithIds(final Reply reply)
    {
        final Wire r = scratchIn.readFrom(reply.payload, 0, reply.payloadLength);
        final org.agrona.ExpandableArrayBuffer buf = keptAnswer;
        final Wire w = scratchOut.writeTo(buf, 0);
        final int n = r.getInt();
        w.putInt(n);
        for (int i = 0; i < n; i++)
        {
            w.putString(engine.subnetId(r.getInt())).putBoolean(r.getBoolean()).putLong(r.getLong())
                .putLong(r.getLong());
        }
        final byte[] bytes = new byte[w.position()];
        buf.getBytes(0, bytes);
        return bytes;
    }

    /**
     * A kept port answer as the reply carries it, with the subnets' handles of now.
     */
    private void portAnswerWithHandles(final byte[] kept, final Reply reply)
    {
        keptView.wrap(kept);
        final Wire r = scratchIn.readFrom(keptView, 0, kept.length);
        out.writeTo(reply.payload, 0);
        final int n = r.getInt();
        out.putInt(n);
        for (int i = 0; i < n; i++)
        {
            out.putInt(engine.handle(r.getString())).putBoolean(r.getBoolean()).putLong(r.getLong())
                .putLong(r.getLong());
        }
        reply.payloadLength = out.position();
    }

    private void changes(final Reply reply)
    {
        final String scope = in.getString();
        final long after = in.getLong();
        final int max = in.getInt();
        if (after < feed.firstSequence() - 1)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "changes after " + after + " are no longer kept; the " +
                "oldest kept is " + feed.firstSequence() + " (changeRetention)");
        }
        ReplyCodec.putChanges(out.writeTo(reply.payload, 0), feed.changes(after, max, scope));
        reply.payloadLength = out.position();
        reply.value = feed.lastSequence();
    }

    private void reconcile(final long time, final Reply reply)
    {
        final String scope = in.getString();
        final long graceMs = in.getLong();
        final boolean dryRun = in.getBoolean();
        final int n = in.getCount(16);
        final java.util.Set<java.util.UUID> live = new java.util.HashSet<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++)
        {
            live.add(new java.util.UUID(in.getLong(), in.getLong()));
        }
        final long cutoff = time - graceMs;
        final List<Object[]> found = new ArrayList<>();
        final java.util.function.Predicate<String> inScope = scopeFilter(scope);
        engine.forEachAllocation((id, v6, hi, value, msb, lsb, t) ->
        {
            if (t <= cutoff && !live.contains(new java.util.UUID(msb, lsb)) && inScope.test(id))
            {
                found.add(new Object[] {id, v6, hi, value, msb, lsb, t});
            }
        });
        found.sort((x, y) ->
        {
            final int c = ((String)x[0]).compareTo((String)y[0]);
            return c != 0 ? c : Long.compareUnsigned((Long)x[3], (Long)y[3]);
        });
        if (!dryRun)
        {
            feed.begin(time, io.ipam.core.ChangeKind.RECLAIMED, false, null);
            for (final Object[] f : found)
            {
                if (engine.release(engine.handle((String)f[0]), (Long)f[3]) == AllocatorEngine.RELEASED)
                {
                    engine.countReclaimed((String)f[0]);
                }
            }
        }
        out.writeTo(reply.payload, 0).putInt(found.size());
        for (final Object[] f : found)
        {
            out.putString((String)f[0]).putBoolean((Boolean)f[1]).putLong((Long)f[2]).putLong((Long)f[3])
                .putLong((Long)f[4]).putLong((Long)f[5]).putLong((Long)f[6]);
        }
        reply.payloadLength = out.position();
        reply.code = found.size();
    }

    private List<Cidr> cidrs()
    {
        final int n = in.getCount(18);
        final List<Cidr> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            list.add(in.getCidr());
        }
        return list;
    }

    private void subnet(final Reply reply, final SubnetInfo info)
    {
        ReplyCodec.putSubnet(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }

    private void pool(final Reply reply, final io.ipam.core.PrefixPoolInfo info)
    {
        ReplyCodec.putPool(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }

    private void createSubnet(final Reply reply)
    {
        final String id = in.getString();
        final String tenant = in.getString();
        final Cidr cidr = in.getCidr();
        final IpAddress gateway = in.getAddress();
        final int n = in.getCount(16);
        checkPools(n);
        if (engine.subnetCount() >= maxSubnets)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "the allocator holds its limit of " + maxSubnets +
                " subnets (maxSubnets)");
        }
        final long[] first = new long[n];
        final long[] last = new long[n];
        for (int i = 0; i < n; i++)
        {
            first[i] = in.getLong();
            last[i] = in.getLong();
        }
        final int strategy = in.getByte();
        if (strategy >= STRATEGIES.length)
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded strategy " + strategy + " is unknown");
        }
        // the edge checked these rules already; a command read from a log is checked again, never trusted
        final SubnetRules.Plan plan = SubnetRules.Plan.restored(id, tenant, cidr, gateway, first, last,
            STRATEGIES[strategy]).cooldown(in.remaining() >= 8 ? in.getLong() : 0);
        reply.value = engine.createSubnet(plan);
        subnet(reply, engine.info(id));
    }

    private void resolve(final Reply reply)
    {
        final String id = in.getString();
        final int handle = engine.handle(id);
        if (handle == AllocatorEngine.NO_HANDLE)
        {
            reply.code = -ErrorCode.SUBNET_NOT_FOUND.value();
            return;
        }
        reply.code = FOUND;
        reply.value = handle;
        out.writeTo(reply.payload, 0).putCidr(engine.cidr(id)).putString(engine.tenantOf(id));
        reply.payloadLength = out.position();
    }

    private void allocatePrefix(final Reply reply)
    {
        final String id = in.getString();
        final String tenant = in.getString();
        final int len = in.getInt();
        final boolean specific = in.getBoolean();
        final int rc = specific ? engine.prefixPools().allocate(id, tenant, in.getCidr()) :
            engine.prefixPools().allocate(id, tenant, len);
        reply.code = rc;
        if (rc == AllocatorEngine.OK)
        {
            out.writeTo(reply.payload, 0).putCidr(engine.prefixPools().lastPrefix());
            reply.payloadLength = out.position();
        }
    }

    private void allocatePort(final long time, final Reply reply)
    {
        final long msb = in.getLong();
        final long lsb = in.getLong();
        final int n = in.getCount(6);
        if (n > engine.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a port request of " + n +
                " items is over the limit of " + engine.maxBulk());
        }
        port.clear();
        for (int i = 0; i < n; i++)
        {
            final int kind = in.getByte();
            final int handles = in.getCount(4);
            if (handles < 1)
            {
                throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " names no subnet");
            }
            if (group.length < handles)
            {
                group = new int[Math.max(handles, group.length * 2)];
            }
            for (int h = 0; h < handles; h++)
            {
                group[h] = in.getInt();
            }
            switch (kind)
            {
                case KIND_ANY:
                    port.any(group[0]);
                    break;
                case KIND_NEXT:
                    port.next(group[0]);
                    break;
                case KIND_SPECIFIC:
                {
                    final IpAddress a = in.getAddress();
                    if (a == null)
                    {
                        throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " has no address");
                    }
                    port.specific(group[0], a.isV6(), a.hi(), a.lo());
                    break;
                }
                case KIND_EUI64:
                    port.eui64(group[0], in.getLong());
                    break;
                case KIND_GROUP:
                    port.anyOf(group, handles);
                    break;
                default:
                    throw new IpamException(ErrorCode.MALFORMED, "port item " + i + " has unknown kind " + kind);
            }
        }
        final int rc = engine.allocatePort(port, msb, lsb, time);
        reply.code = rc;
        out.writeTo(reply.payload, 0);
        if (rc == AllocatorEngine.OK)
        {
            out.putInt(port.count());
            for (int i = 0; i < port.count(); i++)
            {
                final int h = port.resultHandle(i);
                out.putInt(h).putBoolean(engine.isV6(h)).putLong(engine.subnetHigh(h)).putLong(port.resultAddress(i));
            }
        }
        else
        {
            out.putInt(port.failedItem()).putInt(port.failedHandle());
        }
        reply.payloadLength = out.position();
    }

    /** Port item kinds as encoded. */
    public static final class PortKinds
    {
        /** Any, by strategy. */
        public static final int ANY = KIND_ANY;
        /** Lowest free. */
        public static final int NEXT = KIND_NEXT;
        /** A given address: followed by an encoded address. */
        public static final int SPECIFIC = KIND_SPECIFIC;
        /** EUI-64: followed by a long MAC. */
        public static final int EUI64 = KIND_EUI64;
        /** A group: several handles, falls through on exhaustion. */
        public static final int GROUP = KIND_GROUP;

        private PortKinds()
        {
        }
    }
}
