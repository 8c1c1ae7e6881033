package io.ipam.client;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.proto.v1.Allocation;
import io.ipam.proto.v1.Change;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.Eui64Item;
import io.ipam.proto.v1.IpRange;
import io.ipam.proto.v1.ListChangesResponse;
import io.ipam.proto.v1.PrefixPool;
import io.ipam.proto.v1.ReconcileResponse;
import io.ipam.proto.v1.ReconcileSubnetResponse;
import io.ipam.proto.v1.SpecificItem;
import io.ipam.proto.v1.Subnet;
import io.ipam.proto.v1.SubnetGroup;

/**
 * Conversions between the {@code io.ipam.core} values and the v1 messages, shared by client and server, and
 * the strict parsing of the text fields the core API takes as typed values (owners). Stateless, thread-safe.
 */
public final class ProtoMapping
{
    private static final int MAX_ECHO_CHARS = 64;

    private ProtoMapping()
    {
    }

    /**
     * Parse an owner in its canonical 36-character form (hex digits and four dashes, either case); anything
     * else, including the short forms {@link UUID#fromString(String)} tolerates, is {@code MALFORMED}.
     *
     * @param field the field name, for the message.
     * @param text  the text.
     * @return the owner.
     */
    public static UUID owner(final String field, final String text)
    {
        if (text.length() != 36)
        {
            throw malformed(field, text);
        }
        for (int i = 0; i < 36; i++)
        {
            final char c = text.charAt(i);
            final boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : Character.digit(c, 16) < 0)
            {
                throw malformed(field, text);
            }
        }
        return UUID.fromString(text);
    }

    /**
     * @param field what the value is.
     * @param text  the bad value (cut at 64 characters in the message).
     * @return a MALFORMED exception naming both.
     */
    public static IpamException malformed(final String field, final String text)
    {
        final String shown = text.length() > MAX_ECHO_CHARS ? text.substring(0, MAX_ECHO_CHARS) + "..." : text;
        return new IpamException(ErrorCode.MALFORMED, field + " '" + shown + "' is not a UUID");
    }

    static AllocationStrategy strategy(final int value)
    {
        switch (value)
        {
            case io.ipam.proto.v1.AllocationStrategy.LOWEST_VALUE:
                return AllocationStrategy.LOWEST;
            case io.ipam.proto.v1.AllocationStrategy.RANDOM_VALUE:
            case io.ipam.proto.v1.AllocationStrategy.ALLOCATION_STRATEGY_UNSPECIFIED_VALUE:
                return AllocationStrategy.RANDOM;
            default:
                throw new IpamException(ErrorCode.MALFORMED, "unknown allocation strategy " + value);
        }
    }

    static io.ipam.proto.v1.AllocationStrategy strategy(final AllocationStrategy s)
    {
        return s == AllocationStrategy.LOWEST ? io.ipam.proto.v1.AllocationStrategy.LOWEST :
            io.ipam.proto.v1.AllocationStrategy.RANDOM;
    }

    /**
     * @param spec a subnet spec.
     * @return the request creating it.
     */
    public static CreateSubnetRequest toProto(final SubnetSpec spec)
    {
        final CreateSubnetRequest.Builder b = CreateSubnetRequest.newBuilder().setId(spec.id()).setCidr(spec.cidr())
            .setNoGateway(spec.noGateway()).setStrategy(strategy(spec.strategy()));
        if (spec.gateway() != null)
        {
            b.setGateway(spec.gateway());
        }
        if (spec.tenant() != null)
        {
            b.setTenant(spec.tenant());
        }
        if (spec.cooldown() != null)
        {
            b.setCooldownMs(spec.cooldown().toMillis());
        }
        for (final io.ipam.core.IpRange r : spec.pools())
        {
            b.addPools(toProto(r));
        }
        return b.build();
    }

    /**
     * @param r a request (validated: the enum must be known).
     * @return the spec it describes.
     */
    public static SubnetSpec fromProto(final CreateSubnetRequest r)
    {
        final SubnetSpec.Builder b = SubnetSpec.builder(r.getId(), r.getCidr())
            .strategy(strategy(r.getStrategyValue()));
        if (r.hasGateway())
        {
            if (r.getNoGateway())
            {
                throw new IpamException(ErrorCode.MALFORMED, "gateway and no_gateway are both set");
            }
            b.gateway(r.getGateway());
        }
        else if (r.getNoGateway())
        {
            b.noGateway();
        }
        if (r.hasTenant())
        {
            b.tenant(r.getTenant());
        }
        b.cooldown(Duration.ofMillis(r.getCooldownMs()));
        for (final IpRange p : r.getPoolsList())
        {
            b.pool(p.getFirst(), p.getLast());
        }
        return b.build();
    }

    /**
     * @param r a core range.
     * @return the message.
     */
    public static IpRange toProto(final io.ipam.core.IpRange r)
    {
        return IpRange.newBuilder().setFirst(r.first()).setLast(r.last()).build();
    }

    /**
     * @param ranges messages.
     * @return core ranges (each validated by {@link io.ipam.core.IpRange#of(String, String)}).
     */
    public static List<io.ipam.core.IpRange> fromProto(final List<IpRange> ranges)
    {
        final List<io.ipam.core.IpRange> out = new ArrayList<>(ranges.size());
        for (final IpRange r : ranges)
        {
            out.add(io.ipam.core.IpRange.of(r.getFirst(), r.getLast()));
        }
        return out;
    }

    /**
     * @param s a subnet.
     * @return the message.
     */
    public static Subnet toProto(final SubnetInfo s)
    {
        final Subnet.Builder b = Subnet.newBuilder().setId(s.id()).setCidr(s.cidr()).setStrategy(strategy(s.strategy()))
            .setAllocated(s.allocated()).setFree(s.free().toString()).setCooldownMs(s.cooldown().toMillis())
            .setCooling(s.cooling());
        s.tenant().ifPresent(b::setTenant);
        s.gateway().ifPresent(b::setGateway);
        for (final io.ipam.core.IpRange r : s.pools())
        {
            b.addPools(toProto(r));
        }
        return b.build();
    }

    /**
     * @param s the message.
     * @return the subnet.
     */
    public static SubnetInfo fromProto(final Subnet s)
    {
        return new SubnetInfo(s.getId(), s.getCidr(), s.hasTenant() ? s.getTenant() : null,
            s.hasGateway() ? s.getGateway() : null, fromProto(s.getPoolsList()), strategy(s.getStrategyValue()),
            s.getAllocated(), new BigInteger(s.getFree()), s.getCooldownMs(), s.getCooling());
    }

    /**
     * @param a an allocation.
     * @return the message.
     */
    public static Allocation toProto(final io.ipam.core.Allocation a)
    {
        final Allocation.Builder b = Allocation.newBuilder().setSubnetId(a.subnetId()).setAddress(a.address())
            .setOwner(a.owner().toString());
        b.setTimeMs(a.time().toEpochMilli());
        a.expiresAt().ifPresent(t -> b.setExpiresAtMs(t.toEpochMilli()));
        return b.setRouter(a.router()).build();
    }

    /**
     * @param a a message.
     * @return the allocation, with its time, lease end and router mark.
     */
    public static io.ipam.core.Allocation fromProto(final Allocation a)
    {
        return new io.ipam.core.Allocation(a.getSubnetId(), a.getAddress(), owner("owner", a.getOwner()),
            Instant.ofEpochMilli(a.getTimeMs()),
            a.getExpiresAtMs() == 0 ? null : Instant.ofEpochMilli(a.getExpiresAtMs()), a.getRouter());
    }

    /**
     * @param key    request key, empty for none.
     * @param lease  lease in milliseconds, 0 for none.
     * @param router a router's request (SPEC 2).
     * @return the options.
     * @throws IpamException {@code MALFORMED} for a bad key or a negative lease.
     */
    public static AllocationOptions options(final String key, final long lease, final boolean router)
    {
        final AllocationOptions o = options(key, lease);
        if (!router)
        {
            return o;
        }
        final AllocationOptions.Builder b = AllocationOptions.builder().router();
        o.requestKey().ifPresent(b::requestKey);
        o.lease().ifPresent(b::lease);
        return b.build();
    }

    /**
     * @param r a reconcileSubnet answer.
     * @return the report, released, allocated and re-owned.
     */
    public static ReconcileReport fromProto(final ReconcileSubnetResponse r)
    {
        return new ReconcileReport(allocations(r.getReleasedList()), allocations(r.getAllocatedList()),
            allocations(r.getReownedList()), r.getDryRun());
    }

    /**
     * @param report a reconcileSubnet report.
     * @return its message.
     */
    public static ReconcileSubnetResponse toProto(final ReconcileReport report)
    {
        final ReconcileSubnetResponse.Builder b = ReconcileSubnetResponse.newBuilder().setDryRun(report.dryRun());
        report.released().forEach(a -> b.addReleased(toProto(a)));
        report.allocated().forEach(a -> b.addAllocated(toProto(a)));
        report.reowned().forEach(a -> b.addReowned(toProto(a)));
        return b.build();
    }

    private static List<io.ipam.core.Allocation> allocations(final List<Allocation> list)
    {
        final List<io.ipam.core.Allocation> out = new ArrayList<>(list.size());
        for (final Allocation a : list)
        {
            out.add(fromProto(a));
        }
        return out;
    }

    /**
     * @param key   request key, empty for none.
     * @param lease lease in milliseconds, 0 for none.
     * @return the options.
     * @throws IpamException {@code MALFORMED} for a bad key or a negative lease.
     */
    public static AllocationOptions options(final String key, final long lease)
    {
        if (lease < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "lease_ms must be 0 (none) or positive, was " + lease);
        }
        final AllocationOptions.Builder b = AllocationOptions.builder();
        if (!key.isEmpty())
        {
            b.requestKey(key);
        }
        if (lease > 0)
        {
            b.lease(Duration.ofMillis(lease));
        }
        return b.build();
    }

    /**
     * @param c a change.
     * @return its message.
     */
    public static Change toProto(final io.ipam.core.Change c)
    {
        final Change.Builder b = Change.newBuilder().setSequence(c.sequence())
            .setTimeMs(c.time().toEpochMilli()).setKind(c.kind().name());
        c.tenant().ifPresent(b::setTenant);
        c.subnetId().ifPresent(b::setSubnetId);
        c.address().ifPresent(b::setAddress);
        c.owner().ifPresent(o -> b.setOwner(o.toString()));
        return b.build();
    }

    /**
     * @param c a change message.
     * @return the change.
     */
    public static io.ipam.core.Change fromProto(final Change c)
    {
        final ChangeKind kind;
        try
        {
            kind = ChangeKind.valueOf(c.getKind());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, "unknown change kind " +
                c.getKind());
        }
        return new io.ipam.core.Change(c.getSequence(), Instant.ofEpochMilli(c.getTimeMs()), kind,
            c.hasTenant() ? c.getTenant() : null, c.hasSubnetId() ? c.getSubnetId() : null,
            c.hasAddress() ? c.getAddress() : null, c.hasOwner() ? owner("owner", c.getOwner()) : null);
    }

    /**
     * @param list messages.
     * @return allocations, unmodifiable.
     */
    public static List<io.ipam.core.Allocation> fromProtoAllocations(final List<Allocation> list)
    {
        final List<io.ipam.core.Allocation> out = new ArrayList<>(list.size());
        for (final Allocation a : list)
        {
            out.add(fromProto(a));
        }
        return List.copyOf(out);
    }

    /**
     * @param r a reconcile answer.
     * @return the report; each released allocation carries the time it was made.
     */
    public static ReconcileReport fromProto(final ReconcileResponse r)
    {
        final List<io.ipam.core.Allocation> released = new ArrayList<>(r.getReleasedCount());
        for (int i = 0; i < r.getReleasedCount(); i++)
        {
            final Allocation a = r.getReleased(i);
            released.add(new io.ipam.core.Allocation(a.getSubnetId(), a.getAddress(), owner("owner", a.getOwner()),
                Instant.ofEpochMilli(i < r.getReleasedTimeMsCount() ? r.getReleasedTimeMs(i) : 0), null,
                a.getRouter()));
        }
        return new ReconcileReport(released, r.getDryRun());
    }

    /**
     * @param r a page of the change feed.
     * @return the changes, unmodifiable.
     */
    public static List<io.ipam.core.Change> fromProto(final ListChangesResponse r)
    {
        final List<io.ipam.core.Change> out = new ArrayList<>(r.getChangesCount());
        for (final Change c : r.getChangesList())
        {
            out.add(fromProto(c));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * @param item a port item.
     * @return the message.
     */
    public static io.ipam.proto.v1.AddressRequest toProto(final AddressRequest item)
    {
        final io.ipam.proto.v1.AddressRequest.Builder b = io.ipam.proto.v1.AddressRequest.newBuilder();
        switch (item.kind())
        {
            case ANY:
                return b.setAny(item.subnetId()).build();
            case NEXT:
                return b.setNext(item.subnetId()).build();
            case SPECIFIC:
                return b.setSpecific(SpecificItem.newBuilder().setSubnetId(item.subnetId()).setAddress(item.value()))
                    .build();
            case EUI64:
                return b.setEui64(Eui64Item.newBuilder().setSubnetId(item.subnetId()).setMac(item.value())).build();
            case ANY_OF:
                return b.setAnyOf(SubnetGroup.newBuilder().addAllSubnetIds(item.subnetIds())).build();
            default:
                throw new IpamException(ErrorCode.MALFORMED, "unknown item kind " + item.kind());
        }
    }

    /**
     * @param m the message.
     * @return the port item; an item with nothing set is {@code MALFORMED}.
     */
    public static AddressRequest fromProto(final io.ipam.proto.v1.AddressRequest m)
    {
        switch (m.getItemCase())
        {
            case ANY:
                return AddressRequest.any(m.getAny());
            case NEXT:
                return AddressRequest.next(m.getNext());
            case SPECIFIC:
                return AddressRequest.specific(m.getSpecific().getSubnetId(), m.getSpecific().getAddress());
            case EUI64:
                return AddressRequest.eui64(m.getEui64().getSubnetId(), m.getEui64().getMac());
            case ANY_OF:
                return AddressRequest.anyOf(m.getAnyOf().getSubnetIdsList());
            default:
                throw new IpamException(ErrorCode.MALFORMED, "a port item names no kind");
        }
    }

    /**
     * @param spec a prefix pool spec.
     * @return the request creating it.
     */
    public static CreatePrefixPoolRequest toProto(final PrefixPoolSpec spec)
    {
        final CreatePrefixPoolRequest.Builder b = CreatePrefixPoolRequest.newBuilder().setId(spec.id())
            .addAllPrefixes(spec.prefixes());
        if (spec.minPrefixLength() != PrefixPoolSpec.UNSET)
        {
            b.setMinPrefixLength(spec.minPrefixLength());
        }
        if (spec.maxPrefixLength() != PrefixPoolSpec.UNSET)
        {
            b.setMaxPrefixLength(spec.maxPrefixLength());
        }
        if (spec.defaultPrefixLength() != PrefixPoolSpec.UNSET)
        {
            b.setDefaultPrefixLength(spec.defaultPrefixLength());
        }
        spec.quota().ifPresent(b::setQuota);
        return b.build();
    }

    /**
     * @param r the request.
     * @return the spec.
     */
    public static PrefixPoolSpec fromProto(final CreatePrefixPoolRequest r)
    {
        final PrefixPoolSpec.Builder b = PrefixPoolSpec.builder(r.getId(), r.getPrefixesList());
        if (r.hasMinPrefixLength())
        {
            b.minPrefixLength(r.getMinPrefixLength());
        }
        if (r.hasMaxPrefixLength())
        {
            b.maxPrefixLength(r.getMaxPrefixLength());
        }
        if (r.hasDefaultPrefixLength())
        {
            b.defaultPrefixLength(r.getDefaultPrefixLength());
        }
        if (r.hasQuota())
        {
            b.quota(r.getQuota());
        }
        return b.build();
    }

    /**
     * @param p a pool.
     * @return the message.
     */
    public static PrefixPool toProto(final PrefixPoolInfo p)
    {
        final PrefixPool.Builder b = PrefixPool.newBuilder().setId(p.id()).addAllPrefixes(p.prefixes())
            .setMinPrefixLength(p.minPrefixLength()).setDefaultPrefixLength(p.defaultPrefixLength())
            .setMaxPrefixLength(p.maxPrefixLength()).setChildCount(p.childCount());
        p.quota().ifPresent(b::setQuota);
        return b.build();
    }

    /**
     * @param p the message.
     * @return the pool.
     */
    public static PrefixPoolInfo fromProto(final PrefixPool p)
    {
        return new PrefixPoolInfo(p.getId(), p.getPrefixesList(), p.getMinPrefixLength(), p.getDefaultPrefixLength(),
            p.getMaxPrefixLength(), p.hasQuota() ? OptionalLong.of(p.getQuota()) : OptionalLong.empty(),
            p.getChildCount());
    }

    /**
     * @param s snapshot facts.
     * @return the message.
     */
    public static io.ipam.proto.v1.SnapshotInfo toProto(final SnapshotInfo s)
    {
        return io.ipam.proto.v1.SnapshotInfo.newBuilder().setBytes(s.bytes()).setFormatVersion(s.formatVersion())
            .setSubnets(s.subnets()).setAllocations(s.allocations()).setTakenAtMillis(s.takenAt().toEpochMilli())
            .build();
    }

    /**
     * @param file where the client wrote it.
     * @param s    the message.
     * @return the snapshot facts, naming the client's file.
     */
    public static SnapshotInfo fromProto(final Path file, final io.ipam.proto.v1.SnapshotInfo s)
    {
        return new SnapshotInfo(file, s.getBytes(), s.getFormatVersion(), s.getSubnets(), s.getAllocations(),
            Instant.ofEpochMilli(s.getTakenAtMillis()));
    }
}
