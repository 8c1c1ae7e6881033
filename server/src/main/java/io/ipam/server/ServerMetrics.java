package io.ipam.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.ipam.core.Ipam;
import io.ipam.core.access.TokenFile;
import io.ipam.metrics.IpamMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The server's Prometheus metrics, in a registry of its own (so two servers in one JVM do not collide), and the
 * optional {@code /metrics} HTTP endpoint. Metric names: {@code ipam_grpc_requests_total{method,code}},
 * {@code ipam_grpc_request_duration_seconds{method}}, {@code ipam_grpc_in_flight},
 * {@code ipam_grpc_rejected_total} (in-flight bound), {@code ipam_batch_operations_total}. Thread-safe.
 */
final class ServerMetrics implements ServerInterceptor
{
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Counter rejected;
    private final Counter batchOps;
    private HTTPServer http;

    /**
     * Add the allocator's own metrics (per-subnet lifecycle counts, request counters) to this registry.
     *
     * @param ipam the served allocator, in this process.
     */
    void allocator(final Ipam ipam)
    {
        IpamMetrics.of(ipam).register(registry);
    }

    /**
     * @return one scrape of every metric, in the Prometheus text format.
     */
    String scrape()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try
        {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    ServerMetrics()
    {
        requests = Counter.builder().name("ipam_grpc_requests_total").help("gRPC calls finished, by method and status")
            .labelNames("method", "code").register(registry);
        duration = Histogram.builder().name("ipam_grpc_request_duration_seconds")
            .help("gRPC call duration, start to close").labelNames("method").register(registry);
        rejected = Counter.builder().name("ipam_grpc_rejected_total")
            .help("calls refused by the in-flight bounds (RESOURCE_EXHAUSTED)").register(registry);
        batchOps = Counter.builder().name("ipam_batch_operations_total")
            .help("operations received in Batch and BatchStream messages").register(registry);
    }

    void inFlightGauge(final IntSupplier inFlight)
    {
        GaugeWithCallback.builder().name("ipam_grpc_in_flight").help("gRPC calls in flight")
            .callback(cb -> cb.call(inFlight.getAsInt())).register(registry);
    }

    void onRejected()
    {
        rejected.inc();
    }

    void onBatchOps(final int n)
    {
        batchOps.inc(n);
    }

    /**
     * Serve {@code /metrics} over HTTP.
     *
     * @param address where to listen.
     * @param tokens  the tokens file: an administrator's token is then required ({@link MetricsAuthenticator});
     *                null: open, like the API without tokens.
     * @return the bound port.
     * @throws IOException if it cannot listen.
     */
    int start(final InetSocketAddress address, final TokenFile tokens) throws IOException
    {
        final HTTPServer.Builder b = HTTPServer.builder().inetAddress(address.getAddress()).port(address.getPort())
            .registry(registry);
        if (tokens != null)
        {
            b.authenticator(new MetricsAuthenticator(tokens));
        }
        http = b.buildAndStart();
        return http.getPort();
    }

    void stop()
    {
        if (http != null)
        {
            http.stop();
            http = null;
        }
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, A> call, final Metadata headers, final ServerCallHandler<Q, A> next)
    {
        final long startNs = System.nanoTime();
        final String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call)
        {
            @Override
            public void close(final Status status, final Metadata trailers)
            {
                requests.labelValues(String.valueOf(method), status.getCode().name()).inc();
                duration.labelValues(String.valueOf(method)).observe((System.nanoTime() - startNs) / 1e9);
                super.close(status, trailers);
            }
        }, headers);
    }
}
