package io.ipam.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.ipam.client.StatusCodes;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a handler answers: one value, or the status of its failure. An {@link IpamException} becomes the status of
 * {@link StatusCodes}; anything else is logged and answered {@code INTERNAL} without its details. Stateless.
 */
final class Responses
{
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

    private Responses()
    {
    }

    /**
     * @param thrown a failure, possibly wrapped by a {@link CompletableFuture}.
     * @return what was thrown, unwrapped.
     */
    static Throwable unwrap(final Throwable thrown)
    {
        return thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    /**
     * @param thrown a failure of a call.
     * @return the status to close the call with.
     */
    static StatusRuntimeException status(final Throwable thrown)
    {
        final Throwable t = unwrap(thrown);
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

    /**
     * Answer a call with what the body returns, or with the status of what it throws.
     *
     * @param out  the call.
     * @param body computes the answer on this thread.
     * @param <T>  the answer.
     */
    static <T> void unary(final StreamObserver<T> out, final Supplier<T> body)
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

    /**
     * Answer a call when the body's future completes, on the thread that completes it (no executor hop).
     *
     * @param out  the call.
     * @param body starts the work.
     * @param <T>  the answer.
     */
    static <T> void async(final StreamObserver<T> out, final Supplier<CompletableFuture<T>> body)
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
}
