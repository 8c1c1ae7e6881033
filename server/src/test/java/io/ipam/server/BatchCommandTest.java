package io.ipam.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.client.GrpcIpam;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.spi.Answer;
import io.ipam.core.spi.CommandLog;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.ReleaseRequest;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Batch} on the server is the core's {@code BATCH} command: a run of plain operations reaches the writer as one
 * command (the command log sees one), an operation with a request key runs alone between runs in its place, and
 * {@link GrpcIpam#apply(IpamBatch)} gives the results the in-process allocator gives.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchCommandTest
{
    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");

    @RegisterExtension
    final ServerFixture fixture = new ServerFixture();

    /** The types of the logged commands, in order. */
    private static final class Types implements CommandLog
    {
        final List<Integer> types = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onCommand(final long sequence, final long timeMs, final int type, final DirectBuffer buffer,
            final int offset, final int length)
        {
            types.add(type);
        }

        @Override
        public void onAnswer(final long sequence, final Answer answer)
        {
        }
    }

    private IpamServer start(final Types log)
    {
        final Ipam ipam = Ipam.inMemory(IpamConfig.builder().commandLog(log).build());
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        return fixture.add(IpamServer.start(new ServerContext().listen(new InetSocketAddress("127.0.0.1", 0))
            .workerThreads(2), ipam, true));
    }

    private static BatchOp allocate(final String address)
    {
        final AllocateRequest.Builder a = AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString());
        return BatchOp.newBuilder().setAllocate(address == null ? a : a.setAddress(address)).build();
    }

    private static BatchOp keyed(final String key)
    {
        return BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId("s").setOwner(A.toString())
            .setRequestKey(key)).build();
    }

    private static BatchOp release(final String address)
    {
        return BatchOp.newBuilder().setRelease(ReleaseRequest.newBuilder().setSubnetId("s").setAddress(address))
            .build();
    }

    @Test
    void shouldApplyRunsOfPlainOperationsAsOneCommandAndKeyedOnesInTheirPlace()
    {
        final Types log = new Types();
        final IpamServer server = start(log);
        final IpamServiceGrpc.IpamServiceBlockingStub stub = ServerFixture.stub(fixture.channel(server), null);
        log.types.clear();
        final BatchRequest.Builder plain = BatchRequest.newBuilder();
        for (int i = 0; i < 100; i++)
        {
            plain.addOps(allocate(null));
        }
        assertEquals(100, stub.batch(plain.build()).getResultsCount());
        assertEquals(List.of(MessageTypes.BATCH), log.types, "100 operations, one command");

        log.types.clear();
        final BatchResponse mixed = stub.batch(BatchRequest.newBuilder()
            .addOps(allocate("10.0.0.200"))
            .addOps(keyed("k-1"))
            .addOps(release("10.0.0.200"))
            .addOps(allocate("10.0.0.200"))
            .addOps(keyed("k-1"))
            .addOps(BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId("s")
                .setOwner("not-a-uuid")))
            .addOps(release("10.0.0.200"))
            .build());
        assertEquals(7, mixed.getResultsCount());
        assertEquals("10.0.0.200", mixed.getResults(0).getAllocated().getAddresses(0));
        final String keyedAddress = mixed.getResults(1).getAllocated().getAddresses(0);
        assertTrue(mixed.getResults(2).getReleased().getReleased(), "the release came after the keyed allocation");
        assertEquals("10.0.0.200", mixed.getResults(3).getAllocated().getAddresses(0));
        assertEquals(keyedAddress, mixed.getResults(4).getAllocated().getAddresses(0), "the key's first answer");
        assertEquals(io.ipam.proto.v1.ErrorCode.MALFORMED, mixed.getResults(5).getError().getCode());
        assertTrue(mixed.getResults(6).getReleased().getReleased());
        assertEquals(List.of(MessageTypes.BATCH, MessageTypes.WITH_OPTIONS, MessageTypes.BATCH,
            MessageTypes.WITH_OPTIONS, MessageTypes.BATCH), log.types, "runs in order, keyed operations between");
    }

    @Test
    void shouldGiveTheInProcessResultsThroughTheClient()
    {
        final IpamServer server = start(new Types());
        final GrpcIpam client = fixture.add(GrpcIpam.builder(server.target()).build());
        final IpamBatch batch = new IpamBatch()
            .allocate("s", "10.0.0.9", A)
            .allocateNext("s", A)
            .allocateBulk("s", A, 3)
            .allocate("s", "10.0.0.9", A)
            .release("s", "10.0.0.9", new UUID(9, 9))
            .release("s", "10.0.0.9")
            .allocate("missing", A)
            .allocate("s", null)
            .invalid(new IpamException(ErrorCode.MALFORMED, "unreadable"));
        assertTrue(batch == client.apply(batch));
        assertEquals("10.0.0.9", batch.address(0));
        assertEquals("10.0.0.2", batch.address(1));
        assertEquals(List.of("10.0.0.3", "10.0.0.4", "10.0.0.5"), batch.addresses(2));
        assertEquals(ErrorCode.ADDRESS_TAKEN, batch.error(3).code());
        assertEquals(ErrorCode.OWNER_MISMATCH, batch.error(4).code());
        assertTrue(batch.released(5));
        assertEquals(ErrorCode.SUBNET_NOT_FOUND, batch.error(6).code());
        assertEquals(ErrorCode.MALFORMED, batch.error(7).code());
        assertEquals("unreadable", batch.error(8).reason());
        assertEquals(4, server.ipam().subnet("s").allocated());

        final IpamBatch async = client.applyAsync(new IpamBatch().release("s", "10.0.0.2").release("s", "10.0.0.2"))
            .join();
        assertTrue(async.released(0));
        assertFalse(async.released(1));
    }
}
