package io.ipam.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.access.TokenFile;
import io.ipam.persistence.DurableIpam;
import io.ipam.proto.v1.IpamServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code ipam serve}: the v1 service, health and reflection on one Netty listener, over an allocator
 * it owns (opened from the context, closed by {@link #shutdown()}) or one it is handed. Thread-safe.
 */
public final class IpamServer implements AutoCloseable
{
    /** Health and reflection calls in flight at most, whole server (they need no token). */
    public static final int OPEN_CALLS = 16;
    /** Health and reflection calls in flight at most, one connection. */
    public static final int OPEN_CALLS_PER_CONNECTION = 4;

    private static final Logger LOG = LoggerFactory.getLogger(IpamServer.class);

    private final ServerContext context;
    private final Ipam ipam;
    private final boolean ownsIpam;
    private final Server server;
    private final ExecutorService executor;
    private final ServerMetrics metrics;
    private final HealthStatusManager health = new HealthStatusManager();
    private final int metricsPort;
    private final boolean hotOnTransport;
    private boolean shutDown;

    private IpamServer(final ServerContext context, final TokenFile tokens, final Ipam ipam, final boolean ownsIpam)
        throws IOException
    {
        this.context = context;
        this.ipam = ipam;
        this.ownsIpam = ownsIpam;
        metrics = new ServerMetrics();
        final InFlightLimiter limiter = new InFlightLimiter(context.maxInFlight(), context.maxInFlightPerConnection(),
            "calls", metrics);
        final InFlightLimiter open = new InFlightLimiter(OPEN_CALLS, OPEN_CALLS_PER_CONNECTION,
            "health and reflection calls", metrics);
        metrics.inFlightGauge(limiter::inFlight);
        try
        {
            metrics.allocator(ipam);
        }
        catch (final IpamException ex)
        {
            // an allocator in another process has its own metrics; this server then reports its own only
            LOG.info("no allocator metrics: {}", ex.getMessage());
        }
        final AuthInterceptor auth = new AuthInterceptor(ipam, tokens);
        executor = Executors.newFixedThreadPool(context.workerThreads(), daemonThreads("ipam-serve-"));

        final ServerCredentials credentials = credentials(context);
        hotOnTransport = context.hotCallsOnTransport();
        final NettyServerBuilder builder = NettyServerBuilder.forAddress(context.listen(), credentials);
        if (hotOnTransport)
        {
            // address calls and batches run on the event loop that read them (the caller-runs writer answers them
            // there: no hand-off to a pool and back, issue 25); the service sends the rest to the pool itself
            builder.directExecutor();
        }
        else
        {
            builder.executor(executor);
        }
        builder
            .maxInboundMessageSize(context.maxInboundMessageBytes())
            .maxInboundMetadataSize(16 * 1024)
            // the HTTP/2 stream limit is a hard stop above the per-connection bound, so that calls past the bound
            // reach the limiter and get RESOURCE_EXHAUSTED rather than waiting unseen in the client
            .maxConcurrentCallsPerConnection(context.maxInFlightPerConnection() * 2)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .addTransportFilter(limiter.transportFilter())
            .addTransportFilter(open.transportFilter());
        // interceptors run in reverse order of wrapping: metrics first, then authentication, then the limiter, so
        // a caller without a token never holds one of the API's slots (SPEC 8)
        builder.addService(ServerInterceptors.intercept(
            new IpamGrpcService(context.maxBatchItems(), metrics, hotOnTransport ? executor : Runnable::run), limiter,
            auth, metrics));
        // health and reflection answer without a token (they show no tenant's data) from a small budget of their
        // own, apart from the API's: unauthenticated callers cannot crowd out authenticated ones
        builder.addService(ServerInterceptors.intercept(health.getHealthService(), open, metrics));
        builder.addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), open, metrics));
        server = builder.build();
        try
        {
            server.start();
        }
        catch (final IOException ex)
        {
            executor.shutdownNow();
            throw new IpamException(ErrorCode.STORE_IO, "cannot listen on " + text(context.listen()) + ": " +
                ex.getMessage());
        }
        health.setStatus("", HealthCheckResponse.ServingStatus.SERVING);
        health.setStatus(IpamServiceGrpc.SERVICE_NAME, HealthCheckResponse.ServingStatus.SERVING);
        int port = -1;
        if (context.metrics() != null)
        {
            try
            {
                port = metrics.start(context.metrics(), tokens);
            }
            catch (final IOException ex)
            {
                server.shutdownNow();
                executor.shutdownNow();
                throw new IpamException(ErrorCode.STORE_IO, "cannot serve metrics on " + text(context.metrics()) +
                    ": " + ex.getMessage());
            }
        }
        metricsPort = port;
    }

    /**
     * Open the allocator the context names (a durable store, or in memory) and serve it; the server owns it.
     *
     * @param context settings.
     * @return the running server.
     */
    public static IpamServer start(final ServerContext context)
    {
        // the tokens file is checked before the store is opened (or created)
        final TokenFile tokens = context.tokens() == null ? null : TokenFile.load(context.tokens());
        final Ipam ipam = context.store() == null ? Ipam.inMemory(context.ipamConfig()) :
            DurableIpam.open(context.store(), context.ipamConfig());
        return start(context, tokens, ipam, true);
    }

    /**
     * Serve an allocator.
     *
     * @param context  settings (its store and config are not used).
     * @param ipam     the allocator.
     * @param ownsIpam true to close it on shutdown.
     * @return the running server.
     */
    public static IpamServer start(final ServerContext context, final Ipam ipam, final boolean ownsIpam)
    {
        final TokenFile tokens;
        try
        {
            tokens = context.tokens() == null ? null : TokenFile.load(context.tokens());
        }
        catch (final RuntimeException ex)
        {
            if (ownsIpam)
            {
                ipam.close();
            }
            throw ex;
        }
        return start(context, tokens, ipam, ownsIpam);
    }

    private static IpamServer start(final ServerContext context, final TokenFile tokens, final Ipam ipam,
        final boolean ownsIpam)
    {
        try
        {
            return new IpamServer(context, tokens, ipam, ownsIpam);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (ownsIpam)
            {
                ipam.close();
            }
            if (ex instanceof IpamException)
            {
                throw (IpamException)ex;
            }
            throw new IpamException(ErrorCode.STORE_IO, "cannot start: " + ex.getMessage());
        }
    }

    private static ServerCredentials credentials(final ServerContext context) throws IOException
    {
        if (context.tlsCert() == null)
        {
            return InsecureServerCredentials.create();
        }
        try
        {
            final TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                .keyManager(context.tlsCert().toFile(), context.tlsKey().toFile());
            if (context.clientCa() != null)
            {
                b.trustManager(context.clientCa().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return b.build();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot load TLS files: " + ex.getMessage());
        }
    }

    private static ThreadFactory daemonThreads(final String prefix)
    {
        final AtomicInteger n = new AtomicInteger();
        return r ->
        {
            final Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    static String text(final InetSocketAddress a)
    {
        final String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * @return the bound gRPC port.
     */
    public int port()
    {
        return ((InetSocketAddress)server.getListenSockets().get(0)).getPort();
    }

    /**
     * @return {@code HOST:PORT} clients connect to.
     */
    public String target()
    {
        return text(new InetSocketAddress(context.listen().getAddress(), port()));
    }

    /**
     * @return true when address calls and batches run on the transport's threads
     *         ({@link ServerContext#hotCallsOnTransport()}).
     */
    public boolean hotCallsOnTransport()
    {
        return hotOnTransport;
    }

    /**
     * @return the bound metrics port, or -1 when metrics are off.
     */
    public int metricsPort()
    {
        return metricsPort;
    }

    /**
     * @return the allocator served.
     */
    public Ipam ipam()
    {
        return ipam;
    }

    /**
     * Drain and stop with the context's drain timeout; see {@link #shutdown(Duration)}.
     */
    public void shutdown()
    {
        shutdown(context.drainTimeout());
    }

    /**
     * Stop: report NOT_SERVING, refuse new calls, let calls in flight finish for up to {@code drain}, cancel the
     * rest, then close the allocator if it is ours (a durable store syncs and unlocks). A second call does
     * nothing.
     *
     * @param drain how long calls in flight may take.
     */
    public void shutdown(final Duration drain)
    {
        synchronized (this)
        {
            if (shutDown)
            {
                return;
            }
            shutDown = true;
        }
        health.enterTerminalState();
        server.shutdown();
        try
        {
            if (!server.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS))
            {
                LOG.warn("calls still in flight after {}; cancelling them", drain);
                server.shutdownNow();
                server.awaitTermination(2, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        metrics.stop();
        executor.shutdown();
        if (ownsIpam)
        {
            ipam.close();
        }
    }

    /**
     * @throws InterruptedException if interrupted while waiting.
     */
    public void awaitTermination() throws InterruptedException
    {
        server.awaitTermination();
    }

    @Override
    public void close()
    {
        shutdown();
    }
}
