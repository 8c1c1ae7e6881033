package io.ipam.core.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.random.CipherRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generator's key and position are engine state: a snapshot carries them (format version 2) and a restore
 * continues the same sequence; a version 1 file, without them, is still read and gets a fresh key.
 */
class SnapshotRandomTest
{
    private static final UUID OWNER = new UUID(5, 6);

    @TempDir
    Path dir;

    private static List<String> draw(final Ipam ipam, final int n)
    {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            out.add(ipam.allocate("s", OWNER));
        }
        return out;
    }

    @Test
    void shouldContinueTheSameSequenceAfterRestore()
    {
        final byte[] key = new byte[32];
        key[0] = 42;
        final Path file = dir.resolve("r.snap");
        final List<String> expected;
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().randomSource(() -> RandomSource.keyed(key, 0)).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            draw(ipam, 100);
            ipam.snapshot(file);
            expected = draw(ipam, 100);
        }
        final SnapshotData data = SnapshotCodec.read(file);
        assertEquals(SnapshotData.FORMAT_VERSION_5, data.formatVersion, "today's writer writes version 5");
        assertEquals(1, data.randomStates.size());
        // a config asking for another source does not matter: the snapshot's generator is engine state
        try (Ipam restored = Ipam.restoreInMemory(file, IpamConfig.builder()
            .randomSource(() -> RandomSource.seeded(1)).build()))
        {
            assertEquals(expected, draw(restored, 100));
        }
        try (Ipam restored = Ipam.restoreInMemory(file, IpamConfig.defaults()))
        {
            assertEquals(expected, draw(restored, 100));
        }
    }

    @Test
    void shouldReadVersion1AndGiveItAFreshKey() throws IOException
    {
        final Path v2 = dir.resolve("v2.snap");
        final List<String> next;
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            draw(ipam, 10);
            ipam.snapshot(v2);
            next = draw(ipam, 20);
        }
        final SnapshotData data = SnapshotCodec.read(v2);
        final Path v1 = dir.resolve("v1.snap");
        SnapshotCodec.write(new SnapshotData(SnapshotData.FORMAT_VERSION_1, data.takenAtMs, data.subnets,
            data.prefixPools), v1);
        final SnapshotData old = SnapshotCodec.read(v1);
        assertEquals(1, old.formatVersion);
        assertTrue(old.randomStates.isEmpty());
        assertTrue(Files.size(v1) < Files.size(v2), "no RANDOM section in version 1");
        try (Ipam restored = Ipam.restoreInMemory(v1, IpamConfig.defaults()))
        {
            assertEquals(10, restored.subnet("s").allocated());
            assertNotEquals(next, draw(restored, 20), "a fresh key, not the old sequence");
        }
    }
}
