package io.ipam.tools;

import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.access.TokenFile;
import io.ipam.server.IpamServer;
import io.ipam.server.ServerContext;
import io.ipam.ui.UiServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipam serve}: the gRPC service over a durable store or an in-memory allocator, until SIGTERM or SIGINT.
 * The first signal drains (calls in flight finish, up to {@code --drain-timeout}), then the store is synced and
 * closed and the process exits 0; a second signal, or the drain plus 10 s passing, ends the process at once
 * (exit 3). A durable store stays consistent either way: it never acknowledges what is not in the map.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serve the ipam gRPC API (proto/ipam/v1/ipam.proto) until SIGTERM.")
public final class ServeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Backing backing;

    /** Where the state lives. */
    static final class Backing
    {
        @Option(names = "--store", paramLabel = "DIR", description = "durable store directory (created if absent)")
        Path store;

        @Option(names = "--memory", description = "in memory only: everything is lost when the server stops")
        boolean memory;
    }

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = ServerContext.DEFAULT_LISTEN,
        description = "gRPC address (default ${DEFAULT-VALUE}; port 0 picks a free port)")
    String listen;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain: serve TLS")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key (PKCS#8) of --tls-cert")
    Path tlsKey;

    @Option(names = "--client-ca", paramLabel = "FILE", description = "require client certificates from these CAs")
    Path clientCa;

    @Option(names = "--tokens", paramLabel = "FILE",
        description = "bearer tokens, one 'TOKEN TENANT' or 'TOKEN *' per line; mode 0600 required")
    Path tokens;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "serve Prometheus /metrics here")
    String metrics;

    @Option(names = "--ui", paramLabel = "[HOST:]PORT",
        description = "serve the read-only web page here (off by default; PORT alone: loopback), docs/ui.md")
    String ui;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "4096",
        description = "calls in flight over all connections (default ${DEFAULT-VALUE})")
    int maxInFlight;

    @Option(names = "--max-in-flight-per-connection", paramLabel = "N", defaultValue = "1024",
        description = "calls in flight on one connection (default ${DEFAULT-VALUE})")
    int maxInFlightPerConnection;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "10000",
        description = "addresses one batch message may ask for (default ${DEFAULT-VALUE})")
    int maxBatch;

    @Option(names = "--capacity", paramLabel = "N",
        description = "allocations a new durable store is sized for (default 1,000,000)")
    Long capacity;

    @Option(names = "--drain-timeout", paramLabel = "SECONDS", defaultValue = "20",
        description = "how long SIGTERM waits for calls in flight (default ${DEFAULT-VALUE})")
    int drainSeconds;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final IpamConfig.Builder config = IpamConfig.builder();
        if (capacity != null)
        {
            if (backing.store == null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--capacity goes with --store");
            }
            config.storeCapacity(capacity);
        }
        if (drainSeconds < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--drain-timeout must be 0 or more");
        }
        final ServerContext context = new ServerContext()
            .store(backing.store)
            .ipamConfig(config.build())
            .listen(ServerContext.address(listen, "--listen"))
            .metrics(metrics == null ? null : ServerContext.address(metrics, "--metrics"))
            .tls(tlsCert, tlsKey, clientCa)
            .tokens(tokens)
            .maxInFlight(maxInFlight, maxInFlightPerConnection)
            .maxBatchItems(maxBatch)
            .drainTimeout(Duration.ofSeconds(drainSeconds));
        final InetSocketAddress bind = context.listen();
        final boolean loopbackOnly = bind.getAddress().isLoopbackAddress();
        if (!loopbackOnly && tlsCert == null)
        {
            err.println("ipam serve: WARNING: listening on " + listen + " WITHOUT TLS: tokens, addresses and owners " +
                "cross the network in clear text. Use --tls-cert/--tls-key, or listen on 127.0.0.1.");
        }
        if (!loopbackOnly && tokens == null)
        {
            err.println("ipam serve: WARNING: no --tokens: every caller that reaches " + listen +
                " is the administrator.");
        }
        final InetSocketAddress uiAt = ui == null ? null : ServerContext.address(ui.indexOf(':') < 0 ?
            "127.0.0.1:" + ui : ui.startsWith(":") ? "127.0.0.1" + ui : ui, "--ui");
        if (uiAt != null && !uiAt.getAddress().isLoopbackAddress())
        {
            err.println("ipam serve: WARNING: the web page on " + ui + " is plain HTTP: tokens and addresses cross " +
                "the network in clear text" + (tokens == null ? ", and without --tokens anyone who reaches it sees " +
                "every subnet" : "") + ". Keep it on loopback or behind a TLS proxy.");
        }
        err.flush();

        final CountDownLatch stop = new CountDownLatch(1);
        final AtomicInteger signals = new AtomicInteger();
        final Runnable handler = () ->
        {
            if (signals.incrementAndGet() == 1)
            {
                stop.countDown();
            }
            else
            {
                System.err.println("ipam serve: second signal, exiting now");
                Runtime.getRuntime().halt(3);
            }
        };
        onSignal("TERM", handler);
        onSignal("INT", handler);

        final IpamServer server = IpamServer.start(context);
        final UiServer page;
        try
        {
            page = uiAt == null ? null : UiServer.start(uiAt, server.ipam(),
                tokens == null ? null : TokenFile.load(tokens));
        }
        catch (final RuntimeException ex)
        {
            server.shutdown(Duration.ZERO);
            throw ex;
        }
        out.println("ipam serve: listening on " + server.target() + (tlsCert != null ? " (TLS)" : "") +
            (backing.store != null ? ", store " + backing.store : ", in memory") +
            (server.metricsPort() >= 0 ? ", metrics on http://" + metricsHost() + ":" + server.metricsPort() +
            "/metrics" : "") + (page != null ? ", page on " + page.url() : ""));
        out.flush();

        stop.await();
        out.println("ipam serve: draining (up to " + drainSeconds + " s)");
        out.flush();
        final Thread watchdog = new Thread(() ->
        {
            try
            {
                Thread.sleep((drainSeconds + 10) * 1000L);
                System.err.println("ipam serve: shutdown took too long, exiting now");
                Runtime.getRuntime().halt(3);
            }
            catch (final InterruptedException ignored)
            {
                // shut down in time
            }
        }, "ipam-serve-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        if (page != null)
        {
            page.close();
        }
        server.shutdown();
        watchdog.interrupt();
        out.println("ipam serve: stopped" + (backing.store != null ? "; store synced and closed" : ""));
        out.flush();
        return 0;
    }

    /**
     * Install a handler for a signal through {@code sun.misc.Signal} (jdk.unsupported; reached reflectively so
     * that the build's -Werror does not trip on the internal-API warning). The JVM's own SIGTERM handling would
     * run shutdown hooks once and ignore a second signal; this one counts them.
     */
    private static void onSignal(final String name, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName("sun.misc.Signal");
            final Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            final Object signal = signalClass.getConstructor(String.class).newInstance(name);
            final Object handler = Proxy.newProxyInstance(handlerClass.getClassLoader(),
                new Class<?>[] {handlerClass}, (proxy, method, args) ->
                {
                    switch (method.getName())
                    {
                        case "handle":
                            action.run();
                            return null;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            return "ipam-serve-signal-handler";
                    }
                });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.INTERNAL, "cannot handle SIG" + name + " on this JVM: " + ex);
        }
    }

    private String metricsHost()
    {
        final String host = metrics.substring(0, metrics.lastIndexOf(':'));
        return host.isEmpty() ? "127.0.0.1" : host;
    }
}
