package io.ipam.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.snapshot.SnapshotTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurableIpamTest
{
    private static final UUID A = new UUID(1, 2);

    @TempDir
    Path tmp;

    private static IpamConfig config()
    {
        return IpamConfig.builder().storeCapacity(50_000).randomSource(() -> RandomSource.seeded(5)).build();
    }

    private static ErrorCode code(final Executable e)
    {
        return assertThrows(IpamException.class, e).code();
    }

    @Test
    void shouldReopenWithAllState()
    {
        final Path dir = tmp.resolve("store");
        try (Ipam reference = Ipam.inMemory(config()))
        {
            final Ipam durable = DurableIpam.open(dir, config());
            SnapshotTest.populate(reference);
            SnapshotTest.populate(durable);
            // and some churn that must not come back
            durable.createSubnet(SubnetSpec.builder("gone", "172.16.0.0/24").build());
            durable.allocate("gone", A);
            durable.deleteSubnet("gone", true);
            final String child = durable.allocatePrefix("p4", "t9", 30);
            durable.releasePrefix("p4", child);
            reference.allocatePrefix("p4", "t9", 30);
            reference.releasePrefix("p4", child);
            durable.updateGateway("b", "192.168.0.9");
            reference.updateGateway("b", "192.168.0.9");
            durable.close();
            try (Ipam reopened = DurableIpam.open(dir, config()))
            {
                SnapshotTest.assertSameState(reference, reopened);
                assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> reopened.subnet("gone")));
            }
        }
    }

    @Test
    void shouldRefuseASecondOpen()
    {
        final Path dir = tmp.resolve("locked");
        try (Ipam first = DurableIpam.open(dir, config()))
        {
            final IpamException ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
            assertEquals(ErrorCode.STORE_IO, ex.code());
            assertTrue(ex.getMessage().contains("ipam.lock"), ex.getMessage());
            assertEquals(0, first.subnets().size());
        }
        DurableIpam.open(dir, config()).close();
    }

    @Test
    void shouldCreateOwnerOnlyFiles() throws IOException
    {
        final Path dir = tmp.resolve("perm");
        DurableIpam.open(dir, config()).close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        for (final String f : List.of("ipam.store", "meta.cm", "entries.cm", "ipam.lock"))
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))),
                f);
        }
        assertFalse(Files.exists(dir.resolve("ipam.dirty")), "a clean close removes the dirty marker");
    }

    @Test
    void shouldReportAFullStore()
    {
        final IpamConfig tiny = IpamConfig.builder().storeCapacity(3).build();
        try (Ipam ipam = DurableIpam.open(tmp.resolve("tiny"), tiny))
        {
            // LOWEST: the automatic picks are .2 and .3, so .9 is free for certain
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST)
                .build());
            ipam.allocate("s", A);
            ipam.allocate("s", "10.0.0.9", A);
            assertEquals(ErrorCode.STORE_FULL, code(() -> ipam.allocateBulk("s", A, 2)));
            ipam.allocate("s", A);
            final IpamException ex = assertThrows(IpamException.class, () -> ipam.allocate("s", A));
            assertEquals(ErrorCode.STORE_FULL, ex.code());
            assertTrue(ex.getMessage().contains("snapshot and restore"), ex.getMessage());
            assertEquals(3, ipam.subnet("s").allocated());
            assertTrue(ipam.release("s", "10.0.0.9"));
            ipam.allocate("s", A);
        }
    }

    @Test
    void shouldRefuseMissingTruncatedAndForeignFiles() throws IOException
    {
        final Path dir = tmp.resolve("bad");
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocateBulk("s", A, 10);
        }
        final Path entries = dir.resolve("entries.cm");
        final byte[] original = Files.readAllBytes(entries);

        Files.delete(entries);
        IpamException ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("entries.cm"), ex.getMessage());
        assertFalse(Files.exists(entries), "nothing is created in place of a missing file");

        Files.write(entries, new byte[0]);
        ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("entries.cm"), ex.getMessage());

        Files.write(entries, Arrays.copyOf(original, 100));
        ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("entries.cm"), ex.getMessage());

        Files.writeString(entries, "this is not a chronicle map, just some text that happens to sit here");
        ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("entries.cm"), ex.getMessage());
        assertTrue(Files.readString(entries).startsWith("this is not"), "the foreign file is not overwritten");

        Files.write(entries, original);
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(10, ipam.subnet("s").allocated());
        }

        Files.writeString(dir.resolve("ipam.store"), "something else");
        ex = assertThrows(IpamException.class, () -> DurableIpam.open(dir, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("ipam.store"), ex.getMessage());

        final Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        ex = assertThrows(IpamException.class, () -> DurableIpam.open(foreign, config()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("notes.txt"), ex.getMessage());
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
    }

    @Test
    void shouldRestoreFromASnapshotIntoAnEmptyDirectoryOnly() throws IOException
    {
        final Path snap = tmp.resolve("s.snap");
        try (Ipam reference = Ipam.inMemory(config()))
        {
            SnapshotTest.populate(reference);
            reference.snapshot(snap);
            try (Ipam restored = DurableIpam.restore(snap, tmp.resolve("r1"), config()))
            {
                SnapshotTest.assertSameState(reference, restored);
            }
            try (Ipam reopened = DurableIpam.open(tmp.resolve("r1"), config()))
            {
                SnapshotTest.assertSameState(reference, reopened);
            }
        }
        assertEquals(ErrorCode.STORE_IO, code(() -> DurableIpam.restore(snap, tmp.resolve("r1"), config())));

        // a damaged snapshot leaves nothing behind that would open
        final byte[] bytes = Files.readAllBytes(snap);
        bytes[bytes.length / 2] ^= 1;
        final Path bad = tmp.resolve("bad.snap");
        Files.write(bad, bytes);
        assertEquals(ErrorCode.STORE_CORRUPT, code(() -> DurableIpam.restore(bad, tmp.resolve("r2"), config())));
        assertFalse(Files.exists(tmp.resolve("r2/ipam.store")));

        // a snapshot larger than the target store is refused before anything is written
        final IpamConfig tiny = IpamConfig.builder().storeCapacity(10).build();
        assertEquals(ErrorCode.STORE_FULL, code(() -> DurableIpam.restore(snap, tmp.resolve("r3"), tiny)));
        assertFalse(Files.exists(tmp.resolve("r3/ipam.store")));
    }

    @Test
    void shouldRecoverAfterAnUncleanShutdown() throws IOException
    {
        final Path dir = tmp.resolve("dirty");
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocate("s", "10.0.0.7", A);
        }
        // as if the process had died while open
        Files.write(dir.resolve("ipam.dirty"), new byte[0]);
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(Optional.of(A), ipam.owner("s", "10.0.0.7"));
        }
        assertFalse(Files.exists(dir.resolve("ipam.dirty")));
    }

    @Test
    void shouldSyncEveryBatchWhenAsked()
    {
        final IpamConfig sync = IpamConfig.builder().storeCapacity(1000)
            .syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).build();
        try (Ipam ipam = DurableIpam.open(tmp.resolve("sync"), sync))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            assertEquals(5, ipam.allocateBulk("s", A, 5).size());
        }
        try (Ipam ipam = DurableIpam.open(tmp.resolve("sync"), sync))
        {
            assertEquals(5, ipam.allocations(A).size());
        }
    }
}
