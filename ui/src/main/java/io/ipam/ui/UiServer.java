package io.ipam.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.access.Principal;
import io.ipam.core.access.TokenFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ipam serve --ui}: a read-only web page over the running allocator, on the JDK's HTTP server. The page's
 * three files come from this jar and carry no data; every {@code /api/} call needs a token (the API's tokens file,
 * {@link Access}) and is answered through the caller's view, so a tenant sees its own subnets only and a caller
 * without a known token gets 401 before the allocator is asked anything. Every answer says, in its
 * Content-Security-Policy, that the page may talk to this server only. Bounds: {@link #WORKERS} threads answer
 * calls; at most {@link #MAX_STREAMS} change streams are open at once ({@link #MAX_STREAMS_PER_CALLER} for one
 * caller), each on a thread of its own; answers are kept and shared for a while ({@link TimedCache}), so the page's
 * share of the writer stays small however many pages are open. Thread-safe.
 */
public final class UiServer implements AutoCloseable
{
    /** Threads answering calls (streams have their own). */
    public static final int WORKERS = 4;
    /** Change streams open at once, all callers. */
    public static final int MAX_STREAMS = 16;
    /** Change streams open at once, one caller (token). */
    public static final int MAX_STREAMS_PER_CALLER = 4;

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final Logger LOG = LoggerFactory.getLogger(UiServer.class);
    private static final int MAX_QUERY = 1024;

    private final HttpServer http;
    private final ExecutorService executor;
    private final Access access;
    private final UiApi api;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private final Map<String, AtomicInteger> streamsByCaller = new HashMap<>();
    private final Map<String, byte[]> assets = new HashMap<>();

    private UiServer(final InetSocketAddress address, final Ipam root, final TokenFile tokens) throws IOException
    {
        access = new Access(root, tokens);
        api = new UiApi(access);
        for (final String name : new String[] {"index.html", "app.js", "app.css"})
        {
            assets.put(name, asset(name));
        }
        executor = Executors.newFixedThreadPool(WORKERS + MAX_STREAMS, daemonThreads("ipam-ui-"));
        http = HttpServer.create(address, 64);
        http.setExecutor(executor);
        http.createContext("/", this::onRequest);
        http.start();
    }

    /**
     * Serve the page for an allocator.
     *
     * @param address where to listen (port 0: a free one).
     * @param root    the allocator (the server's).
     * @param tokens  the tokens file, or null: every caller is the administrator.
     * @return the running server.
     * @throws IpamException {@code STORE_IO} when it cannot listen.
     */
    public static UiServer start(final InetSocketAddress address, final Ipam root, final TokenFile tokens)
    {
        try
        {
            return new UiServer(address, root, tokens);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot serve the page on " + address + ": " +
                ex.getMessage());
        }
    }

    /** @return the bound port. */
    public int port()
    {
        return http.getAddress().getPort();
    }

    /** @return the page's address, {@code http://HOST:PORT/}. */
    public String url()
    {
        final String host = http.getAddress().getAddress().getHostAddress();
        return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port() + "/";
    }

    /** Stop: open streams end, the listener closes. */
    @Override
    public void close()
    {
        api.close();
        http.stop(0);
        executor.shutdownNow();
        try
        {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void onRequest(final HttpExchange ex) throws IOException
    {
        try (ex)
        {
            final Headers h = ex.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod()))
            {
                h.set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain", "only GET\n");
                return;
            }
            final String path = ex.getRequestURI().getRawPath();
            if (path.startsWith("/api/"))
            {
                if (!"GET".equals(ex.getRequestMethod()))
                {
                    h.set("Allow", "GET");
                    send(ex, 405, "text/plain", "only GET\n");
                    return;
                }
                onApi(ex, path.substring("/api/".length()));
                return;
            }
            final String name = "/".equals(path) ? "index.html" : path.startsWith("/assets/") ?
                path.substring("/assets/".length()) : null;
            final byte[] body = name == null ? null : assets.get(name);
            if (body == null)
            {
                send(ex, 404, "text/plain", "not found\n");
                return;
            }
            send(ex, 200, name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js") ?
                "text/javascript; charset=utf-8" : "text/css; charset=utf-8", body);
        }
        catch (final RuntimeException e)
        {
            LOG.warn("page request {} failed", ex.getRequestURI().getRawPath(), e);
        }
    }

    private void onApi(final HttpExchange ex, final String call) throws IOException
    {
        // who asks comes first: nothing is read from the allocator for an unknown caller
        final Principal p = access.principal(ex.getRequestHeaders().getFirst("Authorization"));
        if (p == null)
        {
            ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ipam\"");
            send(ex, 401, "application/json", "{\"error\":\"UNAUTHENTICATED\",\"message\":\"a token is needed\"}");
            return;
        }
        final String rawQuery = ex.getRequestURI().getRawQuery();
        if (rawQuery != null && rawQuery.length() > MAX_QUERY)
        {
            send(ex, 414, "text/plain", "query too long\n");
            return;
        }
        final Map<String, String> q = query(rawQuery);
        try
        {
            if ("feed".equals(call))
            {
                stream(ex, p);
                return;
            }
            final byte[] json = api.answer(call, p, q);
            if (json == null)
            {
                send(ex, 404, "application/json", "{\"error\":\"NOT_FOUND\",\"message\":\"no such call\"}");
                return;
            }
            send(ex, 200, "application/json", json);
        }
        catch (final IpamException e)
        {
            send(ex, status(e.code()), "application/json", UiApi.error(e));
        }
    }

    /**
     * The change feed as server-sent events, on this worker thread for the stream's life (bounded in number).
     */
    private void stream(final HttpExchange ex, final Principal p) throws IOException
    {
        final String caller = Access.scope(p);
        final AtomicInteger mine;
        synchronized (streamsByCaller)
        {
            mine = streamsByCaller.computeIfAbsent(caller, k -> new AtomicInteger());
            if (mine.get() >= MAX_STREAMS_PER_CALLER || !streams.tryAcquire())
            {
                send(ex, 503, "application/json", "{\"error\":\"OVERLOADED\",\"message\":\"too many open streams\"}");
                return;
            }
            mine.incrementAndGet();
        }
        try
        {
            final FeedHub.Watcher w = api.hub(p).watch();
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.sendResponseHeaders(200, 0);
            final OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try
            {
                while (!w.closed)
                {
                    final String f = w.queue.poll(15, TimeUnit.SECONDS);
                    out.write((f == null ? ": keep-alive\n\n" : f).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
            catch (final IOException | InterruptedException gone)
            {
                // the page went away, or the server stops
            }
            finally
            {
                w.close();
            }
        }
        finally
        {
            streams.release();
            mine.decrementAndGet();
        }
    }

    static int status(final ErrorCode code)
    {
        switch (code)
        {
            case SUBNET_NOT_FOUND:
            case POOL_NOT_FOUND:
                return 404;
            case FORBIDDEN:
                return 403;
            case CLOSED:
            case OVERLOADED:
                return 503;
            case INTERNAL:
            case STORE_IO:
            case STORE_CORRUPT:
                return 500;
            default:
                return 400;
        }
    }

    private static Map<String, String> query(final String raw)
    {
        final Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty())
        {
            return out;
        }
        for (final String pair : raw.split("&", 16))
        {
            final int eq = pair.indexOf('=');
            try
            {
                final String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                final String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.putIfAbsent(k, v);
            }
            catch (final IllegalArgumentException bad)
            {
                throw new IpamException(ErrorCode.MALFORMED, "the query is not URL-encoded");
            }
        }
        return out;
    }

    private static void send(final HttpExchange ex, final int status, final String type, final String body)
        throws IOException
    {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(final HttpExchange ex, final int status, final String type, final byte[] body)
        throws IOException
    {
        ex.getResponseHeaders().set("Content-Type", type);
        final boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0)
        {
            try (OutputStream out = ex.getResponseBody())
            {
                out.write(body);
            }
        }
    }

    private static byte[] asset(final String name) throws IOException
    {
        try (InputStream in = UiServer.class.getResourceAsStream("assets/" + name))
        {
            if (in == null)
            {
                throw new IOException("asset " + name + " is missing from the jar");
            }
            return in.readAllBytes();
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
}
