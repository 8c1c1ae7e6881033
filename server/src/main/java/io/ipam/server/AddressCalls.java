package io.ipam.server;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.ipam.client.ProtoMapping;
import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.ReleaseResponse;

/**
 * {@code Allocate} and {@code Release}, shared by the unary calls and the operations of a batch. Allocate-any and
 * release-without-owner use the core's asynchronous calls (the request goes to the writer from this thread and the
 * answer completes on the core's completion thread); the other kinds run the blocking API. Stateless.
 */
final class AddressCalls
{
    private AddressCalls()
    {
    }

    private static AllocateResponse one(final String address)
    {
        return AllocateResponse.newBuilder().addAddresses(address).build();
    }

    /**
     * @param ipam the caller's allocator.
     * @param r    the request.
     * @return its answer, complete or to come.
     */
    static CompletableFuture<AllocateResponse> allocate(final Ipam ipam, final AllocateRequest r)
    {
        final UUID owner = ProtoMapping.owner("owner", r.getOwner());
        final String subnetId = r.getSubnetId();
        if (!r.getRequestKey().isEmpty() || r.getLeaseMs() != 0 || r.getRouter())
        {
            return CompletableFuture.completedFuture(allocateWithOptions(ipam, r, owner,
                ProtoMapping.options(r.getRequestKey(), r.getLeaseMs(), r.getRouter())));
        }
        switch (r.getPickCase())
        {
            case PICK_NOT_SET:
                return ipam.allocateAsync(subnetId, owner).thenApply(AddressCalls::one);
            case NEXT:
                if (!r.getNext())
                {
                    return ipam.allocateAsync(subnetId, owner).thenApply(AddressCalls::one);
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
     * An allocation with a key, a lease or a router's mark (SPEC 2, 9): any, specific and bulk directly, the other
     * kinds as a one-item port request (the library's calls with options), so that every kind can be retried safely.
     */
    private static AllocateResponse allocateWithOptions(final Ipam ipam, final AllocateRequest r, final UUID owner,
        final AllocationOptions options)
    {
        final String subnetId = r.getSubnetId();
        final AddressRequest item;
        switch (r.getPickCase())
        {
            case PICK_NOT_SET:
                return one(ipam.allocate(subnetId, owner, options));
            case COUNT:
                return AllocateResponse.newBuilder()
                    .addAllAddresses(ipam.allocateBulk(subnetId, owner, r.getCount(), options)).build();
            case NEXT:
                item = r.getNext() ? AddressRequest.next(subnetId) : AddressRequest.any(subnetId);
                break;
            case ADDRESS:
                return one(ipam.allocate(subnetId, r.getAddress(), owner, options));
            case MAC:
                item = AddressRequest.eui64(subnetId, r.getMac());
                break;
            default:
                throw new IpamException(ErrorCode.MALFORMED, "unknown allocation kind");
        }
        return one(ipam.allocatePort(owner, List.of(item), options).get(0).address());
    }

    /**
     * @param ipam the caller's allocator.
     * @param r    the request.
     * @return its answer, complete or to come.
     */
    static CompletableFuture<ReleaseResponse> release(final Ipam ipam, final ReleaseRequest r)
    {
        if (r.hasOwner())
        {
            final UUID owner = ProtoMapping.owner("owner", r.getOwner());
            return CompletableFuture.completedFuture(ReleaseResponse.newBuilder()
                .setReleased(ipam.release(r.getSubnetId(), r.getAddress(), owner)).build());
        }
        return ipam.releaseAsync(r.getSubnetId(), r.getAddress())
            .thenApply(released -> ReleaseResponse.newBuilder().setReleased(released).build());
    }
}
