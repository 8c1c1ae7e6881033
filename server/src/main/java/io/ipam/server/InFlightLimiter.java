package io.ipam.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.Attributes;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ipam.client.StatusCodes;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * Bounds the calls in flight, overall and per connection. A call beyond either bound is answered at once with
 * {@code RESOURCE_EXHAUSTED} and ipam code {@code OVERLOADED}, before its request is read: the server's memory
 * stays bounded however many calls clients open. A call counts from its start until it is closed or cancelled
 * (a stream counts once for its whole life). Thread-safe.
 */
final class InFlightLimiter implements ServerInterceptor
{
    // one key per limiter: a server runs two (the API's, and the small one of the unauthenticated services)
    private final Attributes.Key<AtomicInteger> connectionCalls;
    private final int maxTotal;
    private final int maxPerConnection;
    private final String what;
    private final AtomicInteger total = new AtomicInteger();
    private final ServerMetrics metrics;

    /**
     * @param maxTotal         calls in flight, whole server.
     * @param maxPerConnection calls in flight, one connection.
     * @param what             what the bound covers, for the refusal's message ("calls", "health and reflection
     *                         calls").
     * @param metrics          counts refusals.
     */
    InFlightLimiter(final int maxTotal, final int maxPerConnection, final String what, final ServerMetrics metrics)
    {
        this.maxTotal = maxTotal;
        this.maxPerConnection = maxPerConnection;
        this.what = what;
        this.metrics = metrics;
        this.connectionCalls = Attributes.Key.create("ipam.inflight." + what);
    }

    /**
     * @return the filter that gives each connection its own counter; must be added to the server.
     */
    ServerTransportFilter transportFilter()
    {
        return new ServerTransportFilter()
        {
            @Override
            public Attributes transportReady(final Attributes attributes)
            {
                return attributes.toBuilder().set(connectionCalls, new AtomicInteger()).build();
            }
        };
    }

    /**
     * @return calls in flight now.
     */
    int inFlight()
    {
        return total.get();
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, A> call, final Metadata headers, final ServerCallHandler<Q, A> next)
    {
        final AtomicInteger connection = call.getAttributes().get(connectionCalls);
        if (total.incrementAndGet() > maxTotal)
        {
            total.decrementAndGet();
            return reject(call, "the server has " + maxTotal + " " + what + " in flight");
        }
        if (connection != null && connection.incrementAndGet() > maxPerConnection)
        {
            connection.decrementAndGet();
            total.decrementAndGet();
            return reject(call, "this connection has " + maxPerConnection + " " + what + " in flight");
        }
        final AtomicBoolean done = new AtomicBoolean();
        final Runnable release = () ->
        {
            if (done.compareAndSet(false, true))
            {
                total.decrementAndGet();
                if (connection != null)
                {
                    connection.decrementAndGet();
                }
            }
        };
        final ServerCall<Q, A> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call)
        {
            @Override
            public void close(final Status status, final Metadata trailers)
            {
                release.run();
                super.close(status, trailers);
            }
        };
        final ServerCall.Listener<Q> listener;
        try
        {
            listener = next.startCall(counted, headers);
        }
        catch (final RuntimeException ex)
        {
            release.run();
            throw ex;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener)
        {
            @Override
            public void onCancel()
            {
                release.run();
                super.onCancel();
            }

            @Override
            public void onComplete()
            {
                release.run();
                super.onComplete();
            }
        };
    }

    private <Q, A> ServerCall.Listener<Q> reject(final ServerCall<Q, A> call, final String why)
    {
        metrics.onRejected();
        final StatusRuntimeException ex = StatusCodes.toStatus(new IpamException(ErrorCode.OVERLOADED,
            why + "; retry later"));
        call.close(ex.getStatus(), ex.getTrailers() == null ? new Metadata() : ex.getTrailers());
        return new ServerCall.Listener<>()
        {
        };
    }
}
