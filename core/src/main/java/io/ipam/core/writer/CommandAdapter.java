package io.ipam.core.writer;

import java.util.Arrays;
import java.util.List;

import io.ipam.core.AllocationOptions;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetStats;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocationVisitor;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.PortRequest;
import io.ipam.core.engine.PrefixPools;
import io.ipam.core.engine.RequestKeys;
import io.ipam.core.engine.SubnetAdmin;
import io.ipam.core.protocol.AllocatePrefixFlyweight;
import io.ipam.core.protocol.ChangesFlyweight;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.CreatePrefixPoolFlyweight;
import io.ipam.core.protocol.DeleteSubnetFlyweight;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.IdFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.OptionsFlyweight;
import io.ipam.core.protocol.PortRequestFlyweight;
import io.ipam.core.protocol.PrefixListFlyweight;
import io.ipam.core.protocol.ReconcileFlyweight;
import io.ipam.core.protocol.ReleasePrefixFlyweight;
import io.ipam.core.protocol.RenewFlyweight;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.ScopeFlyweight;
import io.ipam.core.protocol.ScopedIdFlyweight;
import io.ipam.core.protocol.ScopedOwnerFlyweight;
import io.ipam.core.protocol.TickFlyweight;
import io.ipam.core.protocol.UpdateGatewayFlyweight;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * The writer's side of the protocol: decodes each command through its flyweight, calls the engine once, and encodes
 * the answer through {@link ReplyCodec}; it reads nothing but the command's bytes (time included) and the engine, so
 * the same commands in the same order give the same answers and the same state: the basis of the command log and of
 * replay. What every command does first (the clock, the change feed, due leases) happens once, in
 * {@link #onCommand}; a {@link MessageTypes#WITH_OPTIONS} command's inner allocation is dispatched from here with
 * its terms, never applied as a command of its own. Hot commands allocate nothing here.
 * <p>
 * Results: an {@link IpamException} from the engine (a rule broken by an administrative command, a damaged body)
 * becomes an error reply with its code and message; any other {@code Throwable} is left to the caller of
 * {@link #onCommand} (the writer), which answers {@code INTERNAL} and undoes the command.
 */
public final class CommandAdapter
{
    /** Longest lease: 100 years. */
    private static final long MAX_LEASE_MS = 36_500L * 86_400_000L;

    private final AllocatorEngine engine;
    private final SubnetAdmin admin;
    private final PrefixPools prefixPools;
    private final ChangeFeed feed;
    private final KeyedRequests keyed;
    private final BatchCommands batches;
    private final MapCommands mapCommands;
    private final int maxSubnets;
    private final int maxPoolsPerSubnet;
    private final Wire out = new Wire();
    private final EngineResult result = new EngineResult();
    private final AllocationTerms terms = new AllocationTerms();
    private final PortRequest port = new PortRequest();
    private final PortItems portItems;
    private long[] bulk = new long[64];
    private long[] bulkHi = new long[64];

    private final HotCommandFlyweight hot = new HotCommandFlyweight();
    private final OptionsFlyweight options = new OptionsFlyweight();
    private final PortRequestFlyweight portRequest = new PortRequestFlyweight();
    private final ScopedOwnerFlyweight scopedOwner = new ScopedOwnerFlyweight();
    private final RenewFlyweight renew = new RenewFlyweight();
    private final ScopeFlyweight scope = new ScopeFlyweight();
    private final ScopedIdFlyweight scopedId = new ScopedIdFlyweight();
    private final IdFlyweight id = new IdFlyweight();
    private final UpdateGatewayFlyweight updateGateway = new UpdateGatewayFlyweight();
    private final DeleteSubnetFlyweight deleteSubnet = new DeleteSubnetFlyweight();
    private final CreatePrefixPoolFlyweight createPool = new CreatePrefixPoolFlyweight();
    private final AllocatePrefixFlyweight allocatePrefix = new AllocatePrefixFlyweight();
    private final ReleasePrefixFlyweight releasePrefix = new ReleasePrefixFlyweight();
    private final PrefixListFlyweight prefixList = new PrefixListFlyweight();
    private final ReconcileFlyweight reconcile = new ReconcileFlyweight();
    private final ChangesFlyweight changes = new ChangesFlyweight();
    private final TickFlyweight tick = new TickFlyweight();

    private int listed;
    /** Writes each allocation of an owner into the answer; counts them in {@link #listed}. */
    private final AllocationVisitor ownedWriter = (subnetId, v6, hi, address, msb, lsb, t, expiresAt, router) ->
    {
        ReplyCodec.putOwnedAllocation(out, subnetId, v6, hi, address, t, expiresAt);
        markRouter(router);
        listed++;
    };
    /** Writes each allocation a reconcile found into the answer. */
    private final AllocationVisitor reclaimedWriter = (subnetId, v6, hi, address, msb, lsb, t, expiresAt, router) ->
    {
        ReplyCodec.putReclaimed(out, subnetId, v6, hi, address, msb, lsb, t);
        markRouter(router);
        listed++;
    };
    /** Indexes of the router allocations in the list being written (their marks follow the list). */
    private int[] routerMarks = new int[16];
    private int routerCount;
    private final SubnetCommands subnetCommands;

    /**
     * An adapter with the default limits and a change feed of its own.
     *
     * @param engine the engine this adapter drives (writer's thread only).
     */
    public CommandAdapter(final AllocatorEngine engine)
    {
        this(engine, IpamConfig.defaults(), null);
    }

    /**
     * @param engine the engine this adapter drives (writer's thread only).
     * @param config the limits it enforces ({@code maxSubnets}, {@code maxPoolsPerSubnet}); a replay must use the
     *               same ones as the run it replays.
     * @param feed   the change feed in the engine's listener chain, or null: then one is made here and put in
     *               front of the engine's current listener.
     */
    public CommandAdapter(final AllocatorEngine engine, final IpamConfig config, final ChangeFeed feed)
    {
        this.engine = engine;
        this.admin = engine.admin();
        this.prefixPools = engine.prefixPools();
        this.keyed = new KeyedRequests(engine);
        this.portItems = new PortItems(port, keyed);
        this.batches = new BatchCommands(engine);
        this.mapCommands = new MapCommands(engine.maps(), prefixPools);
        if (feed == null)
        {
            this.feed = new ChangeFeed(engine, (int)Math.min(Integer.MAX_VALUE - 8, config.changeRetention()),
                engine.listener());
            engine.listener(this.feed);
        }
        else
        {
            this.feed = feed;
        }
        this.maxSubnets = config.maxSubnets();
        this.maxPoolsPerSubnet = config.maxPoolsPerSubnet();
        this.subnetCommands = new SubnetCommands(engine, maxSubnets, maxPoolsPerSubnet, out);
    }

    /**
     * @param scope what the writer does around each entry of a {@link MessageTypes#BATCH} (its own undo), or null:
     *              then an entry that throws leaves {@link #onCommand} (a replay).
     */
    void batchScope(final BatchCommands.EntryScope scope)
    {
        batches.scope(scope);
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
        final long time = CommandHeader.timeMs(buffer, offset);
        // once per command, whatever it is: the feed's time, the engine's clock, a bounded number of due leases
        feed.begin(time, type == MessageTypes.CREATE_SUBNET);
        engine.beginCommand(time);
        if (MessageTypes.isHot(type))
        {
            if (!hot.wrap(buffer, offset, length).isComplete())
            {
                reply.error(ErrorCode.MALFORMED, "command " + MessageTypes.name(type) + " is " + length +
                    " bytes, shorter than " + HotCommandFlyweight.LENGTH, out);
                return;
            }
            onHot(type, time, AllocationTerms.NONE, reply);
            return;
        }
        try
        {
            onVariable(type, buffer, offset, length, time, reply);
        }
        catch (final IpamException ex)
        {
            reply.error(ex.code(), ex.reason(), out);
        }
    }

    /**
     * A hot command, read through {@link #hot}, with the terms its allocations are made under.
     */
    private void onHot(final int type, final long time, final AllocationTerms with, final Reply reply)
    {
        final int handle = hot.handle();
        final int rc;
        switch (type)
        {
            case MessageTypes.ALLOCATE:
                rc = engine.allocate(handle, hot.ownerMsb(), hot.ownerLsb(), time, with, result);
                break;
            case MessageTypes.ALLOCATE_NEXT:
                rc = engine.allocateNext(handle, hot.ownerMsb(), hot.ownerLsb(), time, with, result);
                break;
            case MessageTypes.ALLOCATE_SPECIFIC:
                rc = hot.hasAddressHigh() ?
                    engine.allocateSpecific(handle, hot.addressHigh(), hot.address(), hot.ownerMsb(), hot.ownerLsb(),
                        time, with, result) :
                    engine.allocateSpecific(handle, hot.address(), hot.ownerMsb(), hot.ownerLsb(), time, with, result);
                break;
            case MessageTypes.ALLOCATE_EUI64:
                rc = engine.allocateEui64(handle, hot.address(), hot.ownerMsb(), hot.ownerLsb(), time, with, result);
                break;
            case MessageTypes.RELEASE:
                rc = hot.hasAddressHigh() ? engine.release(handle, hot.addressHigh(), hot.address(), false, 0, 0) :
                    engine.release(handle, hot.address());
                break;
            case MessageTypes.RELEASE_CHECKED:
                rc = hot.hasAddressHigh() ?
                    engine.release(handle, hot.addressHigh(), hot.address(), true, hot.ownerMsb(), hot.ownerLsb()) :
                    engine.release(handle, hot.address(), hot.ownerMsb(), hot.ownerLsb());
                break;
            case MessageTypes.OWNER_OF:
                rc = hot.hasAddressHigh() ? engine.ownerOf(handle, hot.addressHigh(), hot.address(), result) :
                    engine.ownerOf(handle, hot.address(), result);
                if (rc == AllocatorEngine.FOUND)
                {
                    reply.ownerMsb = result.ownerMsb();
                    reply.ownerLsb = result.ownerLsb();
                    reply.timeMs = result.timeMs();
                }
                break;
            default: // ALLOCATE_BULK
                rc = allocateBulk(handle, hot.count(), time, with, reply);
        }
        reply.code = rc;
        if (rc == AllocatorEngine.OK && type <= MessageTypes.ALLOCATE_EUI64)
        {
            reply.value = result.address();
            if (result.wide())
            {
                // a wide subnet's address varies in its high 64 bits too: they travel as the payload
                ReplyCodec.putAddressHigh(out.writeTo(reply.payload, 0), result.addressHi());
                reply.payloadLength = out.position();
            }
        }
    }

    private void markRouter(final boolean router)
    {
        if (router)
        {
            if (routerCount == routerMarks.length)
            {
                routerMarks = Arrays.copyOf(routerMarks, routerCount * 2);
            }
            routerMarks[routerCount++] = listed;
        }
    }

    private int allocateBulk(final int handle, final int count, final long time, final AllocationTerms with,
        final Reply reply)
    {
        if (count > 0 && count <= engine.maxBulk() && bulk.length < count)
        {
            bulk = new long[Math.max(count, bulk.length * 2)];
            bulkHi = new long[bulk.length];
        }
        final boolean wide = engine.isWide(handle);
        final int rc = engine.allocateBulk(handle, count, hot.ownerMsb(), hot.ownerLsb(), time, with, bulk,
            wide ? bulkHi : null);
        if (rc == AllocatorEngine.OK)
        {
            if (wide)
            {
                ReplyCodec.putWideAddresses(out.writeTo(reply.payload, 0), bulkHi, bulk, count);
            }
            else
            {
                ReplyCodec.putAddresses(out.writeTo(reply.payload, 0), bulk, count);
            }
            reply.payloadLength = out.position();
        }
        return rc;
    }

    private void onVariable(final int type, final DirectBuffer b, final int offset, final int length, final long time,
        final Reply reply)
    {
        switch (type)
        {
            case MessageTypes.WITH_OPTIONS:
                withOptions(options.wrap(b, offset, length), b, time, reply);
                break;
            case MessageTypes.ALLOCATE_PORT:
                decodePort(b, offset, length, false, 0);
                allocatePort(time, AllocationTerms.NONE, reply);
                break;
            case MessageTypes.RENEW:
                renew(renew.wrap(b, offset, length), reply);
                break;
            case MessageTypes.BATCH:
                batches.apply(b, offset, length, time, reply);
                break;
            case MessageTypes.RELEASE_OWNER:
                scopedOwner.wrap(b, offset, length);
                reply.code = engine.releaseOwner(scopedOwner.ownerMsb(), scopedOwner.ownerLsb(), scopedOwner.scope());
                break;
            case MessageTypes.ALLOCATIONS_OF:
            {
                scopedOwner.wrap(b, offset, length);
                final int at = ReplyCodec.beginList(out.writeTo(reply.payload, 0));
                listed = 0;
                routerCount = 0;
                engine.forEachOfOwner(scopedOwner.ownerMsb(), scopedOwner.ownerLsb(), scopedOwner.scope(), ownedWriter);
                ReplyCodec.endList(out, at, listed);
                ReplyCodec.putRouterMarks(out, routerMarks, routerCount);
                reply.payloadLength = out.position();
                reply.code = listed;
                break;
            }
            case MessageTypes.CREATE_SUBNET:
                subnetCommands.create(b, offset, length, reply);
                break;
            case MessageTypes.SUBNET_INFO:
                scopedId.wrap(b, offset, length);
                subnet(reply, admin.info(scopedId.id(), scopedId.scope()));
                break;
            case MessageTypes.LIST_SUBNETS:
                ReplyCodec.putSubnets(out.writeTo(reply.payload, 0), admin.list(scope.wrap(b, offset, length).scope()));
                reply.payloadLength = out.position();
                break;
            case MessageTypes.UPDATE_POOLS:
                subnetCommands.updatePools(b, offset, length, reply);
                break;
            case MessageTypes.UPDATE_GATEWAY:
                updateGateway.wrap(b, offset, length);
                subnet(reply, admin.updateGateway(updateGateway.id(), updateGateway.scope(), updateGateway.gateway()));
                break;
            case MessageTypes.UPDATE_SUBNET:
                subnetCommands.update(b, offset, length, reply);
                break;
            case MessageTypes.RECONCILE_SUBNET:
                subnetCommands.reconcile(b, offset, length, reply);
                break;
            case MessageTypes.DELETE_SUBNET:
                deleteSubnet.wrap(b, offset, length);
                admin.checkScope(deleteSubnet.id(), deleteSubnet.scope());
                feed.tenantContext(engine.tenantOf(deleteSubnet.id()));
                reply.value = admin.delete(deleteSubnet.id(), deleteSubnet.scope(), deleteSubnet.force());
                break;
            case MessageTypes.RESOLVE_SUBNET:
                subnetCommands.resolve(id.wrap(b, offset, length).id(), reply);
                break;
            case MessageTypes.SUBNET_STATS:
            {
                final List<SubnetStats> stats = admin.stats(scope.wrap(b, offset, length).scope());
                out.writeTo(reply.payload, 0).putInt(stats.size());
                for (final SubnetStats s : stats)
                {
                    ReplyCodec.putStats(out, s);
                }
                reply.payloadLength = out.position();
                break;
            }
            default:
                onPrefixOrLifecycle(type, b, offset, length, time, reply);
        }
    }

    private void onPrefixOrLifecycle(final int type, final DirectBuffer b, final int offset, final int length,
        final long time, final Reply reply)
    {
        switch (type)
        {
            case MessageTypes.CREATE_PREFIX_POOL:
                createPool.wrap(b, offset, length);
                pool(reply, prefixPools.create(createPool.id(), createPool.prefixes(), createPool.minLength(),
                    createPool.maxLength(), createPool.defaultLength(), createPool.quota()));
                break;
            case MessageTypes.ALLOCATE_PREFIX:
            {
                final AllocatePrefixFlyweight a = allocatePrefix.wrap(b, offset, length);
                final int rc = a.wanted() != null ? prefixPools.allocate(a.poolId(), a.tenant(), a.wanted(), result) :
                    prefixPools.allocate(a.poolId(), a.tenant(), a.prefixLength(), result);
                reply.code = rc;
                if (rc == AllocatorEngine.OK)
                {
                    reply.payloadLength = out.writeTo(reply.payload, 0).putCidr(result.prefix()).position();
                }
                break;
            }
            case MessageTypes.RELEASE_PREFIX:
            {
                final ReleasePrefixFlyweight r = releasePrefix.wrap(b, offset, length);
                feed.tenantContext(prefixPools.holder(r.poolId(), r.child()));
                reply.code = prefixPools.release(r.poolId(), r.child(), r.scope());
                break;
            }
            case MessageTypes.ADD_PREFIXES:
                prefixList.wrap(b, offset, length);
                pool(reply, prefixPools.addPrefixes(prefixList.id(), prefixList.prefixes()));
                break;
            case MessageTypes.REMOVE_PREFIXES:
                prefixList.wrap(b, offset, length);
                pool(reply, prefixPools.removePrefixes(prefixList.id(), prefixList.prefixes()));
                break;
            case MessageTypes.PREFIX_POOL_INFO:
                pool(reply, prefixPools.info(id.wrap(b, offset, length).id()));
                break;
            case MessageTypes.CHILDREN:
                scopedId.wrap(b, offset, length);
                ReplyCodec.putStrings(out.writeTo(reply.payload, 0),
                    prefixPools.children(scopedId.id(), scopedId.scope()));
                reply.payloadLength = out.position();
                break;
            case MessageTypes.RECONCILE:
            {
                final ReconcileFlyweight r = reconcile.wrap(b, offset, length);
                if (!r.dryRun())
                {
                    feed.releasesAs(ChangeKind.RECLAIMED);
                }
                final int at = ReplyCodec.beginList(out.writeTo(reply.payload, 0));
                listed = 0;
                routerCount = 0;
                final int n = admin.reconcile(r.liveOwners(), time - r.graceMs(), r.scope(), r.dryRun(),
                    reclaimedWriter);
                ReplyCodec.endList(out, at, n);
                ReplyCodec.putRouterMarks(out, routerMarks, routerCount);
                reply.payloadLength = out.position();
                reply.code = n;
                break;
            }
            case MessageTypes.CHANGES:
                changes(changes.wrap(b, offset, length), reply);
                break;
            case MessageTypes.LAST_SEQUENCE:
                reply.value = feed.lastSequence(scope.wrap(b, offset, length).scope());
                break;
            case MessageTypes.TICK:
                reply.value = engine.tick(Math.max(1, tick.wrap(b, offset, length).budget())) ? 1 : 0;
                break;
            case MessageTypes.SUBNET_MAP:
                mapCommands.onSubnetMap(b, offset, length, reply, out);
                break;
            case MessageTypes.LIST_PREFIX_POOLS:
                mapCommands.onListPrefixPools(reply, out);
                break;
            case MessageTypes.CAPTURE:
                // the state is captured by the writer right after this command, under the same role
                break;
            default:
                reply.error(ErrorCode.MALFORMED, "unknown command type " + type, out);
        }
    }

    /**
     * An allocation with options (SPEC 9). A key already remembered for this tenant answers with its first answer
     * and allocates nothing (or is MALFORMED when it was used on another request); otherwise the inner allocation is
     * made under the lease and the key, and a success is remembered.
     */
    private void withOptions(final OptionsFlyweight o, final DirectBuffer b, final long time, final Reply reply)
    {
        final int type = o.innerType();
        if (!MessageTypes.takesOptions(type))
        {
            throw new IpamException(ErrorCode.MALFORMED, "options apply to allocations only, not to " +
                MessageTypes.name(type));
        }
        final boolean isPort = type == MessageTypes.ALLOCATE_PORT;
        if (o.innerLength() < (isPort ? CommandHeader.LENGTH + 20 : HotCommandFlyweight.LENGTH))
        {
            throw new IpamException(ErrorCode.MALFORMED, "the command inside WITH_OPTIONS is " + o.innerLength() +
                " bytes, too short for " + MessageTypes.name(type));
        }
        checkLease(o.leaseMs(), true);
        final String key = o.requestKey();
        final int firstHandle;
        long fingerprint = 0;
        if (isPort)
        {
            fingerprint = decodePort(b, o.innerOffset(), o.innerLength(), key != null, o.leaseMs());
            firstHandle = port.count() > 0 ? port.itemHandle(0) : -1;
        }
        else
        {
            hot.wrap(b, o.innerOffset(), o.innerLength());
            firstHandle = hot.handle();
            checkScope(o.scope(), firstHandle);
        }
        RequestKeys.Key k = null;
        if (key != null)
        {
            AllocationOptions.checkKey(key);
            final String firstId = engine.subnetId(firstHandle);
            final String tenant = o.scope() != null ? o.scope() : firstId == null ? null : engine.tenantOf(firstId);
            if (!isPort)
            {
                fingerprint = keyed.hot(type, o.leaseMs(), hot);
            }
            if (o.router())
            {
                fingerprint = KeyedRequests.mixRouter(fingerprint);
            }
            final RequestKeys.Key seen = keyed.find(tenant, key, fingerprint);
            if (seen != null)
            {
                keyed.answer(seen, type, reply, out);
                return;
            }
            k = keyed.begin(tenant, key, fingerprint, KeyedRequests.answerBytes(type, isPort ? port.count() :
                hot.count()));
        }
        terms.set(k, o.leaseMs(), o.router());
        try
        {
            if (isPort)
            {
                allocatePort(time, terms, reply);
            }
            else
            {
                onHot(type, time, terms, reply);
            }
        }
        catch (final Throwable t)
        {
            if (k != null)
            {
                keyed.abort(k);
            }
            throw t;
        }
        finally
        {
            terms.set(null, 0, false);
        }
        if (k != null)
        {
            keyed.finish(k, type, reply);
        }
    }

    /**
     * Read a port request once into {@link #port}: its owner, its items (checked), and when it is keyed its
     * fingerprint.
     *
     * @return the fingerprint, or 0 when not asked for.
     */
    private long decodePort(final DirectBuffer b, final int offset, final int length, final boolean fingerprinted,
        final long leaseMs)
    {
        final PortRequestFlyweight p = portRequest.wrap(b, offset, length);
        if (p.count() > engine.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a port request of " + p.count() +
                " items is over the limit of " + engine.maxBulk());
        }
        port.clear();
        portItems.fingerprinted = fingerprinted;
        portItems.hash = fingerprinted ? KeyedRequests.mix(KeyedRequests.mix(KeyedRequests.mix(
            KeyedRequests.start(MessageTypes.ALLOCATE_PORT, leaseMs), p.ownerMsb()), p.ownerLsb()), p.count()) : 0;
        p.items(portItems);
        return portItems.hash;
    }

    private void allocatePort(final long time, final AllocationTerms with, final Reply reply)
    {
        final int rc = engine.allocatePort(port, portRequest.ownerMsb(), portRequest.ownerLsb(), time, with, result);
        reply.code = rc;
        out.writeTo(reply.payload, 0);
        if (rc == AllocatorEngine.OK)
        {
            // the allocations' time and lease end (a port answer's allocations are returned whole)
            reply.timeMs = result.timeMs();
            reply.value = result.expiresAt();
            out.putInt(port.count());
            for (int i = 0; i < port.count(); i++)
            {
                final int h = port.resultHandle(i);
                ReplyCodec.putPortItem(out, h, engine.isV6(h), port.resultAddressHi(i), port.resultAddress(i));
            }
        }
        else
        {
            ReplyCodec.putPortFailure(out, port.failedItem(), port.failedHandle());
        }
        reply.payloadLength = out.position();
    }

    private void renew(final RenewFlyweight r, final Reply reply)
    {
        checkScope(r.scope(), r.handle());
        checkLease(r.leaseMs(), false);
        final int rc = engine.renew(r.handle(), r.hasAddressHigh() ? r.addressHigh() : engine.subnetHigh(r.handle()),
            r.address(), r.ownerMsb(), r.ownerLsb(), r.leaseMs(), result);
        reply.code = rc;
        reply.value = rc == AllocatorEngine.RELEASED ? result.expiresAt() : 0;
    }

    private static void checkLease(final long leaseMs, final boolean noneAllowed)
    {
        if (leaseMs < (noneAllowed ? 0 : 1) || leaseMs > MAX_LEASE_MS)
        {
            throw new IpamException(ErrorCode.MALFORMED, "lease must be 1 ms to 100 years, was " + leaseMs + " ms");
        }
    }

    /**
     * A view's command on another tenant's subnet: that subnet does not exist for it.
     */
    private void checkScope(final String scope, final int handle)
    {
        final String subnetId = engine.subnetId(handle);
        if (subnetId != null)
        {
            admin.checkScope(subnetId, scope);
        }
    }

    private void changes(final ChangesFlyweight c, final Reply reply)
    {
        if (c.afterSequence() < feed.firstSequence() - 1)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "changes after " + c.afterSequence() + " are no longer " +
                "kept; the oldest kept is " + feed.firstSequence() + " (changeRetention)");
        }
        ReplyCodec.putChanges(out.writeTo(reply.payload, 0), feed.changes(c.afterSequence(), c.max(), c.scope()));
        reply.payloadLength = out.position();
        reply.value = feed.lastSequence();
    }

    private void subnet(final Reply reply, final SubnetInfo info)
    {
        ReplyCodec.putSubnet(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }

    private void pool(final Reply reply, final PrefixPoolInfo info)
    {
        ReplyCodec.putPool(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }
}
