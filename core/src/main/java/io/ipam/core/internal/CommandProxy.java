package io.ipam.core.internal;

import java.util.List;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.AllocatePrefixFlyweight;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.ChangesFlyweight;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.CreatePrefixPoolFlyweight;
import io.ipam.core.protocol.CreateSubnetFlyweight;
import io.ipam.core.protocol.DeleteSubnetFlyweight;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.IdFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.OptionsFlyweight;
import io.ipam.core.protocol.PortRequestFlyweight;
import io.ipam.core.protocol.PrefixListFlyweight;
import io.ipam.core.protocol.ReconcileFlyweight;
import io.ipam.core.protocol.ReconcileSubnetFlyweight;
import io.ipam.core.protocol.ReleasePrefixFlyweight;
import io.ipam.core.protocol.RenewFlyweight;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ScopeFlyweight;
import io.ipam.core.protocol.ScopedIdFlyweight;
import io.ipam.core.protocol.ScopedOwnerFlyweight;
import io.ipam.core.protocol.SubnetMapFlyweight;
import io.ipam.core.protocol.TickFlyweight;
import io.ipam.core.protocol.UpdateGatewayFlyweight;
import io.ipam.core.protocol.UpdatePoolsFlyweight;
import io.ipam.core.protocol.UpdateSubnetFlyweight;
import io.ipam.core.protocol.Wire;

/**
 * The facade's side of the protocol: each call is encoded, on the caller's thread, through the flyweight of its
 * layout into a slot of the {@link CommandTransport} and sent; the answered slot is handed back to be read and
 * released. Nothing here validates (the facade did) or decodes (the facade does, through {@code ReplyCodec}).
 * Thread-safe: each thread encodes with its own {@link Wire}; a slot is one caller's from acquire to release.
 */
final class CommandProxy
{
    private final CommandTransport transport;
    private final IpamConfig config;
    private final ThreadLocal<Wire> wires = ThreadLocal.withInitial(Wire::new);

    CommandProxy(final CommandTransport transport, final IpamConfig config)
    {
        this.transport = transport;
        this.config = config;
    }

    CommandTransport transport()
    {
        return transport;
    }

    /**
     * @return this thread's wire, for reading an answer.
     */
    Wire wire()
    {
        return wires.get();
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
     * A slot with the command's header written: its type and the command time, read from the clock now.
     */
    private Reply begin(final int type)
    {
        return begin(type, 0);
    }

    /**
     * A slot for a command of a known size, with the command's header written.
     */
    private Reply begin(final int type, final int commandBytes)
    {
        final long time = now();
        final Reply r = commandBytes == 0 ? transport.acquire() : transport.acquire(commandBytes);
        r.type = type;
        CommandHeader.encode(r.command, 0, time);
        return r;
    }

    /**
     * @return a wire positioned at the body of the slot's command.
     */
    private Wire body(final Reply r)
    {
        return wires.get().writeTo(r.command, CommandHeader.LENGTH);
    }

    private Reply send(final Reply r, final Wire w)
    {
        r.commandLength = w.position();
        transport.execute(r);
        return r;
    }

    // ------------------------------------------------------------------------------------------------------------
    // allocations
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Encode a hot command, inside a {@code WITH_OPTIONS} command when it has a key or a lease; not sent.
     *
     * @param type       a hot type.
     * @param handle     subnet handle.
     * @param count      count (bulk), else 0.
     * @param address    address value or MAC, else 0.
     * @param owner      owner, or null.
     * @param scope      the view's tenant, or null (options only).
     * @param requestKey a request key, or null.
     * @param leaseMs    a lease, or 0.
     * @return the slot, encoded.
     */
    Reply encodeHot(final int type, final int handle, final int count, final long address, final UUID owner,
        final String scope, final String requestKey, final long leaseMs)
    {
        return encodeHot(type, handle, count, false, 0, address, owner, scope, requestKey, leaseMs, false);
    }

    /**
     * As {@link #encodeHot(int, int, int, long, UUID, String, String, long)}, with the address's high 64 bits when
     * {@code withHi} (a wide subnet's address: the command is {@link HotCommandFlyweight#WIDE_LENGTH} bytes) and a
     * router's mark (carried by {@code WITH_OPTIONS}).
     */
    Reply encodeHot(final int type, final int handle, final int count, final boolean withHi, final long addressHi,
        final long address, final UUID owner, final String scope, final String requestKey, final long leaseMs,
        final boolean router)
    {
        final long msb = owner == null ? 0 : owner.getMostSignificantBits();
        final long lsb = owner == null ? 0 : owner.getLeastSignificantBits();
        final Reply r = begin(type);
        final int inner = requestKey == null && leaseMs == 0 && !router ? 0 :
            options(r, scope, requestKey, leaseMs, router);
        r.commandLength = inner + HotCommandFlyweight.encode(r.command, inner, handle, count, address, msb, lsb);
        if (withHi)
        {
            r.commandLength = inner + HotCommandFlyweight.encodeAddressHigh(r.command, inner, addressHi);
        }
        return r;
    }

    /**
     * Turn the slot's command into a {@code WITH_OPTIONS} one: the options, then the inner command's header.
     *
     * @return where the inner command starts.
     */
    private int options(final Reply r, final String scope, final String requestKey, final long leaseMs,
        final boolean router)
    {
        final int innerType = r.type;
        final long time = CommandHeader.timeMs(r.command, 0);
        r.type = MessageTypes.WITH_OPTIONS;
        final int inner = OptionsFlyweight.encode(body(r), scope, requestKey, leaseMs, innerType, router).position();
        CommandHeader.encode(r.command, inner, time);
        return inner;
    }

    /**
     * Send a hot command (see {@link #encodeHot}).
     *
     * @return the answered slot.
     */
    Reply hot(final int type, final int handle, final int count, final boolean withHi, final long addressHi,
        final long address, final UUID owner, final String scope, final String requestKey, final long leaseMs,
        final boolean router)
    {
        final Reply r = encodeHot(type, handle, count, withHi, addressHi, address, owner, scope, requestKey, leaseMs,
            router);
        transport.execute(r);
        return r;
    }

    /**
     * Begin a {@code BATCH} command of n entries (header and count written, its length set); the caller writes each
     * entry with {@link BatchCommandFlyweight#entry} into {@link Reply#command} at offset 0 and sends it.
     *
     * @param entries entries, 1 or more.
     * @return the slot.
     */
    Reply beginBatch(final int entries)
    {
        final Reply r = begin(MessageTypes.BATCH, BatchCommandFlyweight.length(entries));
        r.command.checkLimit(BatchCommandFlyweight.length(entries));
        r.commandLength = BatchCommandFlyweight.begin(r.command, 0, entries);
        return r;
    }

    /**
     * Send a port request whose items are resolved and parsed.
     *
     * @param owner      owner.
     * @param kinds      each item's kind ({@link PortRequestFlyweight#ANY} ...).
     * @param handles    each item's subnet handles (one, or the group in order).
     * @param addresses  each {@link PortRequestFlyweight#SPECIFIC} item's address, else null.
     * @param macs       each {@link PortRequestFlyweight#EUI64} item's MAC.
     * @param scope      the view's tenant, or null (options only).
     * @param requestKey a request key, or null.
     * @param leaseMs    a lease, or 0.
     * @return the answered slot.
     */
    Reply port(final UUID owner, final int[] kinds, final int[][] handles, final IpAddress[] addresses,
        final long[] macs, final String scope, final String requestKey, final long leaseMs, final boolean router)
    {
        final Reply r = begin(MessageTypes.ALLOCATE_PORT);
        final int inner = requestKey == null && leaseMs == 0 && !router ? 0 :
            options(r, scope, requestKey, leaseMs, router);
        final Wire w = PortRequestFlyweight.encode(wires.get().writeTo(r.command, inner + CommandHeader.LENGTH),
            owner.getMostSignificantBits(), owner.getLeastSignificantBits(), kinds.length);
        for (int i = 0; i < kinds.length; i++)
        {
            switch (kinds[i])
            {
                case PortRequestFlyweight.SPECIFIC:
                    PortRequestFlyweight.specific(w, handles[i][0], addresses[i]);
                    break;
                case PortRequestFlyweight.EUI64:
                    PortRequestFlyweight.eui64(w, handles[i][0], macs[i]);
                    break;
                case PortRequestFlyweight.GROUP:
                    PortRequestFlyweight.group(w, handles[i], handles[i].length);
                    break;
                default:
                    PortRequestFlyweight.item(w, kinds[i], handles[i][0]);
            }
        }
        return send(r, w);
    }

    Reply renew(final String scope, final int handle, final boolean withHi, final long addressHi,
        final long address, final UUID owner, final long leaseMs)
    {
        final Reply r = begin(MessageTypes.RENEW);
        return send(r, withHi ?
            RenewFlyweight.encode(body(r), scope, handle, addressHi, address, owner.getMostSignificantBits(),
                owner.getLeastSignificantBits(), leaseMs) :
            RenewFlyweight.encode(body(r), scope, handle, address, owner.getMostSignificantBits(),
                owner.getLeastSignificantBits(), leaseMs));
    }

    /**
     * @param type {@link MessageTypes#RELEASE_OWNER} or {@link MessageTypes#ALLOCATIONS_OF}.
     */
    Reply owned(final int type, final String scope, final UUID owner)
    {
        final Reply r = begin(type);
        return send(r, ScopedOwnerFlyweight.encode(body(r), scope, owner.getMostSignificantBits(),
            owner.getLeastSignificantBits()));
    }

    // ------------------------------------------------------------------------------------------------------------
    // subnets
    // ------------------------------------------------------------------------------------------------------------

    Reply createSubnet(final SubnetRules.Plan plan)
    {
        final Reply r = begin(MessageTypes.CREATE_SUBNET);
        return send(r, CreateSubnetFlyweight.encode(body(r), plan.id(), plan.tenant(), plan.cidr(), plan.gateway(),
            plan.poolFirstHi(), plan.poolFirst(), plan.poolLastHi(), plan.poolLast(), plan.strategy().ordinal(),
            plan.cooldownMs()));
    }

    /**
     * @param type {@link MessageTypes#RESOLVE_SUBNET} or {@link MessageTypes#PREFIX_POOL_INFO}.
     */
    Reply id(final int type, final String id)
    {
        final Reply r = begin(type);
        return send(r, IdFlyweight.encode(body(r), id));
    }

    /**
     * @param type {@link MessageTypes#SUBNET_INFO} or {@link MessageTypes#CHILDREN}.
     */
    Reply scopedId(final int type, final String scope, final String id)
    {
        final Reply r = begin(type);
        return send(r, ScopedIdFlyweight.encode(body(r), scope, id));
    }

    /**
     * @param type {@link MessageTypes#LIST_SUBNETS}, {@link MessageTypes#SUBNET_STATS} or
     *             {@link MessageTypes#LAST_SEQUENCE}.
     */
    Reply scope(final int type, final String scope)
    {
        final Reply r = begin(type);
        return send(r, ScopeFlyweight.encode(body(r), scope));
    }

    Reply subnetMap(final String scope, final String id, final Cidr window, final int cellBits)
    {
        final Reply r = begin(MessageTypes.SUBNET_MAP);
        return send(r, SubnetMapFlyweight.encode(body(r), scope, id, window, cellBits));
    }

    Reply listPrefixPools()
    {
        final Reply r = begin(MessageTypes.LIST_PREFIX_POOLS);
        r.commandLength = CommandHeader.LENGTH;
        transport.execute(r);
        return r;
    }

    Reply updatePools(final String scope, final String id, final List<IpAddress[]> ranges)
    {
        final Reply r = begin(MessageTypes.UPDATE_POOLS);
        return send(r, UpdatePoolsFlyweight.encode(body(r), scope, id, ranges));
    }

    Reply updateGateway(final String scope, final String id, final IpAddress gateway)
    {
        final Reply r = begin(MessageTypes.UPDATE_GATEWAY);
        return send(r, UpdateGatewayFlyweight.encode(body(r), scope, id, gateway));
    }

    /**
     * @param ranges     the new pools, or null to keep them.
     * @param setGateway true to change the gateway to {@code gateway} (null: none).
     * @param cooldownMs the new cooldown, or -1 to keep it.
     */
    Reply updateSubnet(final String scope, final String id, final List<IpAddress[]> ranges, final boolean setGateway,
        final IpAddress gateway, final long cooldownMs)
    {
        final Reply r = begin(MessageTypes.UPDATE_SUBNET);
        return send(r, UpdateSubnetFlyweight.encode(body(r), scope, id, ranges, setGateway, gateway, cooldownMs));
    }

    /**
     * @param addresses expected addresses, strictly ascending.
     */
    Reply reconcileSubnet(final String scope, final String id, final long graceMs, final boolean dryRun,
        final IpAddress[] addresses, final long[] ownerMsb, final long[] ownerLsb, final int n)
    {
        final Reply r = begin(MessageTypes.RECONCILE_SUBNET);
        return send(r, ReconcileSubnetFlyweight.encode(body(r), scope, id, graceMs, dryRun, addresses, ownerMsb,
            ownerLsb, n));
    }

    Reply deleteSubnet(final String scope, final String id, final boolean force)
    {
        final Reply r = begin(MessageTypes.DELETE_SUBNET);
        return send(r, DeleteSubnetFlyweight.encode(body(r), scope, id, force));
    }

    // ------------------------------------------------------------------------------------------------------------
    // prefix pools
    // ------------------------------------------------------------------------------------------------------------

    Reply createPrefixPool(final String id, final List<Cidr> prefixes, final int minLength, final int maxLength,
        final int defaultLength, final long quota)
    {
        final Reply r = begin(MessageTypes.CREATE_PREFIX_POOL);
        return send(r, CreatePrefixPoolFlyweight.encode(body(r), id, prefixes, minLength, maxLength, defaultLength,
            quota));
    }

    Reply allocatePrefix(final String poolId, final String tenant, final int prefixLength, final Cidr wanted)
    {
        final Reply r = begin(MessageTypes.ALLOCATE_PREFIX);
        return send(r, AllocatePrefixFlyweight.encode(body(r), poolId, tenant, prefixLength, wanted));
    }

    Reply releasePrefix(final String scope, final String poolId, final Cidr child)
    {
        final Reply r = begin(MessageTypes.RELEASE_PREFIX);
        return send(r, ReleasePrefixFlyweight.encode(body(r), scope, poolId, child));
    }

    /**
     * @param type {@link MessageTypes#ADD_PREFIXES} or {@link MessageTypes#REMOVE_PREFIXES}.
     */
    Reply prefixes(final int type, final String poolId, final List<Cidr> prefixes)
    {
        final Reply r = begin(type);
        return send(r, PrefixListFlyweight.encode(body(r), poolId, prefixes));
    }

    // ------------------------------------------------------------------------------------------------------------
    // lifecycle
    // ------------------------------------------------------------------------------------------------------------

    Reply reconcile(final String scope, final long graceMs, final boolean dryRun, final List<UUID> liveOwners)
    {
        final Reply r = begin(MessageTypes.RECONCILE);
        final Wire w = ReconcileFlyweight.encode(body(r), scope, graceMs, dryRun, liveOwners.size());
        for (final UUID owner : liveOwners)
        {
            ReconcileFlyweight.owner(w, owner);
        }
        return send(r, w);
    }

    Reply changes(final String scope, final long afterSequence, final int max)
    {
        final Reply r = begin(MessageTypes.CHANGES);
        return send(r, ChangesFlyweight.encode(body(r), scope, afterSequence, max));
    }

    Reply tick(final int budget)
    {
        final Reply r = begin(MessageTypes.TICK);
        return send(r, TickFlyweight.encode(body(r), budget));
    }

    /**
     * @return a {@code CAPTURE} command, encoded, not sent (a local writer applies it with its capture).
     */
    Reply encodeCapture()
    {
        final Reply r = begin(MessageTypes.CAPTURE);
        r.commandLength = CommandHeader.LENGTH;
        return r;
    }
}
