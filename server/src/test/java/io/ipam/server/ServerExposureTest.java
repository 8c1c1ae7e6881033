package io.ipam.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.ipam.client.StatusCodes;
import io.ipam.core.ErrorCode;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.ListSubnetsRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.ipam.server.ServerFixture.ADMIN;
import static io.ipam.server.ServerFixture.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a caller without a token can reach (SPEC 8, issue 25): health and reflection answer, from a small budget of
 * their own that cannot crowd out authenticated calls; the API refuses it before it holds any of the API's slots;
 * {@code /metrics} wants an administrator's token.
 */
@Timeout(120)
class ServerExposureTest
{

    @TempDir
    Path tmp;

    @RegisterExtension
    final ServerFixture fixture = new ServerFixture();

    private IpamServer start(final ServerContext context) throws IOException
    {
        final Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, ADMIN + " *\n" + TENANT + " tenant-a\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        return fixture.start(context.tokens(tokens));
    }

    private ManagedChannel channel(final IpamServer server)
    {
        return fixture.channel(server);
    }

    private static IpamServiceGrpc.IpamServiceBlockingStub stub(final ManagedChannel ch, final String token)
    {
        return ServerFixture.stub(ch, token);
    }

    /** Open a Health/Watch stream without a token; the first event (SERVING, or the refusal) is returned. */
    private static Object watch(final ManagedChannel ch) throws InterruptedException
    {
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        HealthGrpc.newStub(ch).watch(HealthCheckRequest.getDefaultInstance(), new RecordingObserver<>(events));
        final Object first = events.poll(30, TimeUnit.SECONDS);
        assertTrue(first != null, "no answer to a Health/Watch");
        return first instanceof HealthCheckResponse ? ((HealthCheckResponse)first).getStatus() : first;
    }

    @Test
    void shouldServeAuthenticatedCallsWhileUnauthenticatedStreamsHoldTheirWholeBudget() throws Exception
    {
        // the reproduction: two connections holding four Health/Watch streams each, without a token, made
        // an admin ListSubnets fail with RESOURCE_EXHAUSTED when the API's bound was 8 / 4
        final IpamServer server = start(new ServerContext().maxInFlight(8, 4));
        final List<ManagedChannel> watchers = new ArrayList<>();
        int held = 0;
        while (held < IpamServer.OPEN_CALLS)
        {
            final ManagedChannel ch = channel(server);
            watchers.add(ch);
            for (int i = 0; i < IpamServer.OPEN_CALLS_PER_CONNECTION && held < IpamServer.OPEN_CALLS; i++, held++)
            {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, watch(ch));
            }
        }
        // one more on a full connection, and one more anywhere: refused, and they hold nothing
        final StatusRuntimeException perConnection = assertInstanceOf(StatusRuntimeException.class,
            watch(watchers.get(0)));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, perConnection.getStatus().getCode());
        assertEquals(ErrorCode.OVERLOADED, StatusCodes.ipamCode(perConnection));
        assertTrue(perConnection.getStatus().getDescription().contains("health and reflection calls"),
            perConnection.getStatus().getDescription());
        assertInstanceOf(StatusRuntimeException.class, watch(channel(server)));
        // the administrator is served, from every connection, the watchers' own included
        for (final ManagedChannel ch : List.of(channel(server), watchers.get(0), watchers.get(1)))
        {
            assertEquals(0, stub(ch, ADMIN).listSubnets(ListSubnetsRequest.getDefaultInstance()).getSubnetsCount());
        }
        // a Health/Check is served again once a watcher leaves
        watchers.get(0).shutdownNow();
        assertTrue(watchers.get(0).awaitTermination(10, TimeUnit.SECONDS));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            try
            {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel(server))
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus());
                break;
            }
            catch (final StatusRuntimeException ex)
            {
                // the server counts the cancelled streams down as it sees the connection go
                assertEquals(Status.Code.RESOURCE_EXHAUSTED, ex.getStatus().getCode());
                assertTrue(System.nanoTime() < deadline, "the budget was not given back");
                Thread.sleep(20);
            }
        }
    }

    @Test
    void shouldRefuseACallerWithoutATokenBeforeItHoldsAnApiSlot() throws Exception
    {
        final IpamServer server = start(new ServerContext().maxInFlight(1, 1));
        // the administrator holds the API's only slot with an open stream
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final Metadata h = new Metadata();
        h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + ADMIN);
        final StreamObserver<BatchRequest> open = IpamServiceGrpc.newStub(channel(server))
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h))
            .batchStream(new RecordingObserver<>(events));
        open.onNext(BatchRequest.getDefaultInstance());
        assertInstanceOf(BatchResponse.class, events.poll(30, TimeUnit.SECONDS));
        // without a token: UNAUTHENTICATED (authentication comes first), not the bound's RESOURCE_EXHAUSTED
        final StatusRuntimeException noToken = assertInstanceOf(StatusRuntimeException.class, catchIt(
            () -> stub(channel(server), null).listSubnets(ListSubnetsRequest.getDefaultInstance())));
        assertEquals(Status.Code.UNAUTHENTICATED, noToken.getStatus().getCode());
        // with one, the bound answers
        final StatusRuntimeException full = assertInstanceOf(StatusRuntimeException.class, catchIt(
            () -> stub(channel(server), TENANT).listSubnets(ListSubnetsRequest.getDefaultInstance())));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        open.onCompleted();
        assertEquals("done", events.poll(30, TimeUnit.SECONDS));
    }

    private static Throwable catchIt(final Runnable r)
    {
        try
        {
            r.run();
            return null;
        }
        catch (final RuntimeException ex)
        {
            return ex;
        }
    }

    @Test
    void shouldAnswerReflectionWithoutAToken() throws Exception
    {
        final IpamServer server = start(new ServerContext());
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel(server))
            .serverReflectionInfo(new RecordingObserver<>(events));
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        final ServerReflectionResponse r = assertInstanceOf(ServerReflectionResponse.class,
            events.poll(30, TimeUnit.SECONDS));
        final List<String> names = new ArrayList<>();
        for (final ServiceResponse s : r.getListServicesResponse().getServiceList())
        {
            names.add(s.getName());
        }
        assertTrue(names.contains(IpamServiceGrpc.SERVICE_NAME), names.toString());
        requests.onCompleted();
        assertEquals("done", events.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void shouldServeMetricsToAnAdministratorsTokenOnly() throws Exception
    {
        final IpamServer server = start(new ServerContext().metrics(new InetSocketAddress("127.0.0.1", 0)));
        stub(channel(server), ADMIN).listSubnets(ListSubnetsRequest.getDefaultInstance());
        final URI uri = URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics");
        final HttpClient http = HttpClient.newHttpClient();
        final HttpResponse<String> none = http.send(HttpRequest.newBuilder(uri).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        assertFalse(none.body().contains("ipam_"), none.body());
        assertEquals(401, http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer not-a-known-token-1")
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(401, http.send(HttpRequest.newBuilder(uri).header("Authorization", "Basic " + ADMIN)
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode());
        final HttpResponse<String> tenant = http.send(HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + TENANT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, tenant.statusCode());
        assertFalse(tenant.body().contains("ipam_"), tenant.body());
        final HttpResponse<String> admin = http.send(HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + ADMIN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, admin.statusCode());
        assertTrue(admin.body().contains("ipam_grpc_requests_total{code=\"OK\",method=\"ListSubnets\"} 1.0"),
            admin.body());
    }
}
