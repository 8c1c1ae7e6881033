package io.ipam.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.IpamServiceGrpc.IpamServiceBlockingStub;
import io.ipam.proto.v1.IpamServiceGrpc.IpamServiceFutureStub;
import io.ipam.proto.v1.IpamServiceGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one channel of a {@link GrpcIpam}: its stubs carry the bearer token and accept answers up to
 * {@link GrpcIpam#MAX_INBOUND_MESSAGE_BYTES}; every call gets the call timeout as its deadline and a failed call
 * comes back as the {@link IpamException} the server raised ({@link StatusCodes}). After {@link #close()} every call
 * fails with {@code CLOSED}. Thread-safe; one HTTP/2 connection is shared by all callers.
 */
final class Connection implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final IpamServiceBlockingStub blocking;
    private final IpamServiceFutureStub future;
    private final long callTimeoutMs;
    private volatile boolean closed;

    private Connection(final ManagedChannel channel, final String token, final Duration callTimeout)
    {
        this.channel = channel;
        IpamServiceBlockingStub b = IpamServiceGrpc.newBlockingStub(channel);
        IpamServiceFutureStub f = IpamServiceGrpc.newFutureStub(channel);
        if (token != null)
        {
            final Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            b = b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            f = f.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        this.blocking = b.withMaxInboundMessageSize(GrpcIpam.MAX_INBOUND_MESSAGE_BYTES);
        this.future = f.withMaxInboundMessageSize(GrpcIpam.MAX_INBOUND_MESSAGE_BYTES);
        this.callTimeoutMs = callTimeout.toMillis();
    }

    /**
     * Open a channel (it connects on first use).
     *
     * @param target      {@code HOST:PORT}.
     * @param token       bearer token, or null for none.
     * @param credentials from {@link #plaintext()} or {@link #tls(Path, Path, Path)}.
     * @param callTimeout the deadline of one call.
     * @return the connection.
     */
    static Connection open(final String target, final String token, final ChannelCredentials credentials,
        final Duration callTimeout)
    {
        final String warning = plaintextTokenWarning(target, token, credentials);
        if (warning != null)
        {
            LOG.warn(warning);
        }
        final ManagedChannel channel = Grpc.newChannelBuilder(target, credentials)
            .maxInboundMessageSize(GrpcIpam.MAX_INBOUND_MESSAGE_BYTES)
            .build();
        return new Connection(channel, token, callTimeout);
    }

    /**
     * @param target      {@code HOST:PORT} (or a gRPC target name).
     * @param token       bearer token, or null.
     * @param credentials the channel's credentials.
     * @return the warning to log when a token would travel unencrypted to another machine, or null.
     */
    static String plaintextTokenWarning(final String target, final String token, final ChannelCredentials credentials)
    {
        if (token == null || !(credentials instanceof InsecureChannelCredentials) || isLoopback(target))
        {
            return null;
        }
        return "sending a bearer token to " + target + " without TLS: anyone on the path can read and reuse it " +
            "(connect with TLS)";
    }

    /**
     * @param target {@code HOST:PORT}, {@code [V6]:PORT}, or a gRPC target such as {@code dns:///HOST:PORT}.
     * @return true if it names this machine: {@code localhost} or a loopback address literal (no name is resolved).
     */
    static boolean isLoopback(final String target)
    {
        if (target.startsWith("unix:"))
        {
            return true;
        }
        String t = target;
        for (final String prefix : new String[] {"dns:///", "dns:", "ipv4:", "ipv6:"})
        {
            if (t.startsWith(prefix))
            {
                t = t.substring(prefix.length());
                break;
            }
        }
        t = t.substring(t.lastIndexOf('/') + 1);
        final String host;
        if (t.startsWith("["))
        {
            host = t.indexOf(']') > 0 ? t.substring(1, t.indexOf(']')) : t;
        }
        else
        {
            host = t.indexOf(':') == t.lastIndexOf(':') && t.indexOf(':') >= 0 ? t.substring(0, t.indexOf(':')) : t;
        }
        if ("localhost".equalsIgnoreCase(host))
        {
            return true;
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))
        {
            return false; // a name: never resolved here
        }
        try
        {
            return InetAddress.getByName(host).isLoopbackAddress(); // a literal: parsed, not looked up
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }

    /**
     * @return credentials for a plaintext channel.
     */
    static ChannelCredentials plaintext()
    {
        return InsecureChannelCredentials.create();
    }

    /**
     * @param trustCertificates PEM certificates to trust, or null for the JVM's default trust store.
     * @param clientCertificate PEM certificate chain to present (mutual TLS), or null for none.
     * @param clientKey         its PEM private key.
     * @return TLS credentials; a file that cannot be read is {@code STORE_IO}.
     */
    static ChannelCredentials tls(final Path trustCertificates, final Path clientCertificate, final Path clientKey)
    {
        try
        {
            final TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
            if (trustCertificates != null)
            {
                b.trustManager(trustCertificates.toFile());
            }
            if (clientCertificate != null)
            {
                b.keyManager(clientCertificate.toFile(), clientKey.toFile());
            }
            return b.build();
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read TLS files: " + ex.getMessage());
        }
    }

    /**
     * @param timeouts how many call timeouts the call may take (a snapshot stream gets more than one).
     * @return the blocking stub with its deadline set; {@code CLOSED} once closed.
     */
    IpamServiceBlockingStub stub(final int timeouts)
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "client is closed");
        }
        return blocking.withDeadlineAfter(callTimeoutMs * timeouts, TimeUnit.MILLISECONDS);
    }

    /**
     * Make one blocking call.
     *
     * @param rpc the call on a stub with its deadline set.
     * @param <T> the answer.
     * @return the answer; a failure is thrown as the server's {@link IpamException}.
     */
    <T> T call(final Function<IpamServiceBlockingStub, T> rpc)
    {
        final IpamServiceBlockingStub stub = stub(1);
        try
        {
            return rpc.apply(stub);
        }
        catch (final StatusRuntimeException ex)
        {
            throw StatusCodes.toIpamException(ex);
        }
    }

    /**
     * Make one asynchronous call; it completes on a gRPC thread when the answer arrives.
     *
     * @param rpc the call on a future stub with its deadline set.
     * @param map turns the answer into the result (on the gRPC thread).
     * @param <R> the answer.
     * @param <T> the result.
     * @return the result; a failure completes it with the server's {@link IpamException}.
     */
    <R, T> CompletableFuture<T> callAsync(final Function<IpamServiceFutureStub, ListenableFuture<R>> rpc,
        final Function<R, T> map)
    {
        if (closed)
        {
            return CompletableFuture.failedFuture(new IpamException(ErrorCode.CLOSED, "client is closed"));
        }
        final CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(rpc.apply(future.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS)),
            new FutureCallback<R>()
            {
                @Override
                public void onSuccess(final R value)
                {
                    try
                    {
                        result.complete(map.apply(value));
                    }
                    catch (final RuntimeException ex)
                    {
                        result.completeExceptionally(ex);
                    }
                }

                @Override
                public void onFailure(final Throwable t)
                {
                    result.completeExceptionally(StatusCodes.toIpamException(t));
                }
            }, MoreExecutors.directExecutor());
        return result;
    }

    /**
     * Close the channel and wait up to 5 s for calls in flight; a second call does nothing.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        channel.shutdown();
        try
        {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS))
            {
                channel.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
