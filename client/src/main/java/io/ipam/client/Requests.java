package io.ipam.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.SubnetSpec;
import io.ipam.core.SubnetUpdate;
import io.ipam.proto.v1.AllocatePortRequest;
import io.ipam.proto.v1.AllocatePrefixRequest;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.ChangePrefixesRequest;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.ExpectedAddress;
import io.ipam.proto.v1.ReconcileRequest;
import io.ipam.proto.v1.ReconcileSubnetRequest;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.RenewRequest;
import io.ipam.proto.v1.UpdatePoolsRequest;
import io.ipam.proto.v1.UpdateSubnetRequest;

/**
 * The request messages of {@link GrpcIpam} built from the {@link io.ipam.core.Ipam} arguments. Anything null is
 * refused here as {@code MALFORMED}, as the embedded allocator refuses it, because proto3 cannot carry a null and
 * the server would see an empty value instead. Everything else is the server's to check. Stateless.
 */
final class Requests
{
    private Requests()
    {
    }

    /**
     * @param value an argument.
     * @param name  what it is, for the message.
     * @throws IpamException {@code MALFORMED} if it is null.
     */
    static void notNull(final Object value, final String name)
    {
        if (value == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, name + " is null");
        }
    }

    static CreateSubnetRequest createSubnet(final SubnetSpec spec)
    {
        notNull(spec, "spec");
        notNull(spec.id(), "subnet id");
        notNull(spec.cidr(), "cidr");
        notNull(spec.strategy(), "strategy");
        for (final IpRange r : spec.pools())
        {
            notNull(r, "pool");
        }
        return ProtoMapping.toProto(spec);
    }

    static UpdatePoolsRequest updatePools(final String subnetId, final List<IpRange> pools)
    {
        notNull(subnetId, "subnet id");
        notNull(pools, "pools");
        final UpdatePoolsRequest.Builder b = UpdatePoolsRequest.newBuilder().setSubnetId(subnetId);
        for (final IpRange r : pools)
        {
            notNull(r, "pool");
            b.addPools(ProtoMapping.toProto(r));
        }
        return b.build();
    }

    static AllocateRequest.Builder allocate(final String subnetId, final UUID owner)
    {
        notNull(subnetId, "subnet id");
        notNull(owner, "owner");
        return AllocateRequest.newBuilder().setSubnetId(subnetId).setOwner(owner.toString());
    }

    static AllocateRequest.Builder withOptions(final AllocateRequest.Builder b, final AllocationOptions options)
    {
        notNull(options, "options");
        options.requestKey().ifPresent(b::setRequestKey);
        options.lease().ifPresent(l -> b.setLeaseMs(l.toMillis()));
        return b.setRouter(options.router());
    }

    static UpdateSubnetRequest updateSubnet(final String subnetId, final SubnetUpdate update)
    {
        notNull(subnetId, "subnet id");
        notNull(update, "subnet update");
        final UpdateSubnetRequest.Builder b = UpdateSubnetRequest.newBuilder().setSubnetId(subnetId);
        if (update.changesPools())
        {
            notNull(update.pools(), "pool list");
            b.setSetPools(true);
            for (final IpRange r : update.pools())
            {
                notNull(r, "pool");
                b.addPools(io.ipam.proto.v1.IpRange.newBuilder().setFirst(r.first()).setLast(r.last()));
            }
        }
        if (update.changesGateway())
        {
            b.setSetGateway(true);
            if (!update.removesGateway())
            {
                notNull(update.gateway(), "gateway (use noGateway() for none)");
                b.setGateway(update.gateway());
            }
        }
        if (update.changesCooldown())
        {
            notNull(update.cooldown(), "cooldown");
            b.setCooldownMs(update.cooldown().toMillis());
        }
        return b.build();
    }

    static ReconcileSubnetRequest reconcileSubnet(final String subnetId, final Map<String, UUID> expected,
        final Duration grace, final boolean dryRun)
    {
        notNull(subnetId, "subnet id");
        notNull(expected, "expected address map");
        notNull(grace, "grace");
        final ReconcileSubnetRequest.Builder b = ReconcileSubnetRequest.newBuilder().setSubnetId(subnetId)
            .setGraceMs(grace.toMillis()).setDryRun(dryRun);
        for (final Map.Entry<String, UUID> e : expected.entrySet())
        {
            notNull(e.getKey(), "expected address");
            notNull(e.getValue(), "owner of expected address " + e.getKey());
            b.addExpected(ExpectedAddress.newBuilder().setAddress(e.getKey()).setOwner(e.getValue().toString()));
        }
        return b.build();
    }

    static RenewRequest renew(final String subnetId, final String address, final UUID owner, final Duration lease)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        notNull(owner, "owner");
        AllocationOptions.checkLease(lease);
        return RenewRequest.newBuilder().setSubnetId(subnetId).setAddress(address).setOwner(owner.toString())
            .setLeaseMs(lease.toMillis()).build();
    }

    static ReleaseRequest release(final String subnetId, final String address)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        return ReleaseRequest.newBuilder().setSubnetId(subnetId).setAddress(address).build();
    }

    static ReleaseRequest release(final String subnetId, final String address, final UUID owner)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        notNull(owner, "owner");
        return ReleaseRequest.newBuilder().setSubnetId(subnetId).setAddress(address).setOwner(owner.toString())
            .build();
    }

    static ReconcileRequest reconcile(final Set<UUID> liveOwners, final Duration grace, final boolean dryRun)
    {
        notNull(liveOwners, "live owner set");
        notNull(grace, "grace");
        final ReconcileRequest.Builder b = ReconcileRequest.newBuilder().setGraceMs(grace.toMillis())
            .setDryRun(dryRun);
        for (final UUID o : liveOwners)
        {
            notNull(o, "live owner");
            b.addLiveOwners(o.toString());
        }
        return b.build();
    }

    static AllocatePortRequest allocatePort(final UUID owner, final List<AddressRequest> items,
        final AllocationOptions options)
    {
        notNull(owner, "owner");
        notNull(items, "items");
        notNull(options, "options");
        final AllocatePortRequest.Builder b = AllocatePortRequest.newBuilder().setOwner(owner.toString());
        options.requestKey().ifPresent(b::setRequestKey);
        options.lease().ifPresent(l -> b.setLeaseMs(l.toMillis()));
        b.setRouter(options.router());
        for (final AddressRequest item : items)
        {
            notNull(item, "item");
            if (item.kind() == AddressRequest.Kind.ANY_OF)
            {
                notNull(item.subnetIds(), "subnet ids");
                for (final String id : item.subnetIds())
                {
                    notNull(id, "subnet id");
                }
            }
            else
            {
                notNull(item.subnetId(), "subnet id");
                if (item.kind() == AddressRequest.Kind.SPECIFIC || item.kind() == AddressRequest.Kind.EUI64)
                {
                    notNull(item.value(), item.kind() == AddressRequest.Kind.EUI64 ? "mac" : "address");
                }
            }
            b.addItems(ProtoMapping.toProto(item));
        }
        return b.build();
    }

    static CreatePrefixPoolRequest createPrefixPool(final PrefixPoolSpec spec)
    {
        notNull(spec, "spec");
        notNull(spec.id(), "pool id");
        notNull(spec.prefixes(), "prefixes");
        for (final String p : spec.prefixes())
        {
            notNull(p, "prefix");
        }
        return ProtoMapping.toProto(spec);
    }

    static AllocatePrefixRequest.Builder allocatePrefix(final String poolId, final String tenant)
    {
        notNull(poolId, "pool id");
        notNull(tenant, "tenant");
        return AllocatePrefixRequest.newBuilder().setPoolId(poolId).setTenant(tenant);
    }

    static ChangePrefixesRequest changePrefixes(final String poolId, final List<String> prefixes)
    {
        notNull(poolId, "pool id");
        notNull(prefixes, "prefixes");
        for (final String p : prefixes)
        {
            notNull(p, "prefix");
        }
        return ChangePrefixesRequest.newBuilder().setPoolId(poolId).addAllPrefixes(prefixes).build();
    }
}
