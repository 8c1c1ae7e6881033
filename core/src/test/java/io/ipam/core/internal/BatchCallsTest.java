package io.ipam.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.BatchAnswerFlyweight;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.spi.Answer;
import io.ipam.core.spi.CommandLog;
import io.ipam.core.writer.CommandAdapter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link IpamBatch} through the in-process allocator: one {@code BATCH} command, applied in order, each operation
 * with the result or the error its single call would have had.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchCallsTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);

    /** Counts the logged commands by type. */
    private static final class Types implements CommandLog
    {
        final List<Integer> types = new ArrayList<>();

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

    private static Ipam lowest(final Ipam ipam)
    {
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("tiny", "192.168.0.0/30").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
        return ipam;
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldAnswerEachOperationAsItsSingleCallInOneCommand(final WriterMode mode)
    {
        final Types log = new Types();
        try (Ipam ipam = lowest(Ipam.inMemory(IpamConfig.builder().writerMode(mode).commandLog(log).build())))
        {
            final String taken = ipam.allocate("s", "10.0.0.100", B);
            log.types.clear();
            final long requestsBefore = ipam.requestCounters().get("requests");
            final IpamBatch batch = new IpamBatch()
                .allocate("s", A)                              // 0: .2 (LOWEST; .1 is the gateway)
                .allocateNext("s", A)                          // 1: .3
                .allocate("s", "10.0.0.50", A)                 // 2
                .allocate("s", taken, A)                       // 3: ADDRESS_TAKEN
                .allocateBulk("s", A, 3)                       // 4: .4 .5 .6
                .release("s", "10.0.0.3")                      // 5: released (sees 1)
                .release("s", "10.0.0.3")                      // 6: free now
                .release("s", taken, A)                        // 7: OWNER_MISMATCH
                .allocate("nope", A)                           // 8: SUBNET_NOT_FOUND at the edge
                .allocate("s", "not an address", A)            // 9: MALFORMED at the edge
                .allocate("s", "10.1.0.1", A)                  // 10: ADDRESS_INVALID at the edge
                .allocateEui64("v6", "02:00:00:00:00:01", A)   // 11
                .allocateEui64("s", "02:00:00:00:00:01", A)    // 12: ADDRESS_INVALID (not a /64)
                .allocateBulk("tiny", A, 3)                    // 13: EXHAUSTED (.2 alone is usable)
                .invalid(new IpamException(ErrorCode.MALFORMED, "undecodable"))  // 14
                .release("s", taken, B)                        // 15: released
                .allocate("s", null);                          // 16: MALFORMED
            assertTrue(batch == ipam.apply(batch));
            assertEquals("10.0.0.2", batch.address(0));
            assertEquals("10.0.0.3", batch.address(1));
            assertEquals("10.0.0.50", batch.address(2));
            assertEquals(ErrorCode.ADDRESS_TAKEN, batch.error(3).code());
            assertEquals(List.of("10.0.0.4", "10.0.0.5", "10.0.0.6"), batch.addresses(4));
            assertTrue(batch.ok(5) && batch.released(5));
            assertTrue(batch.ok(6));
            assertFalse(batch.released(6));
            assertEquals(ErrorCode.OWNER_MISMATCH, batch.error(7).code());
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, batch.error(8).code());
            assertEquals(ErrorCode.MALFORMED, batch.error(9).code());
            assertEquals(ErrorCode.ADDRESS_INVALID, batch.error(10).code());
            assertEquals("2001:db8::ff:fe00:1", batch.address(11));
            assertEquals(ErrorCode.ADDRESS_INVALID, batch.error(12).code());
            assertTrue(batch.error(12).getMessage().contains("EUI-64 needs an IPv6 /64"), batch.error(12).getMessage());
            assertEquals(ErrorCode.EXHAUSTED, batch.error(13).code());
            assertNull(batch.addresses(13));
            assertEquals("undecodable", batch.error(14).reason());
            assertTrue(batch.released(15));
            assertEquals(ErrorCode.MALFORMED, batch.error(16).code());
            assertTrue(batch.error(3).getMessage().contains("10.0.0.100"), batch.error(3).getMessage());

            assertEquals(List.of(MessageTypes.BATCH), log.types, "one command, logged once");
            assertEquals(requestsBefore + 2, ipam.requestCounters().get("requests"),
                "one writer request, and the edge's look-up of the unknown subnet");
            assertEquals(5, ipam.subnet("s").allocated()); // .2 .50 .4 .5 .6: .3 and .100 were released
            assertEquals(1, ipam.subnet("v6").allocated());
            assertEquals(0, ipam.subnet("tiny").allocated());

            // reuse: clear, fill, apply again
            batch.clear().release("s", "10.0.0.2").release("s", "10.0.0.50", A);
            ipam.apply(batch);
            assertEquals(2, batch.size());
            assertTrue(batch.released(0) && batch.released(1));
            assertEquals(3, ipam.subnet("s").allocated());
        }
    }

    @Test
    void shouldRefuseAWholeBatchOverTheBulkLimitBeforeApplyingAnything()
    {
        try (Ipam ipam = lowest(Ipam.inMemory(IpamConfig.builder().maxBulk(10).build())))
        {
            final IpamBatch batch = new IpamBatch().allocate("s", A).allocateBulk("s", A, 10);
            assertEquals(ErrorCode.BULK_TOO_LARGE, assertThrows(IpamException.class, () -> ipam.apply(batch)).code());
            assertEquals(0, ipam.subnet("s").allocated());
            final Throwable async = assertThrows(Exception.class, () -> ipam.applyAsync(batch).join()).getCause();
            assertEquals(ErrorCode.BULK_TOO_LARGE, ((IpamException)async).code());
        }
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldApplyBatchesAsynchronouslyFromManyThreads(final WriterMode mode) throws Exception
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().writerMode(mode).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").build());
            final Set<String> held = ConcurrentHashMap.newKeySet();
            final AtomicInteger allocated = new AtomicInteger();
            final List<Thread> threads = new ArrayList<>();
            final int rounds = 200;
            for (int t = 0; t < 4; t++)
            {
                final Thread thread = new Thread(() ->
                {
                    final IpamBatch batch = new IpamBatch();
                    for (int r = 0; r < rounds; r++)
                    {
                        batch.clear();
                        for (int k = 0; k < 50; k++)
                        {
                            batch.allocate("big", A);
                        }
                        ipam.applyAsync(batch).join();
                        final IpamBatch release = new IpamBatch();
                        for (int k = 0; k < 50; k++)
                        {
                            if (!held.add(batch.address(k)))
                            {
                                throw new AssertionError("given twice: " + batch.address(k));
                            }
                            allocated.incrementAndGet();
                            release.release("big", batch.address(k));
                        }
                        for (int k = 0; k < 50; k++)
                        {
                            held.remove(batch.address(k)); // out of the book first: once released it may go again
                        }
                        ipam.apply(release);
                        for (int k = 0; k < 50; k++)
                        {
                            if (!release.released(k))
                            {
                                throw new AssertionError("not released: " + release.value(k));
                            }
                        }
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join(60_000);
                assertFalse(thread.isAlive());
            }
            assertEquals(4 * rounds * 50, allocated.get());
            assertTrue(held.isEmpty());
            assertEquals(0, ipam.subnet("big").allocated());
        }
    }

    @Test
    void shouldSendEntriesOfAStaleHandleOnceMore()
    {
        try (Ipam ipam = lowest(Ipam.inMemory(IpamConfig.defaults())))
        {
            final String first = ipam.allocate("s", A); // the facade caches the handle of "s"
            // "s" deleted and created again behind the facade's back: its cached handle is stale
            ((EngineIpam)ipam).executor().withRole(engine ->
            {
                engine.admin().delete("s", null, true);
                engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "10.0.0.0/24")
                    .strategy(AllocationStrategy.LOWEST).build()));
            });
            final IpamBatch batch = new IpamBatch().allocate("s", A).allocate("tiny", B).release("s", first)
                .allocate("s", "10.0.0.9", A);
            ipam.apply(batch);
            assertEquals("10.0.0.2", batch.address(0), "sent again with the new handle");
            assertEquals("192.168.0.2", batch.address(1));
            assertTrue(batch.released(2), "the stale entries keep their order among themselves");
            assertEquals("10.0.0.9", batch.address(3));
            assertEquals(1, ipam.subnet("s").allocated());
        }
    }

    @Test
    void shouldKeepAViewToItsTenant()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.defaults()))
        {
            ipam.createSubnet(SubnetSpec.builder("red-net", "10.0.0.0/24").tenant("red").build());
            ipam.createSubnet(SubnetSpec.builder("blue-net", "10.1.0.0/24").tenant("blue").build());
            final Ipam red = ipam.forTenant("red");
            final IpamBatch batch = red.apply(new IpamBatch().allocate("red-net", A).allocate("blue-net", A));
            assertTrue(batch.ok(0));
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, batch.error(1).code());
            assertEquals(0, ipam.subnet("blue-net").allocated());
        }
    }

    @Test
    void shouldMarkOnlyEntriesNamingAWideSubnetAndReadTheirHighWords()
    {
        final List<byte[]> batches = new ArrayList<>();
        final CommandLog keep = new CommandLog()
        {
            @Override
            public void onCommand(final long sequence, final long timeMs, final int type, final DirectBuffer buffer,
                final int offset, final int length)
            {
                if (type == MessageTypes.BATCH)
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    batches.add(bytes);
                }
            }

            @Override
            public void onAnswer(final long sequence, final Answer answer)
            {
            }
        };
        try (Ipam ipam = lowest(Ipam.inMemory(IpamConfig.builder().commandLog(keep).build())))
        {
            ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:1::/48").strategy(AllocationStrategy.LOWEST)
                .pool("2001:db8:1:7::1", "2001:db8:1:7::ff").build());
            final IpamBatch batch = new IpamBatch().allocate("w", A).allocate("s", A)
                .allocate("w", "2001:db8:1:5::1", A).release("w", "2001:db8:1:7::1", A);
            ipam.apply(batch);
            assertEquals("2001:db8:1:7::1", batch.address(0));
            assertEquals("10.0.0.2", batch.address(1));
            assertEquals("2001:db8:1:5::1", batch.address(2));
            assertTrue(batch.released(3));
            final BatchCommandFlyweight f = new BatchCommandFlyweight().wrap(new UnsafeBuffer(batches.get(0)), 0,
                batches.get(0).length);
            assertTrue(f.wide(0) && !f.addressHighGiven(0), "an allocation: the mark, no high word");
            assertFalse(f.wide(1) || f.addressHighGiven(1), "a narrow subnet's entry is as it was");
            assertTrue(f.wide(2) && f.addressHighGiven(2) && f.addressHigh(2) == 0x2001_0db8_0001_0005L);
            assertTrue(f.wide(3) && f.addressHighGiven(3) && f.addressHigh(3) == 0x2001_0db8_0001_0007L);
        }
    }

    /**
     * Replay compatibility: an entry that names a wide subnet without the wide mark (every batch written before batches
     * reached wide subnets) is answered MALFORMED and applies nothing; a marked one answers its high words.
     */
    @Test
    void shouldAnswerAnUnmarkedEntryOnAWideSubnetAsBeforeAndAMarkedOneWithItsHighWords()
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(3), 64, Long.MAX_VALUE);
        engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("w", "2001:db8:1::/48")
            .strategy(AllocationStrategy.LOWEST).pool("2001:db8:1:7::1", "2001:db8:1:7::ff").build()));
        engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("n", "10.0.0.0/24")
            .strategy(AllocationStrategy.LOWEST).build()));
        final int w = engine.handle("w");
        final int n = engine.handle("n");
        final CommandAdapter adapter = new CommandAdapter(engine);
        final UnsafeBuffer command = new UnsafeBuffer(new byte[BatchCommandFlyweight.length(6)]);
        CommandHeader.encode(command, 0, 1_700_000_000_000L);
        final int length = BatchCommandFlyweight.begin(command, 0, 6);
        final int wide = BatchCommandFlyweight.FLAG_WIDE;
        final int high = BatchCommandFlyweight.FLAG_ADDRESS_HIGH;
        BatchCommandFlyweight.entry(command, 0, 0, MessageTypes.ALLOCATE, w, 0, 0, 0, 0, 1, 1);
        BatchCommandFlyweight.entry(command, 0, 1, MessageTypes.ALLOCATE_SPECIFIC, w, 0, 1, 0x2001_0db8_0001_0005L,
            high, 1, 1);
        BatchCommandFlyweight.entry(command, 0, 2, MessageTypes.ALLOCATE, w, 0, 0, 0, wide, 1, 1);
        BatchCommandFlyweight.entry(command, 0, 3, MessageTypes.ALLOCATE_SPECIFIC, w, 0, 1, 0x2001_0db8_0001_0005L,
            wide | high, 1, 1);
        BatchCommandFlyweight.entry(command, 0, 4, MessageTypes.ALLOCATE_BULK, w, 2, 0, 0, wide, 1, 1);
        BatchCommandFlyweight.entry(command, 0, 5, MessageTypes.ALLOCATE, n, 0, 0, 0, wide, 1, 1);
        final Reply reply = new Reply(0);
        adapter.onCommand(MessageTypes.BATCH, command, 0, length, reply);
        final BatchAnswerFlyweight a = new BatchAnswerFlyweight().wrap(reply.payload, reply.payloadLength);
        assertEquals(ErrorCode.MALFORMED.resultCode(), a.code(0), "unmarked: as before");
        assertEquals(ErrorCode.MALFORMED.resultCode(), a.code(1), "unmarked: as before");
        assertEquals(0, a.code(2));
        assertEquals(1, a.value(2));
        assertEquals(0x2001_0db8_0001_0007L, a.extra(a.extraIndex(2)), "the high word of 2001:db8:1:7::1");
        assertEquals(0, a.code(3));
        assertEquals(0x2001_0db8_0001_0005L, a.extra(a.extraIndex(3)));
        assertEquals(0, a.code(4));
        final int at = a.extraIndex(4);
        assertEquals(List.of(0x2001_0db8_0001_0007L, 2L, 0x2001_0db8_0001_0007L, 3L),
            List.of(a.extra(at), a.extra(at + 1), a.extra(at + 2), a.extra(at + 3)), "(high, low) per address");
        assertEquals(0, a.code(5));
        assertEquals(0x0A00_0002L, a.value(5));
        assertEquals(BatchAnswerFlyweight.NO_EXTRA, a.extraIndex(5), "the mark changes nothing on a narrow subnet");
        assertEquals(4, engine.allocatedCount(w));
    }
}
