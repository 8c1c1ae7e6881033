package io.ipam.client;

import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.BatchResult;
import io.ipam.proto.v1.ReleaseRequest;

/**
 * An {@link IpamBatch} as one {@code Batch} call: each operation as a {@code BatchOp} (one with a null input fails
 * here, alone, and is not sent), each {@code BatchResult} back into the batch, an {@code Error} as the
 * {@link IpamException} of its code. Stateless.
 */
final class BatchRequests
{
    private BatchRequests()
    {
    }

    /**
     * @param batch the batch.
     * @return the request, and which operation each of its ops is.
     */
    static Sent request(final IpamBatch batch)
    {
        Requests.notNull(batch, "batch");
        final BatchRequest.Builder b = BatchRequest.newBuilder();
        final int[] index = new int[batch.size()];
        int n = 0;
        for (int i = 0; i < batch.size(); i++)
        {
            try
            {
                final BatchOp op = op(batch, i);
                if (op != null)
                {
                    b.addOps(op);
                    index[n++] = i;
                }
            }
            catch (final IpamException ex)
            {
                batch.failed(i, ex);
            }
        }
        return new Sent(b.build(), index, n);
    }

    /**
     * A request as sent: op j is the batch's operation {@code index[j]}.
     */
    static final class Sent
    {
        final BatchRequest request;
        final int[] index;
        final int count;

        Sent(final BatchRequest request, final int[] index, final int count)
        {
            this.request = request;
            this.index = index;
            this.count = count;
        }
    }

    private static BatchOp op(final IpamBatch batch, final int i)
    {
        final String subnetId = batch.subnetId(i);
        final UUID owner = batch.owner(i);
        switch (batch.op(i))
        {
            case INVALID:
                return null;
            case RELEASE:
                return BatchOp.newBuilder().setRelease(Requests.release(subnetId, batch.value(i))).build();
            case RELEASE_CHECKED:
                return BatchOp.newBuilder().setRelease(Requests.release(subnetId, batch.value(i), owner)).build();
            default:
                break;
        }
        final AllocateRequest.Builder a = Requests.allocate(subnetId, owner);
        switch (batch.op(i))
        {
            case ALLOCATE_NEXT:
                a.setNext(true);
                break;
            case ALLOCATE_SPECIFIC:
                Requests.notNull(batch.value(i), "address");
                a.setAddress(batch.value(i));
                break;
            case ALLOCATE_EUI64:
                Requests.notNull(batch.value(i), "mac");
                a.setMac(batch.value(i));
                break;
            case ALLOCATE_BULK:
                a.setCount(batch.count(i));
                break;
            default:
                break;
        }
        return BatchOp.newBuilder().setAllocate(a).build();
    }

    /**
     * Read the answer into the batch.
     *
     * @param batch    the batch.
     * @param sent     what was sent.
     * @param response the answer.
     * @return the batch.
     */
    static IpamBatch read(final IpamBatch batch, final Sent sent, final BatchResponse response)
    {
        if (response.getResultsCount() != sent.count)
        {
            throw new IpamException(ErrorCode.INTERNAL, "a batch of " + sent.count + " operations was answered with " +
                response.getResultsCount() + " results");
        }
        for (int j = 0; j < sent.count; j++)
        {
            final int i = sent.index[j];
            final BatchResult r = response.getResults(j);
            switch (r.getResultCase())
            {
                case ALLOCATED:
                    if (batch.op(i) == IpamBatch.Op.ALLOCATE_BULK)
                    {
                        batch.succeededBulk(i, r.getAllocated().getAddressesList());
                    }
                    else
                    {
                        batch.succeeded(i, r.getAllocated().getAddresses(0));
                    }
                    break;
                case RELEASED:
                    batch.released(i, r.getReleased().getReleased());
                    break;
                case ERROR:
                {
                    final ErrorCode code = ErrorCode.fromValue(r.getError().getCodeValue());
                    batch.failed(i, code != null ? new IpamException(code, r.getError().getMessage()) :
                        new IpamException(ErrorCode.INTERNAL, "the server answered code " +
                            r.getError().getCodeValue() + ": " + r.getError().getMessage()));
                    break;
                }
                default:
                    batch.failed(i, new IpamException(ErrorCode.INTERNAL, "the server answered operation " + i +
                        " with no result"));
            }
        }
        return batch;
    }
}
