package io.ipam.ui;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.access.TokenFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page's server over HTTP: tokens as on the API (none: 401 and nothing else; a tenant: its subnets only; the
 * administrator: all), the CSP on every answer, the map and lookup calls, the change feed as server-sent events
 * through the caller's view, and the bound on open streams.
 */
@Timeout(120)
class UiServerTest
{
    private static final String ADMIN = "admin-token-0123456789";
    private static final String RED = "red-token-0123456789ab";
    private static final String BLUE = "blue-token-0123456789a";
    private static final UUID OWNER = new UUID(7, 7);

    @TempDir
    Path tmp;

    private Ipam ipam;
    private UiServer ui;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<InputStream> streams = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException
    {
        ipam = Ipam.inMemory(IpamConfig.builder().randomSource(() -> RandomSource.seeded(3)).build());
        ipam.createSubnet(SubnetSpec.builder("red-net", "10.1.0.0/24").tenant("red").build());
        ipam.createSubnet(SubnetSpec.builder("blue-net", "10.2.0.0/24").tenant("blue").build());
        final Path tokens = tmp.resolve("tokens");
        Files.createFile(tokens, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tokens, ADMIN + " *\n" + RED + " red\n" + BLUE + " blue\n");
        ui = UiServer.start(new InetSocketAddress("127.0.0.1", 0), ipam, TokenFile.load(tokens));
    }

    @AfterEach
    void tearDown() throws IOException
    {
        for (final InputStream s : streams)
        {
            s.close();
        }
        ui.close();
        ipam.close();
    }

    private HttpResponse<String> get(final String path, final String token) throws IOException, InterruptedException
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ui.url() + path.substring(1)))
            .timeout(Duration.ofSeconds(30));
        if (token != null)
        {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeThePageWithItsPolicy() throws Exception
    {
        final HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"/assets/app.js\""));
        assertEquals(UiServer.CSP, page.headers().firstValue("Content-Security-Policy").orElseThrow());
        assertTrue(UiServer.CSP.contains("connect-src 'self'") && UiServer.CSP.contains("default-src 'none'"));
        assertEquals(200, get("/assets/app.js", null).statusCode());
        assertEquals(200, get("/assets/app.css", null).statusCode());
        assertEquals(404, get("/assets/../pom.xml", null).statusCode());
        assertEquals(404, get("/etc/passwd", null).statusCode());
        final HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(ui.url() + "api/subnets"))
            .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void shouldShowNothingWithoutAKnownToken() throws Exception
    {
        for (final String call : new String[] {"/api/me", "/api/subnets", "/api/map?subnet=red-net", "/api/pools",
            "/api/lookup?q=10.1.0.5", "/api/feed"})
        {
            for (final String token : new String[] {null, "not-a-known-token-at-all"})
            {
                final HttpResponse<String> r = get(call, token);
                assertEquals(401, r.statusCode(), call);
                assertFalse(r.body().contains("red") || r.body().contains("blue") || r.body().contains("10."),
                    call + ": " + r.body());
                assertEquals(UiServer.CSP, r.headers().firstValue("Content-Security-Policy").orElseThrow());
            }
        }
    }

    @Test
    void shouldShowATenantItsOwnSubnetsOnly() throws Exception
    {
        final String red = get("/api/subnets", RED).body();
        assertTrue(red.contains("\"red-net\""), red);
        assertFalse(red.contains("blue"), red);
        final String admin = get("/api/subnets", ADMIN).body();
        assertTrue(admin.contains("\"red-net\"") && admin.contains("\"blue-net\""));
        assertEquals("{\"admin\":false,\"tenant\":\"red\",\"tokens\":true}", get("/api/me", RED).body());
        assertEquals(404, get("/api/map?subnet=blue-net", RED).statusCode());
        final String address = ipam.allocate("blue-net", OWNER);
        final String lookup = get("/api/lookup?q=" + address, RED).body();
        assertFalse(lookup.contains("blue"), lookup);
        assertTrue(get("/api/lookup?q=" + address, BLUE).body().contains(OWNER.toString()));
        assertFalse(get("/api/lookup?q=" + OWNER, RED).body().contains(address));
        assertTrue(get("/api/lookup?q=" + OWNER, ADMIN).body().contains(address));
    }

    @Test
    void shouldAnswerAMapWithItsDrawing() throws Exception
    {
        final String address = ipam.allocate("red-net", OWNER);
        final HttpResponse<String> r = get("/api/map?subnet=red-net", RED);
        assertEquals(200, r.statusCode());
        final String body = r.body();
        assertTrue(body.contains("\"window\":\"10.1.0.0/24\""), body.substring(0, 300));
        assertTrue(body.contains("\"cellBits\":8") && body.contains("\"addressBits\":0"));
        assertTrue(body.contains("\"address\":\"" + address + "\"") && body.contains(OWNER.toString()));
        assertTrue(body.contains("\"svg\":\"<svg"));
        assertEquals(400, get("/api/map?subnet=red-net&window=10.9.0.0/28", RED).statusCode());
        assertEquals(400, get("/api/map?subnet=red-net&window=nonsense", RED).statusCode());
        assertEquals(400, get("/api/map", RED).statusCode());
        assertTrue(get("/api/map?subnet=red-net&window=10.1.0.0/28", RED).body()
            .contains("\"window\":\"10.1.0.0/28\""));
    }

    @Test
    void shouldListPrefixPoolsWithTheCallersChildren() throws Exception
    {
        ipam.createPrefixPool(PrefixPoolSpec.builder("pd", List.of("2001:db8:100::/40")).minPrefixLength(48)
            .defaultPrefixLength(56).build());
        final String redChild = ipam.allocatePrefix("pd", "red");
        final String blueChild = ipam.allocatePrefix("pd", "blue");
        final String red = get("/api/pools", RED).body();
        assertTrue(red.contains("\"pd\"") && red.contains(redChild), red);
        assertFalse(red.contains(blueChild), red);
    }

    /** Open the change feed; its lines go to the queue. */
    private BlockingQueue<String> feed(final String token) throws Exception
    {
        final HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(ui.url() + "api/feed"))
            .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        streams.add(r.body());
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8)))
            {
                for (String line = in.readLine(); line != null; line = in.readLine())
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // closed by the test
            }
        });
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(final BlockingQueue<String> lines, final String wanted, final List<String> seen)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline)
        {
            final String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null)
            {
                seen.add(line);
                if (line.contains(wanted))
                {
                    return line;
                }
            }
        }
        return null;
    }

    @Test
    void shouldStreamChangesThroughTheCallersView() throws Exception
    {
        final BlockingQueue<String> red = feed(RED);
        final BlockingQueue<String> admin = feed(ADMIN);
        final String blueAddress = ipam.allocate("blue-net", OWNER);
        final String redAddress = ipam.allocate("red-net", OWNER);
        final List<String> seen = new ArrayList<>();
        final String line = awaitLine(red, redAddress, seen);
        assertNotNull(line, "the red page sees its allocation: " + seen);
        assertTrue(line.startsWith("data: [") && line.contains("\"kind\":\"ALLOCATED\""), line);
        for (final String l : seen)
        {
            assertFalse(l.contains(blueAddress) || l.contains("blue"), "the red page never sees blue's: " + l);
        }
        assertNotNull(awaitLine(admin, redAddress, new ArrayList<>()), "the administrator sees all");
    }

    @Test
    void shouldBoundTheStreamsOfOneCaller() throws Exception
    {
        for (int i = 0; i < UiServer.MAX_STREAMS_PER_CALLER; i++)
        {
            feed(BLUE);
        }
        assertEquals(503, get("/api/feed", BLUE).statusCode());
        assertEquals(200, get("/api/subnets", BLUE).statusCode(), "calls still answered");
    }
}
