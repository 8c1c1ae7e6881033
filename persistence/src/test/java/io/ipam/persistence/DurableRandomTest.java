package io.ipam.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The generator's key is store state: reopening continues the stored key on a new stream (never the draws of
 * the run before), copies of one store draw alike, and a restore continues the snapshot's position exactly.
 */
class DurableRandomTest
{
    private static final UUID OWNER = new UUID(7, 8);

    @TempDir
    Path tmp;

    private static List<String> draw(final Ipam ipam, final int n)
    {
        final List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            out.add(ipam.allocate("s", OWNER));
        }
        return out;
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
        for (final String f : List.of(DurableStore.DESCRIPTOR, DurableStore.META, DurableStore.ENTRIES))
        {
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }

    @Test
    void shouldKeepTheKeyAndMoveToANewStreamOnReopen() throws IOException
    {
        final byte[] key = new byte[32];
        key[3] = 9;
        final IpamConfig keyed = IpamConfig.builder().randomSource(() -> RandomSource.keyed(key, 0)).build();
        final Path dir = tmp.resolve("store");
        final List<String> sameKeyInMemory;
        try (Ipam mem = Ipam.inMemory(keyed))
        {
            mem.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            draw(mem, 10);
            sameKeyInMemory = draw(mem, 10);
        }
        try (Ipam ipam = DurableIpam.open(dir, keyed))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            draw(ipam, 10);
        }
        copy(dir, tmp.resolve("copy"));
        final List<String> afterReopen;
        // a config without a stored key does not replace the stored one
        final IpamConfig other = IpamConfig.builder().randomSource(() -> RandomSource.seeded(1)).build();
        try (Ipam ipam = DurableIpam.open(dir, other))
        {
            afterReopen = draw(ipam, 10);
        }
        assertNotEquals(sameKeyInMemory, afterReopen, "a reopened store must not repeat the old stream");
        try (Ipam ipam = DurableIpam.open(tmp.resolve("copy"), IpamConfig.defaults()))
        {
            assertEquals(afterReopen, draw(ipam, 10), "the same store files draw the same numbers");
        }
    }

    @Test
    void shouldContinueTheSnapshotPositionAfterRestore()
    {
        final Path snap = tmp.resolve("s.snap");
        final List<String> expected;
        try (Ipam mem = Ipam.inMemory())
        {
            mem.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            draw(mem, 10);
            mem.snapshot(snap);
            expected = draw(mem, 10);
        }
        try (Ipam restored = DurableIpam.restore(snap, tmp.resolve("restored")))
        {
            assertEquals(expected, draw(restored, 10));
        }
    }
}
