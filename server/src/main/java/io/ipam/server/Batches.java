package io.ipam.server;

import java.util.concurrent.CompletableFuture;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.BatchResult;
import io.ipam.proto.v1.Error;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Batch} and each message of a {@code BatchStream}: at most {@code maxBatchItems} addresses (a bulk of N counts
 * N) or the whole batch is {@code BULK_TOO_LARGE} before anything is applied; then every operation is submitted in
 * order from the calling thread (so they are applied in order), asynchronous ones without waiting, and each succeeds
 * or fails on its own: a failure is its result's {@code Error}, never the call's status. Thread-safe.
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
                        result = AddressCalls.allocate(ipam, op.getAllocate())
                            .thenApply(r -> BatchResult.newBuilder().setAllocated(r).build());
                        break;
                    case RELEASE:
                        result = AddressCalls.release(ipam, op.getRelease())
                            .thenApply(r -> BatchResult.newBuilder().setReleased(r).build());
                        break;
                    default:
                        throw new IpamException(ErrorCode.MALFORMED, "batch operation " + i + " names no kind");
                }
                result = result.exceptionally(Batches::error);
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
