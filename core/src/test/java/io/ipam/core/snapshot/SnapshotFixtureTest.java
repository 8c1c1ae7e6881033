package io.ipam.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.Ipam;
import io.ipam.core.RandomSource;
import io.ipam.core.engine.AllocatorEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The snapshot format against a file written by the code of tag {@code round4-base} ({@link SnapshotFixture}):
 * the same state must give the same bytes in the legacy format (today's writer writes version 5), and restoring the
 * file (in memory, through the facade and through the {@code Restorer} directly) must give back a state that
 * snapshots to the same bytes again.
 */
class SnapshotFixtureTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldWriteTheBytesTheBaseCodeWrote() throws IOException
    {
        final Path now = tmp.resolve("now.snap");
        SnapshotFixture.write(now);
        // today's writer writes version 5; the same state in the legacy format is round 4's bytes exactly
        assertEquals(SnapshotData.FORMAT_VERSION_5, SnapshotCodec.read(now).formatVersion);
        assertArrayEquals(SnapshotFixture.bytes(), legacy(SnapshotCodec.read(now)));
    }

    @Test
    void shouldRestoreTheFixtureIntoTheStateItHolds() throws IOException
    {
        final Path file = Files.write(tmp.resolve("fixture.snap"), SnapshotFixture.bytes());
        final SnapshotData data = SnapshotCodec.read(file);
        // every section is there: both bitmap kinds, the generator, every kind of lifecycle state
        assertFalse(data.randomStates.isEmpty());
        assertFalse(data.lifecycle.keys.isEmpty() || data.lifecycle.leases.isEmpty() ||
            data.lifecycle.cooling.isEmpty() || data.lifecycle.cooldowns.isEmpty());
        assertEquals(2, data.prefixPools.size());

        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 65_536);
        data.restoreInto(engine);
        assertArrayEquals(SnapshotFixture.bytes(),
            legacy(SnapshotCodec.capture(engine, data.takenAtMs, engine.restoredSequence()).data()),
            "restored engine captures the same state");

        final Path through = tmp.resolve("through.snap");
        try (Ipam ipam = Ipam.restoreInMemory(file, SnapshotFixture.config(new AtomicLong(data.takenAtMs))))
        {
            ipam.snapshot(through);
        }
        assertArrayEquals(SnapshotFixture.bytes(), legacy(SnapshotCodec.read(through)),
            "restored allocator snapshots the same state");
        final Path now = tmp.resolve("now.snap");
        SnapshotFixture.write(now);
        assertArrayEquals(Files.readAllBytes(now), Files.readAllBytes(through),
            "restored allocator snapshots the same version 5 bytes as the allocator that built the state");
    }

    private static byte[] legacy(final SnapshotData data) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.writeTo(data.inLegacyFormat(), out);
        return out.toByteArray();
    }
}
