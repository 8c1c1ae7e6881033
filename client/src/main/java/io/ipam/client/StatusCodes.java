package io.ipam.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * The one table between ipam error codes and gRPC statuses (docs/grpc.md), used by the server to answer and by
 * {@link GrpcIpam} to turn an answer back into the same {@link IpamException}. The ipam code travels in the
 * status details as a {@code google.rpc.ErrorInfo}: domain {@link #DOMAIN}, reason the code's name, metadata
 * {@code code} its number. Codes are handled by number, so a code this build does not know yet still maps.
 * Thread-safe (stateless).
 */
public final class StatusCodes
{
    /** The ErrorInfo domain of every ipam error. */
    public static final String DOMAIN = "ipam.io";

    /** The ErrorInfo metadata key holding the ipam code's number. */
    public static final String CODE_KEY = "code";

    /** Number of {@code FORBIDDEN}: outside a tenant view's rights (SPEC 8). */
    public static final int FORBIDDEN = 30;

    /** Number of {@code LIMIT_EXCEEDED}: a configured bound (SPEC 10). */
    public static final int LIMIT_EXCEEDED = 29;

    private static final int MAX_MESSAGE_CHARS = 1024;

    private StatusCodes()
    {
    }

    /**
     * The gRPC status code for an ipam code number.
     *
     * @param ipamCode an {@link ErrorCode#value()} (or a later code's number).
     * @return the status code; {@code UNKNOWN} for a number not in the table.
     */
    public static Status.Code statusCode(final int ipamCode)
    {
        switch (ipamCode)
        {
            case 1: // SUBNET_NOT_FOUND
            case 21: // POOL_NOT_FOUND
                return Status.Code.NOT_FOUND;
            case 2: // SUBNET_EXISTS
            case 8: // ADDRESS_TAKEN
            case 22: // POOL_EXISTS
                return Status.Code.ALREADY_EXISTS;
            case 3: // SUBNET_OVERLAP
            case 4: // SUBNET_IN_USE
            case 15: // GATEWAY_IN_USE
            case 16: // OWNER_MISMATCH
            case 18: // PREFIX_UNAVAILABLE
            case 25: // STORE_IO
                return Status.Code.FAILED_PRECONDITION;
            case 5: // MALFORMED
            case 6: // CIDR_INVALID
            case 7: // ADDRESS_INVALID
            case 10: // POOL_INVALID
            case 11: // POOL_OUT_OF_BOUNDS
            case 12: // POOL_OVERLAP
            case 13: // GATEWAY_INVALID
            case 14: // GATEWAY_IN_POOL
            case 17: // BULK_TOO_LARGE
            case 19: // PREFIX_LENGTH
                return Status.Code.INVALID_ARGUMENT;
            case 9: // EXHAUSTED
            case 20: // QUOTA_EXCEEDED
            case 23: // OVERLOADED
            case 27: // STORE_FULL
            case LIMIT_EXCEEDED:
                return Status.Code.RESOURCE_EXHAUSTED;
            case 24: // CLOSED
                return Status.Code.UNAVAILABLE;
            case 26: // STORE_CORRUPT
                return Status.Code.DATA_LOSS;
            case 28: // INTERNAL
                return Status.Code.INTERNAL;
            case FORBIDDEN:
                return Status.Code.PERMISSION_DENIED;
            default:
                return Status.Code.UNKNOWN;
        }
    }

    /**
     * @param ex an ipam failure.
     * @return the status exception that carries it.
     */
    public static StatusRuntimeException toStatus(final IpamException ex)
    {
        return toStatus(ex.code().value(), ex.code().name(), ex.getMessage());
    }

    /**
     * @param number  the ipam code's number.
     * @param name    its name.
     * @param message the human-readable message (cut at 1,024 characters).
     * @return a status exception with the mapped code and an ErrorInfo detail.
     */
    public static StatusRuntimeException toStatus(final int number, final String name, final String message)
    {
        final String text = message == null ? name :
            message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
        final com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
            .setCode(statusCode(number).value())
            .setMessage(text)
            .addDetails(Any.pack(ErrorInfo.newBuilder()
                .setDomain(DOMAIN)
                .setReason(name)
                .putMetadata(CODE_KEY, Integer.toString(number))
                .build()))
            .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /**
     * The ipam code number in a failure's status details.
     *
     * @param t a failure of a call.
     * @return the number, or 0 when the status carries no ipam ErrorInfo.
     */
    public static int ipamCode(final Throwable t)
    {
        final com.google.rpc.Status status = StatusProto.fromThrowable(t);
        if (status == null)
        {
            return 0;
        }
        for (final Any any : status.getDetailsList())
        {
            if (any.is(ErrorInfo.class))
            {
                try
                {
                    final ErrorInfo info = any.unpack(ErrorInfo.class);
                    if (DOMAIN.equals(info.getDomain()))
                    {
                        return Integer.parseInt(info.getMetadataOrDefault(CODE_KEY, "0"));
                    }
                }
                catch (final InvalidProtocolBufferException | NumberFormatException ex)
                {
                    return 0;
                }
            }
        }
        return 0;
    }

    /**
     * Turn a failed call back into the {@link IpamException} the server raised: same code, same message. A
     * status without an ipam code (the server was unreachable, the call timed out, the token was refused)
     * becomes the nearest ipam code: {@code UNAVAILABLE} is {@code STORE_IO} (the state could not be reached),
     * {@code DEADLINE_EXCEEDED} and {@code RESOURCE_EXHAUSTED} are {@code OVERLOADED},
     * {@code UNAUTHENTICATED} and {@code PERMISSION_DENIED} are {@code FORBIDDEN} where this build has it,
     * anything else {@code INTERNAL}. The message then names the gRPC status.
     *
     * @param t a failure of a call.
     * @return the exception to throw.
     */
    public static IpamException toIpamException(final Throwable t)
    {
        if (t instanceof IpamException)
        {
            return (IpamException)t;
        }
        final Status status = Status.fromThrowable(t);
        final int number = ipamCode(t);
        final ErrorCode known = ErrorCode.fromValue(number);
        final String description = status.getDescription() == null ? "" : status.getDescription();
        if (known != null)
        {
            final String prefix = known.name() + ": ";
            return new IpamException(known,
                description.startsWith(prefix) ? description.substring(prefix.length()) : description);
        }
        final ErrorCode nearest;
        switch (status.getCode())
        {
            case UNAVAILABLE:
                nearest = ErrorCode.STORE_IO;
                break;
            case DEADLINE_EXCEEDED:
            case RESOURCE_EXHAUSTED:
                nearest = ErrorCode.OVERLOADED;
                break;
            case UNAUTHENTICATED:
            case PERMISSION_DENIED:
                nearest = byName("FORBIDDEN", ErrorCode.INTERNAL);
                break;
            default:
                nearest = ErrorCode.INTERNAL;
        }
        return new IpamException(nearest, "server answered " + status.getCode() +
            (number != 0 ? " (ipam code " + number + ")" : "") + (description.isEmpty() ? "" : ": " + description));
    }

    private static ErrorCode byName(final String name, final ErrorCode fallback)
    {
        for (final ErrorCode c : ErrorCode.values())
        {
            if (c.name().equals(name))
            {
                return c;
            }
        }
        return fallback;
    }
}
