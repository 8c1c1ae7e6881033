package io.ipam.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * The one table between ipam error codes and gRPC statuses (docs/grpc.md), keyed by {@link ErrorCode}: the server
 * answers through {@link #toStatus(IpamException)} and {@link GrpcIpam} turns the answer back into the same
 * {@link IpamException} through {@link #toIpamException(Throwable)}. The ipam code travels in the status details as
 * a {@code google.rpc.ErrorInfo}: domain {@link #DOMAIN}, reason the code's name, metadata {@link #CODE_KEY} its
 * number, so the way back is exact; a status without that detail (the transport, the front door) becomes the
 * {@link #nearest(Status.Code) nearest} code. Every {@link ErrorCode} has exactly one row (checked when the class
 * loads). Thread-safe (immutable).
 */
public final class StatusCodes
{
    /** The ErrorInfo domain of every ipam error. */
    public static final String DOMAIN = "ipam.io";

    /** The ErrorInfo metadata key holding the ipam code's number. */
    public static final String CODE_KEY = "code";

    private static final int MAX_MESSAGE_CHARS = 1024;

    /** Server to client: each ipam code's status (many codes share one status). */
    private static final Map<ErrorCode, Status.Code> STATUS = new EnumMap<>(ErrorCode.class);

    /** Client side, a status that carries no ipam code this build knows: the nearest ipam code. */
    private static final Map<Status.Code, ErrorCode> NEAREST = new EnumMap<>(Status.Code.class);

    static
    {
        row(Status.Code.NOT_FOUND, ErrorCode.SUBNET_NOT_FOUND, ErrorCode.POOL_NOT_FOUND);
        row(Status.Code.ALREADY_EXISTS, ErrorCode.SUBNET_EXISTS, ErrorCode.ADDRESS_TAKEN, ErrorCode.POOL_EXISTS);
        row(Status.Code.FAILED_PRECONDITION, ErrorCode.SUBNET_OVERLAP, ErrorCode.SUBNET_IN_USE,
            ErrorCode.GATEWAY_IN_USE, ErrorCode.OWNER_MISMATCH, ErrorCode.PREFIX_UNAVAILABLE, ErrorCode.STORE_IO);
        row(Status.Code.INVALID_ARGUMENT, ErrorCode.MALFORMED, ErrorCode.CIDR_INVALID, ErrorCode.ADDRESS_INVALID,
            ErrorCode.POOL_INVALID, ErrorCode.POOL_OUT_OF_BOUNDS, ErrorCode.POOL_OVERLAP, ErrorCode.GATEWAY_INVALID,
            ErrorCode.GATEWAY_IN_POOL, ErrorCode.BULK_TOO_LARGE, ErrorCode.PREFIX_LENGTH);
        row(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.EXHAUSTED, ErrorCode.QUOTA_EXCEEDED, ErrorCode.OVERLOADED,
            ErrorCode.STORE_FULL, ErrorCode.LIMIT_EXCEEDED);
        row(Status.Code.UNAVAILABLE, ErrorCode.CLOSED);
        row(Status.Code.DATA_LOSS, ErrorCode.STORE_CORRUPT);
        row(Status.Code.INTERNAL, ErrorCode.INTERNAL);
        row(Status.Code.PERMISSION_DENIED, ErrorCode.FORBIDDEN);
        for (final ErrorCode code : ErrorCode.values())
        {
            if (!STATUS.containsKey(code))
            {
                throw new IllegalStateException("ErrorCode " + code + " has no gRPC status in StatusCodes");
            }
        }
        // statuses the transport or the front door give, with no ipam code in them
        NEAREST.put(Status.Code.UNAVAILABLE, ErrorCode.STORE_IO);   // the state could not be reached
        NEAREST.put(Status.Code.DEADLINE_EXCEEDED, ErrorCode.OVERLOADED);
        // without an ipam code it is gRPC's message-size bound (the server's overload answers carry OVERLOADED):
        // SPEC 10, a request larger than the transport carries is LIMIT_EXCEEDED, not something to retry
        NEAREST.put(Status.Code.RESOURCE_EXHAUSTED, ErrorCode.LIMIT_EXCEEDED);
        NEAREST.put(Status.Code.UNAUTHENTICATED, ErrorCode.FORBIDDEN);
        NEAREST.put(Status.Code.PERMISSION_DENIED, ErrorCode.FORBIDDEN);
    }

    private StatusCodes()
    {
    }

    private static void row(final Status.Code status, final ErrorCode... codes)
    {
        for (final ErrorCode code : codes)
        {
            if (STATUS.put(code, status) != null)
            {
                throw new IllegalStateException("ErrorCode " + code + " has two rows in StatusCodes");
            }
        }
    }

    /**
     * @param code an ipam code.
     * @return the gRPC status code the server answers it with.
     */
    public static Status.Code statusCode(final ErrorCode code)
    {
        return STATUS.get(code);
    }

    /**
     * @param status a gRPC status code.
     * @return the ipam codes answered with it, in {@link ErrorCode} order (empty for a status ipam never answers).
     */
    public static List<ErrorCode> codesOf(final Status.Code status)
    {
        final List<ErrorCode> codes = new ArrayList<>();
        STATUS.forEach((code, s) ->
        {
            if (s == status)
            {
                codes.add(code);
            }
        });
        return Collections.unmodifiableList(codes);
    }

    /**
     * The ipam code a client reports for a status that carries none: {@code UNAVAILABLE} is {@code STORE_IO} (the
     * state could not be reached), {@code DEADLINE_EXCEEDED} is {@code OVERLOADED}, {@code RESOURCE_EXHAUSTED}
     * (gRPC's size bound) {@code LIMIT_EXCEEDED}, {@code UNAUTHENTICATED} and {@code PERMISSION_DENIED} are
     * {@code FORBIDDEN}, anything else {@code INTERNAL}.
     *
     * @param status a gRPC status code.
     * @return the nearest ipam code.
     */
    public static ErrorCode nearest(final Status.Code status)
    {
        return NEAREST.getOrDefault(status, ErrorCode.INTERNAL);
    }

    /**
     * @param ex an ipam failure.
     * @return the status exception that carries it: the mapped status, the message (cut at 1,024 characters) and an
     *     ErrorInfo detail with the code.
     */
    public static StatusRuntimeException toStatus(final IpamException ex)
    {
        final ErrorCode code = ex.code();
        final String message = ex.getMessage();
        final String text = message == null ? code.name() :
            message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
        // the details' status type; io.grpc.Status is the one imported
        final com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
            .setCode(statusCode(code).value())
            .setMessage(text)
            .addDetails(Any.pack(ErrorInfo.newBuilder()
                .setDomain(DOMAIN)
                .setReason(code.name())
                .putMetadata(CODE_KEY, Integer.toString(code.value()))
                .build()))
            .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /**
     * @param t a failure of a call.
     * @return the ipam code in its status details, or null when it carries none or one this build does not know.
     */
    public static ErrorCode ipamCode(final Throwable t)
    {
        return ErrorCode.fromValue(codeNumber(t));
    }

    /**
     * @return the number of the ipam code in a failure's status details, 0 when there is none.
     */
    private static int codeNumber(final Throwable t)
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
     * Turn a failed call back into the {@link IpamException} the server raised: same code, same message. A status
     * without an ipam code this build knows (the server was unreachable, the call timed out, the token was refused,
     * a newer server's code) becomes the {@link #nearest(Status.Code) nearest} ipam code, and the message names the
     * gRPC status and any code number it carried.
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
        final int number = codeNumber(t);
        final ErrorCode known = ErrorCode.fromValue(number);
        final String description = status.getDescription() == null ? "" : status.getDescription();
        if (known != null)
        {
            final String prefix = known.name() + ": ";
            return new IpamException(known,
                description.startsWith(prefix) ? description.substring(prefix.length()) : description);
        }
        return new IpamException(nearest(status.getCode()), "server answered " + status.getCode() +
            (number != 0 ? " (ipam code " + number + ")" : "") + (description.isEmpty() ? "" : ": " + description));
    }
}
