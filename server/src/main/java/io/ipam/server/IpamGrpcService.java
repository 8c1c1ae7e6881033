package io.ipam.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ipam.client.ProtoMapping;
import io.ipam.client.StatusCodes;
import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetUpdate;
import io.ipam.proto.v1.AllocatePortRequest;
import io.ipam.proto.v1.AllocatePortResponse;
import io.ipam.proto.v1.AllocatePrefixRequest;
import io.ipam.proto.v1.AllocatePrefixResponse;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.ChangePrefixesRequest;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetResponse;
import io.ipam.proto.v1.ExpectedAddress;
import io.ipam.proto.v1.GetOwnerRequest;
import io.ipam.proto.v1.GetOwnerResponse;
import io.ipam.proto.v1.GetPrefixPoolRequest;
import io.ipam.proto.v1.GetSubnetRequest;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.LastSequenceRequest;
import io.ipam.proto.v1.LastSequenceResponse;
import io.ipam.proto.v1.ListAllocationsRequest;
import io.ipam.proto.v1.ListAllocationsResponse;
import io.ipam.proto.v1.ListChangesRequest;
import io.ipam.proto.v1.ListChangesResponse;
import io.ipam.proto.v1.ListChildrenRequest;
import io.ipam.proto.v1.ListChildrenResponse;
import io.ipam.proto.v1.ListSubnetsRequest;
import io.ipam.proto.v1.ListSubnetsResponse;
import io.ipam.proto.v1.PrefixPool;
import io.ipam.proto.v1.ReconcileRequest;
import io.ipam.proto.v1.ReconcileResponse;
import io.ipam.proto.v1.ReconcileSubnetRequest;
import io.ipam.proto.v1.ReconcileSubnetResponse;
import io.ipam.proto.v1.ReleaseOwnerRequest;
import io.ipam.proto.v1.ReleaseOwnerResponse;
import io.ipam.proto.v1.ReleasePrefixRequest;
import io.ipam.proto.v1.ReleasePrefixResponse;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.ReleaseResponse;
import io.ipam.proto.v1.RenewRequest;
import io.ipam.proto.v1.RenewResponse;
import io.ipam.proto.v1.SnapshotChunk;
import io.ipam.proto.v1.SnapshotRequest;
import io.ipam.proto.v1.Subnet;
import io.ipam.proto.v1.UpdateGatewayRequest;
import io.ipam.proto.v1.UpdatePoolsRequest;
import io.ipam.proto.v1.UpdateSubnetRequest;

/**
 * The v1 service: each call decodes its message, calls the {@link Ipam} of the caller
 * ({@link AuthInterceptor#ipam()}) and encodes the answer ({@link ProtoMapping}); an {@link IpamException} becomes
 * the status of {@link StatusCodes} ({@link Responses}). {@code Allocate} and {@code Release} are
 * {@link AddressCalls} (asynchronous where the core can: no executor hop of ours), batches are {@link Batches} and
 * {@link BatchStreamHandler}, the snapshot is a {@link SnapshotStream}. Address calls and batches run where gRPC
 * calls them (the transport's thread when the server runs handlers there: the in-process writer answers them in
 * microseconds); every other call, which may take long, is answered on the blocking pool. Thread-safe (stateless
 * apart from its settings).
 */
final class IpamGrpcService extends IpamServiceGrpc.IpamServiceImplBase
{
    private final Batches batches;
    private final Executor blocking;

    /**
     * @param maxBatchItems addresses per batch at most.
     * @param metrics       counts batch operations.
     * @param blocking      where calls that may take long run (admin calls, lists, reconcile, the snapshot's file
     *                      work): the server's pool when handlers run on the transport's threads, or a direct
     *                      executor when gRPC already runs every call on that pool.
     */
    IpamGrpcService(final int maxBatchItems, final ServerMetrics metrics, final Executor blocking)
    {
        this.batches = new Batches(maxBatchItems, metrics);
        this.blocking = blocking;
    }

    /**
     * Answer on the blocking pool, in the call's context (which holds the caller's allocator).
     */
    private <T> void blocking(final StreamObserver<T> out, final Supplier<T> body)
    {
        final Context context = Context.current();
        try
        {
            blocking.execute(context.wrap(() -> Responses.unary(out, body)));
        }
        catch (final RejectedExecutionException ex)
        {
            out.onError(Responses.status(new IpamException(ErrorCode.CLOSED, "the server is stopping")));
        }
    }

    private static Ipam ipam()
    {
        return AuthInterceptor.ipam();
    }

    private static UUID owner(final String text)
    {
        return ProtoMapping.owner("owner", text);
    }

    private static Subnet subnet(final SubnetInfo s)
    {
        return ProtoMapping.toProto(s);
    }

    // ----- subnets ------------------------------------------------------------------------------------------

    @Override
    public void createSubnet(final CreateSubnetRequest request, final StreamObserver<Subnet> out)
    {
        blocking(out, () -> subnet(ipam().createSubnet(ProtoMapping.fromProto(request))));
    }

    @Override
    public void getSubnet(final GetSubnetRequest request, final StreamObserver<Subnet> out)
    {
        blocking(out, () -> subnet(ipam().subnet(request.getSubnetId())));
    }

    @Override
    public void listSubnets(final ListSubnetsRequest request, final StreamObserver<ListSubnetsResponse> out)
    {
        blocking(out, () ->
        {
            final ListSubnetsResponse.Builder b = ListSubnetsResponse.newBuilder();
            for (final SubnetInfo s : ipam().subnets())
            {
                b.addSubnets(subnet(s));
            }
            return b.build();
        });
    }

    @Override
    public void updatePools(final UpdatePoolsRequest request, final StreamObserver<Subnet> out)
    {
        blocking(out, () -> subnet(ipam().updatePools(request.getSubnetId(),
            ProtoMapping.fromProto(request.getPoolsList()))));
    }

    @Override
    public void updateGateway(final UpdateGatewayRequest request, final StreamObserver<Subnet> out)
    {
        blocking(out, () -> subnet(ipam().updateGateway(request.getSubnetId(),
            request.hasGateway() ? request.getGateway() : null)));
    }

    @Override
    public void updateSubnet(final UpdateSubnetRequest request, final StreamObserver<Subnet> out)
    {
        blocking(out, () ->
        {
            final SubnetUpdate.Builder b = SubnetUpdate.builder();
            if (request.getSetPools())
            {
                b.pools(ProtoMapping.fromProto(request.getPoolsList()));
            }
            if (request.getSetGateway())
            {
                if (request.hasGateway())
                {
                    b.gateway(request.getGateway());
                }
                else
                {
                    b.noGateway();
                }
            }
            if (request.hasCooldownMs())
            {
                b.cooldown(Duration.ofMillis(request.getCooldownMs()));
            }
            return subnet(ipam().updateSubnet(request.getSubnetId(), b.build()));
        });
    }

    @Override
    public void deleteSubnet(final DeleteSubnetRequest request, final StreamObserver<DeleteSubnetResponse> out)
    {
        blocking(out, () ->
        {
            ipam().deleteSubnet(request.getSubnetId(), request.getForce());
            return DeleteSubnetResponse.getDefaultInstance();
        });
    }

    // ----- addresses ----------------------------------------------------------------------------------------

    @Override
    public void renew(final RenewRequest request,
        final StreamObserver<RenewResponse> out)
    {
        blocking(out, () ->
        {
            if (request.getLeaseMs() <= 0)
            {
                throw new IpamException(ErrorCode.MALFORMED, "lease_ms must be positive, was " +
                    request.getLeaseMs());
            }
            return RenewResponse.newBuilder().setRenewed(ipam().renew(request.getSubnetId(),
                request.getAddress(), owner(request.getOwner()), Duration.ofMillis(request.getLeaseMs())))
                .build();
        });
    }

    @Override
    public void allocate(final AllocateRequest request, final StreamObserver<AllocateResponse> out)
    {
        Responses.async(out, () -> AddressCalls.allocate(ipam(), request));
    }

    @Override
    public void release(final ReleaseRequest request, final StreamObserver<ReleaseResponse> out)
    {
        Responses.async(out, () -> AddressCalls.release(ipam(), request));
    }

    @Override
    public void releaseOwner(final ReleaseOwnerRequest request, final StreamObserver<ReleaseOwnerResponse> out)
    {
        blocking(out, () -> ReleaseOwnerResponse.newBuilder()
            .setReleased(ipam().releaseOwner(owner(request.getOwner()))).build());
    }

    @Override
    public void getOwner(final GetOwnerRequest request, final StreamObserver<GetOwnerResponse> out)
    {
        blocking(out, () ->
        {
            final Optional<UUID> owner = ipam().owner(request.getSubnetId(), request.getAddress());
            final GetOwnerResponse.Builder b = GetOwnerResponse.newBuilder();
            owner.ifPresent(o -> b.setOwner(o.toString()));
            return b.build();
        });
    }

    @Override
    public void listAllocations(final ListAllocationsRequest request,
        final StreamObserver<ListAllocationsResponse> out)
    {
        blocking(out, () ->
        {
            final ListAllocationsResponse.Builder b = ListAllocationsResponse.newBuilder();
            for (final Allocation a : ipam().allocations(owner(request.getOwner())))
            {
                b.addAllocations(ProtoMapping.toProto(a));
            }
            return b.build();
        });
    }

    @Override
    public void reconcile(final ReconcileRequest request,
        final StreamObserver<ReconcileResponse> out)
    {
        blocking(out, () ->
        {
            final Set<UUID> live = new HashSet<>();
            for (final String o : request.getLiveOwnersList())
            {
                live.add(ProtoMapping.owner("live owner", o));
            }
            if (request.getGraceMs() < 0)
            {
                throw new IpamException(ErrorCode.MALFORMED,
                    "grace must not be negative, was " + request.getGraceMs() + " ms");
            }
            final ReconcileReport report = ipam().reconcile(live,
                Duration.ofMillis(request.getGraceMs()), request.getDryRun());
            final ReconcileResponse.Builder b = ReconcileResponse.newBuilder()
                .setDryRun(report.dryRun());
            for (final Allocation a : report.released())
            {
                b.addReleased(ProtoMapping.toProto(a)).addReleasedTimeMs(a.time().toEpochMilli());
            }
            return b.build();
        });
    }

    @Override
    public void reconcileSubnet(final ReconcileSubnetRequest request,
        final StreamObserver<ReconcileSubnetResponse> out)
    {
        blocking(out, () ->
        {
            if (request.getGraceMs() < 0)
            {
                throw new IpamException(ErrorCode.MALFORMED,
                    "grace must not be negative, was " + request.getGraceMs() + " ms");
            }
            final Map<String, UUID> expected = new LinkedHashMap<>();
            for (final ExpectedAddress e : request.getExpectedList())
            {
                if (expected.put(e.getAddress(), ProtoMapping.owner("owner of " + e.getAddress(), e.getOwner())) !=
                    null)
                {
                    throw new IpamException(ErrorCode.MALFORMED, "address " + e.getAddress() + " is expected twice");
                }
            }
            return ProtoMapping.toProto(ipam().reconcileSubnet(request.getSubnetId(), expected,
                Duration.ofMillis(request.getGraceMs()), request.getDryRun()));
        });
    }

    @Override
    public void listChanges(final ListChangesRequest request,
        final StreamObserver<ListChangesResponse> out)
    {
        blocking(out, () ->
        {
            final ListChangesResponse.Builder b = ListChangesResponse.newBuilder();
            for (final Change c : ipam().changes(request.getAfterSequence(), request.getMax()))
            {
                b.addChanges(ProtoMapping.toProto(c));
            }
            return b.build();
        });
    }

    @Override
    public void lastSequence(final LastSequenceRequest request,
        final StreamObserver<LastSequenceResponse> out)
    {
        blocking(out, () -> LastSequenceResponse.newBuilder().setSequence(ipam().lastSequence())
            .build());
    }

    @Override
    public void allocatePort(final AllocatePortRequest request, final StreamObserver<AllocatePortResponse> out)
    {
        blocking(out, () ->
        {
            final UUID owner = owner(request.getOwner());
            final List<AddressRequest> items = new ArrayList<>(request.getItemsCount());
            for (final io.ipam.proto.v1.AddressRequest item : request.getItemsList())
            {
                items.add(ProtoMapping.fromProto(item));
            }
            final AllocatePortResponse.Builder b = AllocatePortResponse.newBuilder();
            for (final Allocation a : ipam().allocatePort(owner, items,
                ProtoMapping.options(request.getRequestKey(), request.getLeaseMs(), request.getRouter())))
            {
                b.addAllocations(ProtoMapping.toProto(a));
            }
            return b.build();
        });
    }

    // ----- prefix pools -------------------------------------------------------------------------------------

    @Override
    public void createPrefixPool(final CreatePrefixPoolRequest request, final StreamObserver<PrefixPool> out)
    {
        blocking(out, () -> ProtoMapping.toProto(ipam().createPrefixPool(ProtoMapping.fromProto(request))));
    }

    @Override
    public void getPrefixPool(final GetPrefixPoolRequest request, final StreamObserver<PrefixPool> out)
    {
        blocking(out, () -> ProtoMapping.toProto(ipam().prefixPool(request.getPoolId())));
    }

    @Override
    public void allocatePrefix(final AllocatePrefixRequest request, final StreamObserver<AllocatePrefixResponse> out)
    {
        blocking(out, () ->
        {
            final Ipam ipam = ipam();
            final String cidr;
            switch (request.getPickCase())
            {
                case PREFIX_LENGTH:
                    cidr = ipam.allocatePrefix(request.getPoolId(), request.getTenant(), request.getPrefixLength());
                    break;
                case CIDR:
                    cidr = ipam.allocatePrefix(request.getPoolId(), request.getTenant(), request.getCidr());
                    break;
                default:
                    cidr = ipam.allocatePrefix(request.getPoolId(), request.getTenant());
            }
            return AllocatePrefixResponse.newBuilder().setCidr(cidr).build();
        });
    }

    @Override
    public void releasePrefix(final ReleasePrefixRequest request, final StreamObserver<ReleasePrefixResponse> out)
    {
        blocking(out, () -> ReleasePrefixResponse.newBuilder()
            .setReleased(ipam().releasePrefix(request.getPoolId(), request.getCidr())).build());
    }

    @Override
    public void addPrefixes(final ChangePrefixesRequest request, final StreamObserver<PrefixPool> out)
    {
        blocking(out, () -> ProtoMapping.toProto(ipam().addPrefixes(request.getPoolId(),
            request.getPrefixesList())));
    }

    @Override
    public void removePrefixes(final ChangePrefixesRequest request, final StreamObserver<PrefixPool> out)
    {
        blocking(out, () -> ProtoMapping.toProto(ipam().removePrefixes(request.getPoolId(),
            request.getPrefixesList())));
    }

    @Override
    public void listChildren(final ListChildrenRequest request, final StreamObserver<ListChildrenResponse> out)
    {
        blocking(out, () -> ListChildrenResponse.newBuilder()
            .addAllChildren(ipam().children(request.getPoolId())).build());
    }

    // ----- snapshot and batches ----------------------------------------------------------------------------

    @Override
    public void snapshot(final SnapshotRequest request, final StreamObserver<SnapshotChunk> out)
    {
        final Ipam ipam;
        try
        {
            ipam = ipam();
        }
        catch (final RuntimeException ex)
        {
            out.onError(Responses.status(ex));
            return;
        }
        SnapshotStream.start(ipam, (ServerCallStreamObserver<SnapshotChunk>)out, blocking);
    }

    @Override
    public void batch(final BatchRequest request, final StreamObserver<BatchResponse> out)
    {
        Responses.async(out, () -> batches.run(ipam(), request));
    }

    @Override
    public StreamObserver<BatchRequest> batchStream(final StreamObserver<BatchResponse> out)
    {
        return new BatchStreamHandler((ServerCallStreamObserver<BatchResponse>)out, ipam(), batches);
    }
}
