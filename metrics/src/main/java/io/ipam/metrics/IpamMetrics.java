package io.ipam.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * ipam's metrics, written with the Prometheus Java client (SPEC 9).
 * <p>
 * Per subnet (labels {@code subnet}, {@code tenant}; the tenant is empty for subnets without one):
 * <ul>
 *   <li>{@code ipam_subnet_allocated}, {@code ipam_subnet_free}, {@code ipam_subnet_cooling},
 *   {@code ipam_subnet_leased}: gauges, now;</li>
 *   <li>{@code ipam_subnet_expired_total}, {@code ipam_subnet_reclaimed_total}: counters since the allocator
 *   started.</li>
 * </ul>
 * Requests (the writer's counters): {@code ipam_requests_total}, {@code ipam_allocations_total},
 * {@code ipam_releases_total}, {@code ipam_failures_total{code}}, {@code ipam_back_pressure_total},
 * {@code ipam_writer_errors_total}, and the gauge {@code ipam_queue_depth}.
 * <p>
 * Use {@link #register(PrometheusRegistry)} to add them to an application's registry (its exporter scrapes them
 * with the rest), or {@link #scrape()} for the text of one scrape. Thread-safe.
 */
public final class IpamMetrics
{
    private final Supplier<List<SubnetStats>> stats;
    private final Supplier<Map<String, Long>> counters;

    private IpamMetrics(final Supplier<List<SubnetStats>> stats, final Supplier<Map<String, Long>> counters)
    {
        this.stats = stats;
        this.counters = counters;
    }

    /**
     * Metrics of an allocator in this process (in memory or durable, or a tenant view of one).
     *
     * @param ipam the allocator.
     * @return its metrics.
     * @throws IpamException {@code MALFORMED} for an allocator in another process (a gRPC client: scrape the
     *                       server's {@code /metrics} instead).
     */
    public static IpamMetrics of(final Ipam ipam)
    {
        if (ipam == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "ipam is null");
        }
        if (ipam.subnetStats() == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "metrics are read from an allocator in this process; for " +
                ipam.getClass().getSimpleName() + " scrape the server's /metrics");
        }
        return new IpamMetrics(ipam::subnetStats, ipam::requestCounters);
    }

    /**
     * Request counters only, from a supplier (the counters file of another process: {@code ipam stat}).
     *
     * @param counters counter name to value, as {@code IpamCounters} names them.
     * @return the metrics.
     */
    public static IpamMetrics ofCounters(final Supplier<Map<String, Long>> counters)
    {
        return new IpamMetrics(null, counters);
    }

    /**
     * Add these metrics to a registry.
     *
     * @param registry the registry.
     */
    public void register(final PrometheusRegistry registry)
    {
        if (stats != null)
        {
            gauge(registry, "ipam_subnet_allocated", "addresses held", s -> s.allocated());
            gauge(registry, "ipam_subnet_free", "pool addresses free for automatic choice",
                s -> s.free().doubleValue());
            gauge(registry, "ipam_subnet_cooling", "addresses cooling down after release", s -> s.cooling());
            gauge(registry, "ipam_subnet_leased", "allocations holding a lease", s -> s.leased());
            CounterWithCallback.builder().name("ipam_subnet_expired_total")
                .help("leases that ran out since start").labelNames("subnet", "tenant")
                .callback(cb -> stats.get().forEach(s -> cb.call(s.expired(), s.subnetId(), tenant(s))))
                .register(registry);
            CounterWithCallback.builder().name("ipam_subnet_reclaimed_total")
                .help("allocations reconcile released since start").labelNames("subnet", "tenant")
                .callback(cb -> stats.get().forEach(s -> cb.call(s.reclaimed(), s.subnetId(), tenant(s))))
                .register(registry);
        }
        counter(registry, "ipam_requests_total", "requests the writer served", "requests");
        counter(registry, "ipam_allocations_total", "addresses allocated by single requests", "allocations");
        counter(registry, "ipam_releases_total", "addresses released by single requests", "releases");
        counter(registry, "ipam_back_pressure_total", "requests that waited for room", "back-pressure events");
        counter(registry, "ipam_writer_errors_total", "faults the writer caught", "writer errors");
        GaugeWithCallback.builder().name("ipam_queue_depth").help("requests waiting for the writer")
            .callback(cb -> cb.call(counters.get().getOrDefault("queue depth", 0L))).register(registry);
        CounterWithCallback.builder().name("ipam_failures_total").help("failed requests by error code")
            .labelNames("code").callback(cb -> counters.get().forEach((k, v) ->
            {
                if (k.startsWith("failures "))
                {
                    cb.call(v, k.substring("failures ".length()));
                }
            })).register(registry);
    }

    /**
     * @return one scrape in the Prometheus text format (version 0.0.4).
     */
    public String scrape()
    {
        final PrometheusRegistry registry = new PrometheusRegistry();
        register(registry);
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

    private interface Value
    {
        double of(SubnetStats s);
    }

    private void gauge(final PrometheusRegistry registry, final String name, final String help, final Value value)
    {
        GaugeWithCallback.builder().name(name).help(help).labelNames("subnet", "tenant")
            .callback(cb -> stats.get().forEach(s -> cb.call(value.of(s), s.subnetId(), tenant(s))))
            .register(registry);
    }

    private void counter(final PrometheusRegistry registry, final String name, final String help, final String key)
    {
        CounterWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(counters.get().getOrDefault(key, 0L))).register(registry);
    }

    private static String tenant(final SubnetStats s)
    {
        return s.tenant().orElse("");
    }
}
