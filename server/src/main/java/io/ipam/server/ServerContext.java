package io.ipam.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import com.google.common.net.InetAddresses;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;

/**
 * Settings of an {@link IpamServer}; every value is checked when set. Not thread-safe: fill, then start.
 */
public final class ServerContext
{
    /** Default listen address: loopback only. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:7600";

    private Path store;
    private IpamConfig ipamConfig = IpamConfig.defaults();
    private InetSocketAddress listen = address(DEFAULT_LISTEN, "--listen");
    private InetSocketAddress metrics;
    private Path tlsCert;
    private Path tlsKey;
    private Path clientCa;
    private Path tokens;
    private int maxInFlight = 4096;
    private int maxInFlightPerConnection = 1024;
    private int maxBatchItems = 10_000;
    private int maxInboundMessageBytes = 4 * 1024 * 1024;
    private int workerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private Duration drainTimeout = Duration.ofSeconds(20);
    private Boolean hotCallsOnTransport;

    /**
     * Parse {@code HOST:PORT} or {@code [V6]:PORT}; the host must be an IP literal or {@code localhost}: no name
     * is resolved.
     *
     * @param text   the text.
     * @param option the option name, for messages.
     * @return the address.
     */
    public static InetSocketAddress address(final String text, final String option)
    {
        if (text == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " is missing");
        }
        final int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " " + text + " is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        final int port;
        try
        {
            port = Integer.parseInt(text.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " " + text + ": port is not a number");
        }
        if (port < 0 || port > 65535)
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " " + text + ": port is outside 0-65535");
        }
        final InetAddress ip;
        if ("localhost".equals(host))
        {
            ip = InetAddress.getLoopbackAddress();
        }
        else if (InetAddresses.isInetAddress(host))
        {
            ip = InetAddresses.forString(host);
        }
        else
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " " + text +
                ": host must be an IP address or localhost");
        }
        return new InetSocketAddress(ip, port);
    }

    /**
     * @param dir durable store directory, or null for an in-memory allocator.
     * @return this.
     */
    public ServerContext store(final Path dir)
    {
        store = dir;
        return this;
    }

    /**
     * @return the store directory, or null in memory.
     */
    public Path store()
    {
        return store;
    }

    /**
     * @param config the allocator's settings.
     * @return this.
     */
    public ServerContext ipamConfig(final IpamConfig config)
    {
        if (config == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "config is null");
        }
        ipamConfig = config;
        return this;
    }

    /**
     * @return the allocator's settings.
     */
    public IpamConfig ipamConfig()
    {
        return ipamConfig;
    }

    /**
     * @param address where to listen (port 0: any free port).
     * @return this.
     */
    public ServerContext listen(final InetSocketAddress address)
    {
        listen = address;
        return this;
    }

    /**
     * @return where to listen.
     */
    public InetSocketAddress listen()
    {
        return listen;
    }

    /**
     * @param address where to serve {@code /metrics}, or null for nowhere.
     * @return this.
     */
    public ServerContext metrics(final InetSocketAddress address)
    {
        metrics = address;
        return this;
    }

    /**
     * @return where {@code /metrics} is served, or null.
     */
    public InetSocketAddress metrics()
    {
        return metrics;
    }

    /**
     * @param cert     PEM certificate chain.
     * @param key      PEM private key (PKCS#8).
     * @param caOrNull PEM CA certificates for client certificates (required when given), or null.
     * @return this.
     */
    public ServerContext tls(final Path cert, final Path key, final Path caOrNull)
    {
        if ((cert == null) != (key == null))
        {
            throw new IpamException(ErrorCode.MALFORMED, "--tls-cert and --tls-key go together");
        }
        if (caOrNull != null && cert == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--client-ca needs --tls-cert and --tls-key");
        }
        tlsCert = cert;
        tlsKey = key;
        clientCa = caOrNull;
        return this;
    }

    /**
     * @return the certificate, or null without TLS.
     */
    public Path tlsCert()
    {
        return tlsCert;
    }

    /**
     * @return the key, or null without TLS.
     */
    public Path tlsKey()
    {
        return tlsKey;
    }

    /**
     * @return the client CA, or null.
     */
    public Path clientCa()
    {
        return clientCa;
    }

    /**
     * @param file the tokens file, or null: every caller is the administrator.
     * @return this.
     */
    public ServerContext tokens(final Path file)
    {
        tokens = file;
        return this;
    }

    /**
     * @return the tokens file, or null.
     */
    public Path tokens()
    {
        return tokens;
    }

    private static int positive(final int value, final String name)
    {
        if (value < 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, name + " must be at least 1, was " + value);
        }
        return value;
    }

    /**
     * @param overall        calls in flight over all connections (default 4,096).
     * @param perConnection  calls in flight on one connection (default 1,024).
     * @return this.
     */
    public ServerContext maxInFlight(final int overall, final int perConnection)
    {
        maxInFlight = positive(overall, "in-flight bound");
        maxInFlightPerConnection = positive(perConnection, "per-connection in-flight bound");
        return this;
    }

    /**
     * @return calls in flight over all connections.
     */
    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * @return calls in flight on one connection.
     */
    public int maxInFlightPerConnection()
    {
        return maxInFlightPerConnection;
    }

    /**
     * @param items addresses one batch message may ask for (default 10,000).
     * @return this.
     */
    public ServerContext maxBatchItems(final int items)
    {
        maxBatchItems = positive(items, "batch bound");
        return this;
    }

    /**
     * @return addresses one batch message may ask for.
     */
    public int maxBatchItems()
    {
        return maxBatchItems;
    }

    /**
     * @param bytes largest request message accepted (default 4 MiB).
     * @return this.
     */
    public ServerContext maxInboundMessageBytes(final int bytes)
    {
        maxInboundMessageBytes = positive(bytes, "message bound");
        return this;
    }

    /**
     * @return largest request message accepted.
     */
    public int maxInboundMessageBytes()
    {
        return maxInboundMessageBytes;
    }

    /**
     * @param threads threads running the blocking calls (default max(4, 2 x cores)).
     * @return this.
     */
    public ServerContext workerThreads(final int threads)
    {
        workerThreads = positive(threads, "worker threads");
        return this;
    }

    /**
     * @return threads running the blocking calls.
     */
    public int workerThreads()
    {
        return workerThreads;
    }

    /**
     * @param timeout how long a shutdown waits for calls in flight (default 20 s).
     * @return this.
     */
    public ServerContext drainTimeout(final Duration timeout)
    {
        if (timeout == null || timeout.isNegative())
        {
            throw new IpamException(ErrorCode.MALFORMED, "drain timeout must be zero or more");
        }
        drainTimeout = timeout;
        return this;
    }

    /**
     * @return how long a shutdown waits for calls in flight.
     */
    public Duration drainTimeout()
    {
        return drainTimeout;
    }

    /**
     * Where address calls and batches run: on the transport's threads (true: no hand-off to a pool and back; the
     * in-process writer answers them in microseconds), or on the blocking pool like every other call (false). The
     * default is the transport, except for a durable store with {@code SyncPolicy.EVERY_BATCH}, whose writer waits
     * for a disk sync per batch. An allocator served from outside ({@code IpamServer.start(context, ipam, ...)})
     * whose calls may wait (a remote one) should set false.
     *
     * @param onTransport true: the transport's threads.
     * @return this.
     */
    public ServerContext hotCallsOnTransport(final boolean onTransport)
    {
        hotCallsOnTransport = onTransport;
        return this;
    }

    /**
     * @return whether address calls and batches run on the transport's threads (see
     *         {@link #hotCallsOnTransport(boolean)}).
     */
    public boolean hotCallsOnTransport()
    {
        if (hotCallsOnTransport != null)
        {
            return hotCallsOnTransport;
        }
        return store == null || ipamConfig.syncPolicy() != IpamConfig.SyncPolicy.EVERY_BATCH;
    }
}
