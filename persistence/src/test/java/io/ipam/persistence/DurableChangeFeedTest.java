package io.ipam.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change feed of a durable store survives a reopen, continues its sequence, is readable without the lock,
 * keeps the retention across segment files, and refuses a damaged journal.
 */
class DurableChangeFeedTest
{
    private static final UUID A = new UUID(1, 1);

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(1_000_000);

    @AfterEach
    void restoreSegmentSize()
    {
        ChangeJournal.segmentBytes = 8 << 20;
    }

    private IpamConfig config(final long retention)
    {
        return IpamConfig.builder().clock(clock::incrementAndGet).changeRetention(retention).build();
    }

    @Test
    void shouldKeepTheFeedAcrossReopenAndContinueItsSequence()
    {
        final Path dir = tmp.resolve("store");
        final List<Change> before;
        try (Ipam ipam = DurableIpam.open(dir, config(1000)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").tenant("t").strategy(AllocationStrategy.LOWEST)
                .build());
            final String a = ipam.allocate("s", A);
            ipam.release("s", a);
            ipam.allocateBulk("s", A, 3);
            ipam.reconcile(Set.of(), Duration.ZERO, false);
            before = ipam.changes(0, 100);
            assertEquals(9, before.size());
            // readable without the lock while the store is open
            final List<Change> read = new ArrayList<>();
            assertEquals(9, DurableIpam.readChanges(dir, 0, read::add));
            assertEquals(before, read);
        }
        try (Ipam ipam = DurableIpam.open(dir, config(1000)))
        {
            assertEquals(before, ipam.changes(0, 100), "the same feed after a reopen");
            assertEquals(9, ipam.lastSequence());
            ipam.allocate("s", A);
            final List<Change> after = ipam.changes(9, 10);
            assertEquals(1, after.size());
            assertEquals(10, after.get(0).sequence());
            assertEquals(ChangeKind.ALLOCATED, after.get(0).kind());
            assertEquals(List.of(ChangeKind.RECLAIMED, ChangeKind.RECLAIMED, ChangeKind.RECLAIMED),
                before.subList(6, 9).stream().map(Change::kind).toList());
        }
        final List<Change> tail = new ArrayList<>();
        assertEquals(10, DurableIpam.readChanges(dir, 8, tail::add));
        assertEquals(List.of(9L, 10L), tail.stream().map(Change::sequence).toList());
    }

    @Test
    void shouldKeepTheRetentionAcrossSegments() throws IOException
    {
        ChangeJournal.segmentBytes = 4096; // about 50 changes a segment
        final Path dir = tmp.resolve("rolling");
        try (Ipam ipam = DurableIpam.open(dir, config(120)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/22").build());
            for (int i = 0; i < 10; i++)
            {
                ipam.allocateBulk("s", A, 50);
                ipam.releaseOwner(A);
            }
            assertEquals(1001, ipam.lastSequence());
        }
        try (Stream<Path> files = Files.list(dir.resolve(ChangeJournal.DIR)))
        {
            final long segments = files.count();
            assertTrue(segments >= 3 && segments <= 5, "old segments are dropped: " + segments);
        }
        try (Ipam ipam = DurableIpam.open(dir, config(120)))
        {
            final List<Change> kept = ipam.changes(1001 - 120, 1000);
            assertEquals(120, kept.size());
            assertEquals(1001, kept.get(kept.size() - 1).sequence());
            assertEquals(ErrorCode.LIMIT_EXCEEDED, assertThrows(IpamException.class,
                () -> ipam.changes(1, 10)).code());
        }
    }

    @Test
    void shouldRefuseADamagedJournalAndForgiveATornTail() throws IOException
    {
        final Path dir = tmp.resolve("damaged");
        try (Ipam ipam = DurableIpam.open(dir, config(1000)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocateBulk("s", A, 5);
        }
        final Path segment;
        try (Stream<Path> files = Files.list(dir.resolve(ChangeJournal.DIR)))
        {
            segment = files.findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(segment);
        // a torn last record (a crash while appending): its length written, its payload not: the journal ends there
        final byte[] torn = bytes.clone();
        int end = ChangeJournal.HEADER;
        int lastStart = end;
        while (ByteBuffer.wrap(torn).order(ByteOrder.LITTLE_ENDIAN).getInt(end) != 0)
        {
            lastStart = end;
            end += 8 + ByteBuffer.wrap(torn).order(ByteOrder.LITTLE_ENDIAN).getInt(end);
        }
        torn[lastStart + 12] ^= 0x55;
        Files.write(segment, torn);
        assertEquals(5, DurableIpam.readChanges(dir, 0, c -> { }), "the torn sixth change is not read");
        try (Ipam ipam = DurableIpam.open(dir, config(1000)))
        {
            assertEquals(5, ipam.lastSequence());
            ipam.allocate("s", A); // appended where the torn record was, and read back after it
        }
        assertEquals(6, DurableIpam.readChanges(dir, 0, c -> { }));
        // a foreign file among the segments
        Files.write(segment, bytes);
        Files.writeString(dir.resolve(ChangeJournal.DIR).resolve("junk" + ChangeJournal.SUFFIX), "x");
        assertEquals(ErrorCode.STORE_CORRUPT, assertThrows(IpamException.class,
            () -> DurableIpam.readChanges(dir, 0, c -> { })).code());
    }
}
