package io.ipam.server;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.ipam.client.ProtoMapping;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.BatchResult;
import io.ipam.proto.v1.Error;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.ReleaseResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Batch} and each message of a {@code BatchStream}: at most {@code maxBatchItems} addresses (a bulk of N counts
 * N) or the whole batch is {@code BULK_TOO_LARGE} before anything is applied. The operations are taken in runs, in
 * order: a run of plain allocations and releases (no request key, no lease) is one {@link IpamBatch}, which the
 * in-process allocator applies as one {@code BATCH} command ({@link Ipam#applyAsync}: no future per operation); an
 * operation with a key or a lease runs alone between runs, as its unary call would. Each operation succeeds or fails
 * on its own: a failure is its result's {@code Error}, never the call's status. Thread-safe.
 */
final class Batches
{
    private static final Logger LOG = LoggerFactory.getLogger(Batches.class);

    private final int maxBatchItems;
    private final ServerMetrics metrics;

    Batches(final int maxBatchItems, final ServerMetrics metrics)
    {
        this.maxBatchItems = maxBatchItems;
        this.metrics = metrics;
    }

    /**
     * Run one batch.
     *
     * @param ipam    the caller's allocator.
     * @param request the batch.
     * @return the answer, complete when the last operation is.
     * @throws IpamException {@code BULK_TOO_LARGE} when the batch asks for too many addresses.
     */
    CompletableFuture<BatchResponse> run(final Ipam ipam, final BatchRequest request)
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
        return new Run(ipam, request).from(0);
    }

    /**
     * @return true for an operation that goes into an {@link IpamBatch}: a release, or an allocation without a key
     * or lease.
     */
    private static boolean plain(final BatchOp op)
    {
        return op.hasRelease() || op.hasAllocate() && op.getAllocate().getRequestKey().isEmpty() &&
            op.getAllocate().getLeaseMs() == 0;
    }

    /**
     * One batch request's progress: results so far, and where the next run starts.
     */
    private static final class Run
    {
        final Ipam ipam;
        final BatchRequest request;
        final BatchResponse.Builder response = BatchResponse.newBuilder();

        Run(final Ipam ipam, final BatchRequest request)
        {
            this.ipam = ipam;
            this.request = request;
        }

        /**
         * Answer the operations from index {@code i} on, run after run, without waiting where the allocator answers
         * later.
         */
        CompletableFuture<BatchResponse> from(final int start)
        {
            final int n = request.getOpsCount();
            int i = start;
            while (i < n)
            {
                final BatchOp op = request.getOps(i);
                if (!plain(op))
                {
                    response.addResults(single(op, i));
                    i++;
                    continue;
                }
                final IpamBatch batch = new IpamBatch();
                final int first = i;
                while (i < n && plain(request.getOps(i)))
                {
                    add(batch, request.getOps(i));
                    i++;
                }
                final int next = i;
                final CompletableFuture<IpamBatch> applied = ipam.applyAsync(batch);
                if (!applied.isDone())
                {
                    return applied.handle((b, failure) -> answered(batch, first, failure))
                        .thenCompose(ignored -> from(next));
                }
                answered(batch, first, applied.isCompletedExceptionally() ? failure(applied) : null);
            }
            return CompletableFuture.completedFuture(response.build());
        }

        private static Throwable failure(final CompletableFuture<IpamBatch> f)
        {
            try
            {
                f.join();
                return null;
            }
            catch (final RuntimeException ex)
            {
                return ex;
            }
        }

        /**
         * The results of a run: one per operation, or the run's failure as each operation's error.
         */
        private Void answered(final IpamBatch batch, final int first, final Throwable failure)
        {
            for (int k = 0; k < batch.size(); k++)
            {
                if (failure != null)
                {
                    response.addResults(error(failure));
                    continue;
                }
                final BatchOp op = request.getOps(first + k);
                if (!batch.ok(k))
                {
                    response.addResults(error(batch.error(k)));
                }
                else if (op.hasRelease())
                {
                    response.addResults(BatchResult.newBuilder()
                        .setReleased(ReleaseResponse.newBuilder().setReleased(batch.released(k))));
                }
                else if (batch.op(k) == IpamBatch.Op.ALLOCATE_BULK)
                {
                    response.addResults(BatchResult.newBuilder()
                        .setAllocated(AllocateResponse.newBuilder().addAllAddresses(batch.addresses(k))));
                }
                else
                {
                    response.addResults(BatchResult.newBuilder()
                        .setAllocated(AllocateResponse.newBuilder().addAddresses(batch.address(k))));
                }
            }
            return null;
        }

        /**
         * An operation with a key or a lease, as its unary call (it may wait on the store).
         */
        private BatchResult single(final BatchOp op, final int i)
        {
            try
            {
                if (!op.hasAllocate())
                {
                    throw new IpamException(ErrorCode.MALFORMED, "batch operation " + i + " names no kind");
                }
                return BatchResult.newBuilder().setAllocated(AddressCalls.allocate(ipam, op.getAllocate()).join())
                    .build();
            }
            catch (final RuntimeException ex)
            {
                return error(ex);
            }
        }
    }

    /**
     * Add a plain operation to a batch; one that cannot be read keeps its place as an invalid operation.
     */
    private static void add(final IpamBatch batch, final BatchOp op)
    {
        try
        {
            if (op.hasRelease())
            {
                final ReleaseRequest r = op.getRelease();
                if (r.hasOwner())
                {
                    batch.release(r.getSubnetId(), r.getAddress(), ProtoMapping.owner("owner", r.getOwner()));
                }
                else
                {
                    batch.release(r.getSubnetId(), r.getAddress());
                }
                return;
            }
            final AllocateRequest a = op.getAllocate();
            final String subnetId = a.getSubnetId();
            final UUID owner = ProtoMapping.owner("owner", a.getOwner());
            switch (a.getPickCase())
            {
                case PICK_NOT_SET:
                    batch.allocate(subnetId, owner);
                    break;
                case NEXT:
                    if (a.getNext())
                    {
                        batch.allocateNext(subnetId, owner);
                    }
                    else
                    {
                        batch.allocate(subnetId, owner);
                    }
                    break;
                case ADDRESS:
                    batch.allocate(subnetId, a.getAddress(), owner);
                    break;
                case MAC:
                    batch.allocateEui64(subnetId, a.getMac(), owner);
                    break;
                case COUNT:
                    batch.allocateBulk(subnetId, owner, a.getCount());
                    break;
                default:
                    throw new IpamException(ErrorCode.MALFORMED, "unknown allocation kind");
            }
        }
        catch (final IpamException ex)
        {
            batch.invalid(ex);
        }
    }

    private static BatchResult error(final Throwable thrown)
    {
        final Throwable t = Responses.unwrap(thrown);
        if (t instanceof IpamException)
        {
            final IpamException ex = (IpamException)t;
            return BatchResult.newBuilder().setError(Error.newBuilder()
                .setCodeValue(ex.code().value()).setMessage(ex.reason())).build();
        }
        LOG.warn("unexpected fault in a batch operation", t);
        return BatchResult.newBuilder().setError(Error.newBuilder()
            .setCodeValue(ErrorCode.INTERNAL.value()).setMessage("server fault")).build();
    }
}
