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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.ipam.client.GrpcIpam;
import io.ipam.client.StatusCodes;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.access.TokenFile;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.BatchResult;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.ListSubnetsRequest;
import io.ipam.proto.v1.ReleaseRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.ipam.server.ServerFixture.ADMIN;
import static io.ipam.server.ServerFixture.TENANT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's own rules, over real loopback connections: authentication, the status table and its details,
 * batches and their bounds, the in-flight bounds, snapshots streamed to the client, health and metrics.
 */
class IpamServerTest
{
    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    @TempDir
    Path tmp;

    @RegisterExtension
    final ServerFixture fixture = new ServerFixture();

    private Path tokens(final String text, final String mode) throws IOException
    {
        final Path f = tmp.resolve("tokens-" + fixture.opened());
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private IpamServer start(final ServerContext context)
    {
        return fixture.start(context);
    }

    private ManagedChannel channel(final IpamServer server)
    {
        return fixture.channel(server);
    }

    private GrpcIpam client(final IpamServer server, final String token)
    {
        return fixture.add(GrpcIpam.builder(server.target()).token(token).build());
    }

    private static IpamServiceGrpc.IpamServiceBlockingStub stub(final ManagedChannel ch, final String token)
    {
        return ServerFixture.stub(ch, token);
    }

    // ----- authentication -----------------------------------------------------------------------------------

    @Test
    void shouldRefuseCallsWithoutAKnownToken() throws IOException
    {
        final IpamServer server = start(new ServerContext().tokens(tokens(
            "# admins and tenants\n" + ADMIN + " *\n\n" + TENANT + " tenant-a\n", "rw-------")));
        final ManagedChannel ch = channel(server);
        for (final String token : new String[] {null, "not-a-known-token-at-all", ADMIN + "x"})
        {
            final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
                () -> stub(ch, token).listSubnets(ListSubnetsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAUTHENTICATED, ex.getStatus().getCode(), String.valueOf(token));
        }
        assertEquals(0, stub(ch, ADMIN).listSubnets(ListSubnetsRequest.getDefaultInstance()).getSubnetsCount());
        // another scheme is not a bearer token
        final Metadata basic = new Metadata();
        basic.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Basic " + ADMIN);
        assertEquals(Status.Code.UNAUTHENTICATED, assertThrows(StatusRuntimeException.class,
            () -> IpamServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(basic))
                .listSubnets(ListSubnetsRequest.getDefaultInstance())).getStatus().getCode());
        // health needs no token
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
            .check(HealthCheckRequest.newBuilder().setService(IpamServiceGrpc.SERVICE_NAME).build()).getStatus());
    }

    @Test
    void shouldScopeTenantTokensToTheirTenantsView() throws IOException
    {
        final IpamServer server = start(new ServerContext().tokens(tokens(ADMIN + " *\n" + TENANT + " tenant-a\n",
            "r--------")));
        final Ipam admin = client(server, ADMIN);
        admin.createSubnet(SubnetSpec.builder("mine", "10.0.0.0/24").tenant("tenant-a").build());
        admin.createSubnet(SubnetSpec.builder("theirs", "10.0.0.0/24").tenant("tenant-b").build());
        final Ipam tenant = client(server, TENANT);
        assertEquals(List.of("mine"), tenant.subnets().stream().map(SubnetInfo::id).toList());
        tenant.allocate("mine", A);
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, assertThrows(IpamException.class,
            () -> tenant.allocate("theirs", A)).code(), "another tenant's subnet does not exist for the view");
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(IpamException.class,
            () -> tenant.createSubnet(SubnetSpec.builder("x", "10.9.0.0/24").tenant("tenant-b").build())).code());
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
            () -> stub(channel(server), TENANT).createPrefixPool(CreatePrefixPoolRequest.newBuilder()
                .setId("p").addPrefixes("10.100.0.0/16").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, ex.getStatus().getCode());
        assertEquals(ErrorCode.FORBIDDEN, StatusCodes.ipamCode(ex));
        assertEquals(1, admin.allocations(A).size());
        assertEquals(0, admin.subnet("theirs").allocated());
    }

    @Test
    void shouldRefuseBadTokenFiles() throws IOException
    {
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> TokenFile.load(tokens(ADMIN + " *\n", "rw-r--r--"))).code());
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> TokenFile.load(tmp.resolve("missing"))).code());
        for (final String bad : new String[] {"short *\n", ADMIN + "\n", ADMIN + " * extra\n",
            ADMIN + " *\n" + ADMIN + " t\n", ADMIN + " bad/tenant\n", "", "# only a comment\n"})
        {
            final IpamException ex = assertThrows(IpamException.class, () -> TokenFile.load(tokens(bad, "rw-------")));
            assertEquals(ErrorCode.MALFORMED, ex.code(), bad);
            assertFalse(ex.getMessage().contains(ADMIN), "a token never appears in a message");
        }
        final TokenFile ok = TokenFile.load(tokens(" " + ADMIN + "\t*\n" + TENANT + " t-1\n", "rw-------"));
        assertEquals(2, ok.size());
        assertTrue(ok.principal(ADMIN).isAdmin());
        assertEquals("t-1", ok.principal(TENANT).tenantOrStar());
        assertEquals(null, ok.principal("unknown-token-0123456789"));
    }

    // ----- errors -------------------------------------------------------------------------------------------

    @Test
    void shouldCarryTheIpamCodeInTheStatusDetails()
    {
        final IpamServer server = start(new ServerContext());
        final IpamServiceGrpc.IpamServiceBlockingStub stub = stub(channel(server), null);
        stub.createSubnet(CreateSubnetRequest.newBuilder().setId("s").setCidr("10.0.0.0/30").build());
        stub.allocate(AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString()).build());
        final Object[][] cases = {
            {AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString()).build(), Status.Code.RESOURCE_EXHAUSTED,
                ErrorCode.EXHAUSTED},
            {AllocateRequest.newBuilder().setSubnetId("nope").setOwner(A.toString()).build(), Status.Code.NOT_FOUND,
                ErrorCode.SUBNET_NOT_FOUND},
            {AllocateRequest.newBuilder().setSubnetId("s").setOwner("1-1-1-1-1").build(), Status.Code.INVALID_ARGUMENT,
                ErrorCode.MALFORMED},
            {AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString()).setAddress("10.0.0.2").build(),
                Status.Code.ALREADY_EXISTS, ErrorCode.ADDRESS_TAKEN},
            {AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString()).setCount(70_000).build(),
                Status.Code.INVALID_ARGUMENT, ErrorCode.BULK_TOO_LARGE},
        };
        for (final Object[] c : cases)
        {
            final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
                () -> stub.allocate((AllocateRequest)c[0]));
            assertEquals(c[1], ex.getStatus().getCode(), String.valueOf(c[2]));
            assertEquals(c[2], StatusCodes.ipamCode(ex));
            assertEquals(c[2], StatusCodes.toIpamException(ex).code());
        }
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class, () -> stub.createSubnet(
            CreateSubnetRequest.newBuilder().setId("t").setCidr("10.0.0.0/24").setStrategyValue(99).build()));
        assertEquals(ErrorCode.MALFORMED, StatusCodes.ipamCode(ex));
    }

    // ----- batches ------------------------------------------------------------------------------------------

    private static BatchOp allocateOp(final String subnet)
    {
        return BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId(subnet)
            .setOwner(A.toString())).build();
    }

    private static BatchOp releaseOp(final String subnet, final String address)
    {
        return BatchOp.newBuilder().setRelease(ReleaseRequest.newBuilder().setSubnetId(subnet).setAddress(address))
            .build();
    }

    @Test
    void shouldApplyBatchOperationsInOrderEachOnItsOwn()
    {
        final IpamServer server = start(new ServerContext().maxBatchItems(100));
        final IpamServiceGrpc.IpamServiceBlockingStub stub = stub(channel(server), null);
        stub.createSubnet(CreateSubnetRequest.newBuilder().setId("s").setCidr("10.0.0.0/29").build());
        final BatchResponse r = stub.batch(BatchRequest.newBuilder()
            .addOps(BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId("s")
                .setOwner(A.toString()).setAddress("10.0.0.3")))
            .addOps(releaseOp("s", "10.0.0.3"))
            .addOps(releaseOp("s", "10.0.0.3"))
            .addOps(allocateOp("missing"))
            .addOps(BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId("s")
                .setOwner(A.toString()).setCount(5)))
            .addOps(allocateOp("s"))
            .addOps(BatchOp.getDefaultInstance())
            .build());
        assertEquals(7, r.getResultsCount());
        assertEquals(List.of("10.0.0.3"), r.getResults(0).getAllocated().getAddressesList());
        assertTrue(r.getResults(1).getReleased().getReleased(), "sees the allocation before it");
        assertFalse(r.getResults(2).getReleased().getReleased(), "sees the release before it");
        assertEquals(io.ipam.proto.v1.ErrorCode.SUBNET_NOT_FOUND, r.getResults(3).getError().getCode());
        assertEquals(5, r.getResults(4).getAllocated().getAddressesCount(), "a /29 has 5 pool addresses");
        assertEquals(io.ipam.proto.v1.ErrorCode.EXHAUSTED, r.getResults(5).getError().getCode());
        assertEquals(io.ipam.proto.v1.ErrorCode.MALFORMED, r.getResults(6).getError().getCode());

        final BatchRequest.Builder big = BatchRequest.newBuilder();
        for (int i = 0; i < 101; i++)
        {
            big.addOps(allocateOp("s"));
        }
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class, () -> stub.batch(big.build()));
        assertEquals(ErrorCode.BULK_TOO_LARGE, StatusCodes.ipamCode(ex));
        assertEquals(5, server.ipam().subnet("s").allocated(), "a refused batch changes nothing");
    }

    @Test
    void shouldStreamBatchesAndAnswerInOrder() throws InterruptedException
    {
        final IpamServer server = start(new ServerContext());
        final ManagedChannel ch = channel(server);
        stub(ch, null).createSubnet(CreateSubnetRequest.newBuilder().setId("s").setCidr("10.0.0.0/16").build());
        final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
        final StreamObserver<BatchRequest> requests = IpamServiceGrpc.newStub(ch).batchStream(
            new RecordingObserver<>(answers));
        final int batches = 50;
        for (int b = 0; b < batches; b++)
        {
            final BatchRequest.Builder req = BatchRequest.newBuilder();
            for (int i = 0; i < 100; i++)
            {
                req.addOps(allocateOp("s"));
            }
            requests.onNext(req.build());
        }
        requests.onCompleted();
        final Set<String> seen = new HashSet<>();
        for (int b = 0; b < batches; b++)
        {
            final Object answer = answers.poll(30, TimeUnit.SECONDS);
            assertTrue(answer instanceof BatchResponse, String.valueOf(answer));
            for (final BatchResult r : ((BatchResponse)answer).getResultsList())
            {
                assertTrue(seen.add(r.getAllocated().getAddresses(0)), "no address handed out twice");
            }
        }
        assertEquals("done", answers.poll(30, TimeUnit.SECONDS));
        assertEquals(batches * 100, seen.size());
        assertEquals(batches * 100, server.ipam().subnet("s").allocated());
    }

    // ----- bounds -------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseCallsBeyondTheInFlightBounds() throws InterruptedException
    {
        final IpamServer server = start(new ServerContext().maxInFlight(2, 1));
        final ManagedChannel first = channel(server);
        // an open stream is a call in flight until it ends
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final StreamObserver<BatchRequest> open =
            IpamServiceGrpc.newStub(first).batchStream(new RecordingObserver<>(events));
        open.onNext(BatchRequest.getDefaultInstance());
        assertTrue(events.poll(30, TimeUnit.SECONDS) instanceof BatchResponse, "the stream is open and served");
        final StatusRuntimeException perConnection = assertThrows(StatusRuntimeException.class,
            () -> stub(first, null).listSubnets(ListSubnetsRequest.getDefaultInstance()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, perConnection.getStatus().getCode());
        assertEquals(ErrorCode.OVERLOADED, StatusCodes.ipamCode(perConnection));
        // another connection still has room overall
        assertEquals(0, stub(channel(server), null).listSubnets(ListSubnetsRequest.getDefaultInstance())
            .getSubnetsCount());
        open.onCompleted();
        assertEquals("done", events.poll(30, TimeUnit.SECONDS));
        // the bound is released when the stream ends (the close is counted before the client sees it)
        assertEquals(0, stub(first, null).listSubnets(ListSubnetsRequest.getDefaultInstance()).getSubnetsCount());
    }

    @Test
    void shouldRefuseOversizedMessages()
    {
        final IpamServer server = start(new ServerContext().maxInboundMessageBytes(1024));
        final StatusRuntimeException ex = assertThrows(StatusRuntimeException.class,
            () -> stub(channel(server), null).createSubnet(CreateSubnetRequest.newBuilder().setId("x".repeat(2000))
                .setCidr("10.0.0.0/24").build()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, ex.getStatus().getCode());
    }

    // ----- snapshot, metrics --------------------------------------------------------------------------------

    @Test
    void shouldStreamASnapshotIntoALocalFile() throws IOException
    {
        final IpamServer server = start(new ServerContext());
        final GrpcIpam client = client(server, null);
        client.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
        client.allocateBulk("s", A, 50_000);
        final Path file = tmp.resolve("remote.snap");
        final SnapshotInfo info = client.snapshot(file);
        assertEquals(file, info.file());
        assertEquals(Files.size(file), info.bytes());
        assertTrue(info.bytes() > SnapshotStream.CHUNK_BYTES / 4, "large enough to matter: " + info.bytes());
        final SnapshotData data = SnapshotCodec.read(file);
        assertEquals(1, data.subnets.size());
        assertEquals(50_000, info.allocations());
        try (Stream<Path> left = Files.list(tmp))
        {
            assertEquals(List.of(file), left.toList(), "no temporary file left beside it");
        }
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file),
            "a snapshot names every owner");
    }

    @Test
    void shouldServeMetrics() throws Exception
    {
        final IpamServer server = start(new ServerContext().metrics(new InetSocketAddress("127.0.0.1", 0)));
        final GrpcIpam client = client(server, null);
        client.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        assertThrows(IpamException.class, () -> client.subnet("missing"));
        final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("ipam_grpc_requests_total{code=\"OK\",method=\"CreateSubnet\"} 1.0"), r.body());
        assertTrue(r.body().contains("ipam_grpc_requests_total{code=\"NOT_FOUND\",method=\"GetSubnet\"} 1.0"),
            r.body());
        assertTrue(r.body().contains("ipam_grpc_in_flight"), r.body());
        // the allocator's own metrics beside the server's: per-subnet lifecycle counts and request counters
        client.allocate("s", A);
        final String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(body.contains("ipam_subnet_allocated{subnet=\"s\",tenant=\"\"} 1.0"), body);
        assertTrue(body.contains("ipam_subnet_free{subnet=\"s\",tenant=\"\"} 252.0"), body);
        assertTrue(body.contains("ipam_failures_total{code=\"SUBNET_NOT_FOUND\"} 1.0"), body);
    }

    @Test
    void shouldCloseTheAllocatorOnShutdown()
    {
        final IpamServer server = start(new ServerContext());
        final GrpcIpam client = client(server, null);
        client.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        server.shutdown();
        assertEquals(ErrorCode.CLOSED, assertThrows(IpamException.class, () -> server.ipam().subnets()).code());
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, client::subnets).code(),
            "an unreachable server");
    }
}
