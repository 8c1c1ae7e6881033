package io.ipam.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ipam.client.ProtoMapping;
import io.ipam.client.StatusCodes;
import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.proto.v1.AllocatePortRequest;
import io.ipam.proto.v1.AllocatePortResponse;
import io.ipam.proto.v1.AllocatePrefixRequest;
import io.ipam.proto.v1.AllocatePrefixResponse;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.BatchResult;
import io.ipam.proto.v1.ChangePrefixesRequest;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetResponse;
import io.ipam.proto.v1.Error;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The v1 service: each call decodes its message, calls the {@link Ipam} of the caller (from
 * {@link AuthInterceptor#IPAM}) and encodes the answer; an {@link IpamException} becomes the status of
 * {@link StatusCodes}. Allocate-any and release-without-owner use the core's asynchronous calls, which answer on
 * a completion thread: no executor hop of ours. Thread-safe (stateless apart from its settings).
 */
final class IpamGrpcService extends IpamServiceGrpc.IpamServiceImplBase
{
    /** Snapshot bytes per streamed message. */
    static final int SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

    /** Batches a BatchStream works on at once before it reads the next one. */
    static final int STREAM_WINDOW = 4;

    private static final Logger LOG = LoggerFactory.getLogger(IpamGrpcService.class);

    private final int maxBatchItems;
    private final ServerMetrics metrics;

    IpamGrpcService(final int maxBatchItems, final ServerMetrics metrics)
    {
        this.maxBatchItems = maxBatchItems;
        this.metrics = metrics;
    }

    private static Ipam ipam()
    {
        final Ipam ipam = AuthInterceptor.IPAM.get();
        if (ipam == null)
        {
            throw new IpamException(ErrorCode.INTERNAL, "no allocator bound to this call");
        }
        return ipam;
    }

    private static StatusRuntimeException status(final Throwable thrown)
    {
        final Throwable t = thrown instanceof CompletionException && thrown.getCause() != null ?
            thrown.getCause() : thrown;
        if (t instanceof IpamException)
        {
            return StatusCodes.toStatus((IpamException)t);
        }
        if (t instanceof StatusRuntimeException)
        {
            return (StatusRuntimeException)t;
        }
        LOG.warn("unexpected fault in a call", t);
        return StatusCodes.toStatus(new IpamException(ErrorCode.INTERNAL, "server fault"));
    }

    private static <T> void unary(final StreamObserver<T> out, final Supplier<T> body)
    {
        final T value;
        try
        {
            value = body.get();
        }
        catch (final RuntimeException ex)
        {
            out.onError(status(ex));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    private static <T> void async(final StreamObserver<T> out, final Supplier<CompletableFuture<T>> body)
    {
        final CompletableFuture<T> future;
        try
        {
            future = body.get();
        }
        catch (final RuntimeException ex)
        {
            out.onError(status(ex));
            return;
        }
        future.whenComplete((value, failure) ->
        {
            if (failure != null)
            {
                out.onError(status(failure));
            }
            else
            {
                out.onNext(value);
                out.onCompleted();
            }
        });
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
        unary(out, () -> subnet(ipam().createSubnet(ProtoMapping.fromProto(request))));
    }

    @Override
    public void getSubnet(final GetSubnetRequest request, final StreamObserver<Subnet> out)
    {
        unary(out, () -> subnet(ipam().subnet(request.getSubnetId())));
    }

    @Override
    public void listSubnets(final ListSubnetsRequest request, final StreamObserver<ListSubnetsResponse> out)
    {
        unary(out, () ->
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
        unary(out, () -> subnet(ipam().updatePools(request.getSubnetId(),
            ProtoMapping.fromProto(request.getPoolsList()))));
    }

    @Override
    public void updateGateway(final UpdateGatewayRequest request, final StreamObserver<Subnet> out)
    {
        unary(out, () -> subnet(ipam().updateGateway(request.getSubnetId(),
            request.hasGateway() ? request.getGateway() : null)));
    }

    @Override
    public void deleteSubnet(final DeleteSubnetRequest request, final StreamObserver<DeleteSubnetResponse> out)
    {
        unary(out, () ->
        {
            ipam().deleteSubnet(request.getSubnetId(), request.getForce());
            return DeleteSubnetResponse.getDefaultInstance();
        });
    }

    // ----- addresses ----------------------------------------------------------------------------------------

    private static AllocateResponse one(final String address)
    {
        return AllocateResponse.newBuilder().addAddresses(address).build();
    }

    /**
     * Serve an allocate request, asynchronously where the core can.
     */
    private static CompletableFuture<AllocateResponse> allocate(final Ipam ipam, final AllocateRequest r)
    {
        final UUID owner = owner(r.getOwner());
        final String subnetId = r.getSubnetId();
        if (!r.getRequestKey().isEmpty() || r.getLeaseMs() != 0)
        {
            return CompletableFuture.completedFuture(allocateWithOptions(ipam, r, owner,
                ProtoMapping.options(r.getRequestKey(), r.getLeaseMs())));
        }
        switch (r.getPickCase())
        {
            case PICK_NOT_SET:
                return ipam.allocateAsync(subnetId, owner).thenApply(IpamGrpcService::one);
            case NEXT:
                if (!r.getNext())
                {
                    return ipam.allocateAsync(subnetId, owner).thenApply(IpamGrpcService::one);
                }
                return CompletableFuture.completedFuture(one(ipam.allocateNext(subnetId, owner)));
            case ADDRESS:
                return CompletableFuture.completedFuture(one(ipam.allocate(subnetId, r.getAddress(), owner)));
            case MAC:
                return CompletableFuture.completedFuture(one(ipam.allocateEui64(subnetId, r.getMac(), owner)));
            case COUNT:
                return CompletableFuture.completedFuture(AllocateResponse.newBuilder()
                    .addAllAddresses(ipam.allocateBulk(subnetId, owner, r.getCount())).build());
            default:
                throw new IpamException(ErrorCode.MALFORMED, "unknown allocation kind");
        }
    }

    /**
     * An allocation with a key or lease (SPEC 9): any and bulk directly, the other kinds as a one-item port request
     * (the library's calls with options), so that every kind can be retried safely.
     */
    private static AllocateResponse allocateWithOptions(final Ipam ipam, final AllocateRequest r, final UUID owner,
        final AllocationOptions options)
    {
        final String subnetId = r.getSubnetId();
        final io.ipam.core.AddressRequest item;
        switch (r.getPickCase())
        {
            case PICK_NOT_SET:
                return one(ipam.allocate(subnetId, owner, options));
            case COUNT:
                return AllocateResponse.newBuilder()
                    .addAllAddresses(ipam.allocateBulk(subnetId, owner, r.getCount(), options)).build();
            case NEXT:
                item = r.getNext() ? io.ipam.core.AddressRequest.next(subnetId) :
                    io.ipam.core.AddressRequest.any(subnetId);
                break;
            case ADDRESS:
                item = io.ipam.core.AddressRequest.specific(subnetId, r.getAddress());
                break;
            case MAC:
                item = io.ipam.core.AddressRequest.eui64(subnetId, r.getMac());
                break;
            default:
                throw new IpamException(ErrorCode.MALFORMED, "unknown allocation kind");
        }
        return one(ipam.allocatePort(owner, List.of(item), options).get(0).address());
    }

    @Override
    public void renew(final RenewRequest request,
        final StreamObserver<RenewResponse> out)
    {
        unary(out, () ->
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

    private static CompletableFuture<ReleaseResponse> release(final Ipam ipam, final ReleaseRequest r)
    {
        if (r.hasOwner())
        {
            final UUID owner = owner(r.getOwner());
            return CompletableFuture.completedFuture(ReleaseResponse.newBuilder()
                .setReleased(ipam.release(r.getSubnetId(), r.getAddress(), owner)).build());
        }
        return ipam.releaseAsync(r.getSubnetId(), r.getAddress())
            .thenApply(released -> ReleaseResponse.newBuilder().setReleased(released).build());
    }

    @Override
    public void allocate(final AllocateRequest request, final StreamObserver<AllocateResponse> out)
    {
        async(out, () -> allocate(ipam(), request));
    }

    @Override
    public void release(final ReleaseRequest request, final StreamObserver<ReleaseResponse> out)
    {
        async(out, () -> release(ipam(), request));
    }

    @Override
    public void releaseOwner(final ReleaseOwnerRequest request, final StreamObserver<ReleaseOwnerResponse> out)
    {
        unary(out, () -> ReleaseOwnerResponse.newBuilder()
            .setReleased(ipam().releaseOwner(owner(request.getOwner()))).build());
    }

    @Override
    public void getOwner(final GetOwnerRequest request, final StreamObserver<GetOwnerResponse> out)
    {
        unary(out, () ->
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
        unary(out, () ->
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
        unary(out, () ->
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
    public void listChanges(final ListChangesRequest request,
        final StreamObserver<ListChangesResponse> out)
    {
        unary(out, () ->
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
        unary(out, () -> LastSequenceResponse.newBuilder().setSequence(ipam().lastSequence())
            .build());
    }

    @Override
    public void allocatePort(final AllocatePortRequest request, final StreamObserver<AllocatePortResponse> out)
    {
        unary(out, () ->
        {
            final UUID owner = owner(request.getOwner());
            final List<AddressRequest> items = new ArrayList<>(request.getItemsCount());
            for (final io.ipam.proto.v1.AddressRequest item : request.getItemsList())
            {
                items.add(ProtoMapping.fromProto(item));
            }
            final AllocatePortResponse.Builder b = AllocatePortResponse.newBuilder();
            for (final Allocation a : ipam().allocatePort(owner, items,
                ProtoMapping.options(request.getRequestKey(), request.getLeaseMs())))
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
        unary(out, () -> ProtoMapping.toProto(ipam().createPrefixPool(ProtoMapping.fromProto(request))));
    }

    @Override
    public void getPrefixPool(final GetPrefixPoolRequest request, final StreamObserver<PrefixPool> out)
    {
        unary(out, () -> ProtoMapping.toProto(ipam().prefixPool(request.getPoolId())));
    }

    @Override
    public void allocatePrefix(final AllocatePrefixRequest request, final StreamObserver<AllocatePrefixResponse> out)
    {
        unary(out, () ->
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
        unary(out, () -> ReleasePrefixResponse.newBuilder()
            .setReleased(ipam().releasePrefix(request.getPoolId(), request.getCidr())).build());
    }

    @Override
    public void addPrefixes(final ChangePrefixesRequest request, final StreamObserver<PrefixPool> out)
    {
        unary(out, () -> ProtoMapping.toProto(ipam().addPrefixes(request.getPoolId(), request.getPrefixesList())));
    }

    @Override
    public void removePrefixes(final ChangePrefixesRequest request, final StreamObserver<PrefixPool> out)
    {
        unary(out, () -> ProtoMapping.toProto(ipam().removePrefixes(request.getPoolId(),
            request.getPrefixesList())));
    }

    @Override
    public void listChildren(final ListChildrenRequest request, final StreamObserver<ListChildrenResponse> out)
    {
        unary(out, () -> ListChildrenResponse.newBuilder().addAllChildren(ipam().children(request.getPoolId()))
            .build());
    }

    // ----- snapshot -----------------------------------------------------------------------------------------

    @Override
    public void snapshot(final SnapshotRequest request, final StreamObserver<SnapshotChunk> out)
    {
        final ServerCallStreamObserver<SnapshotChunk> call = (ServerCallStreamObserver<SnapshotChunk>)out;
        final Path tmp;
        final SnapshotInfo info;
        final InputStream in;
        try
        {
            final Ipam ipam = ipam();
            tmp = Files.createTempFile("ipam-serve-", ".snap");
            try
            {
                info = ipam.snapshot(tmp);
                in = Files.newInputStream(tmp);
            }
            catch (final IOException | RuntimeException ex)
            {
                Files.deleteIfExists(tmp);
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            out.onError(status(new IpamException(ErrorCode.STORE_IO, "cannot stage the snapshot: " + ex.getMessage())));
            return;
        }
        catch (final RuntimeException ex)
        {
            out.onError(status(ex));
            return;
        }
        new SnapshotSender(call, tmp, in, info).start();
    }

    /** Streams a staged snapshot file as the client reads it (flow control: never more than is asked). */
    private static final class SnapshotSender
    {
        private final ServerCallStreamObserver<SnapshotChunk> call;
        private final Path file;
        private final InputStream in;
        private final SnapshotInfo info;
        private final byte[] buffer = new byte[SNAPSHOT_CHUNK_BYTES];
        private long sent;
        private boolean done;

        SnapshotSender(final ServerCallStreamObserver<SnapshotChunk> call, final Path file, final InputStream in,
            final SnapshotInfo info)
        {
            this.call = call;
            this.file = file;
            this.in = in;
            this.info = info;
        }

        void start()
        {
            call.setOnCancelHandler(this::cleanUp);
            call.setOnReadyHandler(this::pump);
            pump();
        }

        private synchronized void pump()
        {
            try
            {
                while (!done && call.isReady())
                {
                    final int n = in.readNBytes(buffer, 0, buffer.length);
                    sent += n;
                    final boolean last = n < buffer.length || sent == info.bytes();
                    final SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder()
                        .setData(ByteString.copyFrom(buffer, 0, n));
                    if (last)
                    {
                        chunk.setInfo(ProtoMapping.toProto(info));
                    }
                    call.onNext(chunk.build());
                    if (last)
                    {
                        done = true;
                        cleanUp();
                        call.onCompleted();
                    }
                }
            }
            catch (final IOException ex)
            {
                done = true;
                cleanUp();
                call.onError(status(new IpamException(ErrorCode.STORE_IO, "cannot read the staged snapshot")));
            }
        }

        private synchronized void cleanUp()
        {
            done = true;
            try
            {
                in.close();
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                LOG.warn("cannot delete staged snapshot {}", file);
            }
        }
    }

    // ----- batches ------------------------------------------------------------------------------------------

    private static BatchResult error(final Throwable thrown)
    {
        final Throwable t = thrown instanceof CompletionException && thrown.getCause() != null ?
            thrown.getCause() : thrown;
        if (t instanceof IpamException)
        {
            final IpamException ex = (IpamException)t;
            final String prefix = ex.code().name() + ": ";
            final String message = ex.getMessage().startsWith(prefix) ?
                ex.getMessage().substring(prefix.length()) : ex.getMessage();
            return BatchResult.newBuilder().setError(Error.newBuilder()
                .setCodeValue(ex.code().value()).setMessage(message)).build();
        }
        LOG.warn("unexpected fault in a batch operation", t);
        return BatchResult.newBuilder().setError(Error.newBuilder()
            .setCodeValue(ErrorCode.INTERNAL.value()).setMessage("server fault")).build();
    }

    /**
     * Run one batch: every operation is submitted in order from this thread (so they are applied in order),
     * asynchronous ones without waiting; the answer completes when the last one has.
     */
    CompletableFuture<BatchResponse> runBatch(final Ipam ipam, final BatchRequest request)
    {
        long items = 0;
        for (final BatchOp op : request.getOpsList())
        {
            items += op.hasAllocate() && op.getAllocate().getPickCase() == AllocateRequest.PickCase.COUNT ?
                Math.max(1, op.getAllocate().getCount()) : 1;
        }
        if (items > maxBatchItems)
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a batch holds " + items +
                " addresses; the bound is " + maxBatchItems);
        }
        metrics.onBatchOps(request.getOpsCount());
        @SuppressWarnings({"unchecked", "rawtypes"})
        final CompletableFuture<BatchResult>[] results = new CompletableFuture[request.getOpsCount()];
        for (int i = 0; i < results.length; i++)
        {
            final BatchOp op = request.getOps(i);
            CompletableFuture<BatchResult> result;
            try
            {
                switch (op.getOpCase())
                {
                    case ALLOCATE:
                        result = allocate(ipam, op.getAllocate())
                            .thenApply(r -> BatchResult.newBuilder().setAllocated(r).build());
                        break;
                    case RELEASE:
                        result = release(ipam, op.getRelease())
                            .thenApply(r -> BatchResult.newBuilder().setReleased(r).build());
                        break;
                    default:
                        throw new IpamException(ErrorCode.MALFORMED, "batch operation " + i + " names no kind");
                }
                result = result.exceptionally(IpamGrpcService::error);
            }
            catch (final RuntimeException ex)
            {
                result = CompletableFuture.completedFuture(error(ex));
            }
            results[i] = result;
        }
        return CompletableFuture.allOf(results).thenApply(ignored ->
        {
            final BatchResponse.Builder b = BatchResponse.newBuilder();
            for (final CompletableFuture<BatchResult> r : results)
            {
                b.addResults(r.join());
            }
            return b.build();
        });
    }

    @Override
    public void batch(final BatchRequest request, final StreamObserver<BatchResponse> out)
    {
        async(out, () -> runBatch(ipam(), request));
    }

    @Override
    public StreamObserver<BatchRequest> batchStream(final StreamObserver<BatchResponse> out)
    {
        final ServerCallStreamObserver<BatchResponse> call = (ServerCallStreamObserver<BatchResponse>)out;
        final Ipam ipam = ipam();
        return new BatchStreamHandler(call, ipam);
    }

    /**
     * One BatchStream: at most {@link #STREAM_WINDOW} batches in progress, answers in order, and the next batch is
     * read only when an answer has gone out and the client is reading (so a client that sends without reading
     * cannot make the server buffer answers).
     */
    private final class BatchStreamHandler implements StreamObserver<BatchRequest>
    {
        private final ServerCallStreamObserver<BatchResponse> call;
        private final Ipam ipam;
        private final ArrayDeque<CompletableFuture<BatchResponse>> pending = new ArrayDeque<>();
        private int owedRequests;
        private boolean inputDone;
        private boolean finished;

        BatchStreamHandler(final ServerCallStreamObserver<BatchResponse> call, final Ipam ipam)
        {
            this.call = call;
            this.ipam = ipam;
            call.disableAutoRequest();
            call.setOnReadyHandler(this::onReady);
            call.setOnCancelHandler(this::onCancelled);
            call.request(STREAM_WINDOW);
        }

        @Override
        public void onNext(final BatchRequest request)
        {
            CompletableFuture<BatchResponse> future;
            try
            {
                future = runBatch(ipam, request);
            }
            catch (final RuntimeException ex)
            {
                future = CompletableFuture.failedFuture(ex);
            }
            synchronized (this)
            {
                pending.addLast(future);
            }
            future.whenComplete((r, t) -> drain());
        }

        private void drain()
        {
            synchronized (this)
            {
                while (!finished && !pending.isEmpty() && pending.peekFirst().isDone())
                {
                    final CompletableFuture<BatchResponse> head = pending.pollFirst();
                    try
                    {
                        call.onNext(head.join());
                    }
                    catch (final CompletionException ex)
                    {
                        finished = true;
                        call.onError(status(ex));
                        return;
                    }
                    owedRequests++;
                }
                if (!finished && inputDone && pending.isEmpty())
                {
                    finished = true;
                    call.onCompleted();
                    return;
                }
            }
            onReady();
        }

        private void onReady()
        {
            int n;
            synchronized (this)
            {
                if (finished || !call.isReady())
                {
                    return;
                }
                n = owedRequests;
                owedRequests = 0;
            }
            if (n > 0)
            {
                call.request(n);
            }
        }

        private synchronized void onCancelled()
        {
            finished = true;
            pending.clear();
        }

        @Override
        public void onError(final Throwable t)
        {
            onCancelled();
        }

        @Override
        public void onCompleted()
        {
            synchronized (this)
            {
                inputDone = true;
            }
            drain();
        }
    }
}
