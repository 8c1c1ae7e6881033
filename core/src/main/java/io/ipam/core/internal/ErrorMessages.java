package io.ipam.core.internal;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;

/**
 * Turns result codes into exceptions whose messages name the caller's input. Messages never name another
 * tenant's subnets: overlap is checked per tenant, so a refusal can only name the caller's own.
 */
final class ErrorMessages
{
    private ErrorMessages()
    {
    }

    static IpamException notFound(final String subnetId)
    {
        return new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " + AddressText.quote(subnetId) + " not found");
    }

    static IpamException storeFull()
    {
        return new IpamException(ErrorCode.STORE_FULL, "the store is at its configured capacity; grow it by " +
            "snapshot and restore into a store with a larger storeCapacity (see the README)");
    }

    /**
     * The codes an address and a prefix request share: the bounds, or the writer's own message.
     */
    private static IpamException other(final ErrorCode code, final String message, final String fallback)
    {
        switch (code)
        {
            case STORE_FULL:
                return storeFull();
            case LIMIT_EXCEEDED:
                return limit();
            default:
                return new IpamException(code, message != null ? message : fallback);
        }
    }

    static IpamException limit()
    {
        return new IpamException(ErrorCode.LIMIT_EXCEEDED, "the allocator holds its configured maximum of " +
            "allocations (maxAllocations, prefix children counted); release some or raise the limit");
    }

    /**
     * @param rc       a negative result code.
     * @param subnetId the subnet named by the caller.
     * @param what     what was asked, for the message ("address 10.0.0.7"), or empty.
     * @param maxBulk  the configured bulk limit.
     * @param message  a message the writer sent with the code, or null.
     * @return the exception.
     */
    static IpamException address(final int rc, final String subnetId, final String what, final int maxBulk,
        final String message)
    {
        final ErrorCode code = ErrorCode.ofResultCode(rc);
        if (code == null)
        {
            return new IpamException(ErrorCode.INTERNAL, "unexpected result " + rc + " for " + what);
        }
        switch (code)
        {
            case SUBNET_NOT_FOUND:
                return notFound(subnetId);
            case EXHAUSTED:
                return new IpamException(code, "subnet " + subnetId + " has no free address in its pools" +
                    (what.isEmpty() ? "" : " for " + what));
            case ADDRESS_INVALID:
                return new IpamException(code, what + " is not a usable address of subnet " + subnetId);
            case ADDRESS_TAKEN:
                return new IpamException(code, what + " is already allocated in subnet " + subnetId);
            case OWNER_MISMATCH:
                return new IpamException(code, what + " in subnet " + subnetId + " belongs to another owner");
            case BULK_TOO_LARGE:
                return new IpamException(code, what + " is over the bulk limit of " + maxBulk);
            default:
                return other(code, message, (what.isEmpty() ? "request" : what) + " in subnet " + subnetId);
        }
    }

    /**
     * @param rc      a negative result code.
     * @param poolId  the pool.
     * @param tenant  the tenant asking, or null.
     * @param what    what was asked.
     * @param message a message the writer sent with the code, or null.
     * @return the exception.
     */
    static IpamException prefix(final int rc, final String poolId, final String tenant, final String what,
        final String message)
    {
        final ErrorCode code = ErrorCode.ofResultCode(rc);
        if (code == null)
        {
            return new IpamException(ErrorCode.INTERNAL, "unexpected result " + rc + " for " + what);
        }
        switch (code)
        {
            case POOL_NOT_FOUND:
                return new IpamException(code, "prefix pool " + AddressText.quote(poolId) + " not found");
            case PREFIX_LENGTH:
                return new IpamException(code, what + " is outside the lengths allowed by pool " + poolId);
            case QUOTA_EXCEEDED:
                return new IpamException(code, what + " would put tenant " + tenant + " over its quota in pool " +
                    poolId);
            case EXHAUSTED:
                return new IpamException(code, "pool " + poolId + " has no free block for " + what);
            case PREFIX_UNAVAILABLE:
                return new IpamException(code, what + " is not wholly free in pool " + poolId);
            case CIDR_INVALID:
                return new IpamException(code, what + " is of another family than pool " + poolId);
            default:
                return other(code, message, what + " in pool " + poolId);
        }
    }
}
