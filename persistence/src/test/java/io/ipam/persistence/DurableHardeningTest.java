package io.ipam.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store tells the truth: damaged entries are STORE_CORRUPT, a full store STORE_FULL, a failed sync STORE_IO
 * from then on; PERIODIC syncs when idle; the capacity lives in the descriptor; no file is opened through a
 * link, no directory others can write is used, and a restore never touches a store that appears meanwhile.
 */
class DurableHardeningTest
{
    private static final UUID A = new UUID(1, 2);

    @TempDir
    Path tmp;

    private static IpamConfig config(final long capacity)
    {
        return IpamConfig.builder().storeCapacity(capacity).randomSource(() -> RandomSource.seeded(5)).build();
    }

    private static IpamException refused(final org.junit.jupiter.api.function.Executable e)
    {
        return assertThrows(IpamException.class, e);
    }

    private Path populated(final String name) throws IOException
    {
        final Path dir = tmp.resolve(name);
        try (Ipam ipam = DurableIpam.open(dir, config(1000)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocateBulk("s", A, 5);
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.100.0.0/16")).build());
            ipam.allocatePrefix("p", "t1", 24);
        }
        return dir;
    }

    private static void tamper(final Path dir, final String file, final Consumer<ChronicleMap<byte[], byte[]>> edit)
        throws IOException
    {
        final boolean meta = file.equals(DurableStore.META);
        try (ChronicleMap<byte[], byte[]> map = StoreOpener.map(dir.resolve(file), meta ? DurableStore.META_ENTRIES :
            2000, meta ? 32 : 28, meta ? 256 : 24, false))
        {
            edit.accept(map);
        }
    }

    @Test
    void shouldRefuseDamagedEntriesAsCorrupt() throws IOException
    {
        final List<Object[]> damages = List.of(
            new Object[] {DurableStore.ENTRIES, new byte[] {'a'}, new byte[24]},
            new Object[] {DurableStore.ENTRIES, new byte[] {'a', 's', 'x'}, new byte[24]},
            new Object[] {DurableStore.ENTRIES, new byte[] {'a', 's', 0, 1, 2}, new byte[24]},
            new Object[] {DurableStore.ENTRIES, new byte[] {'a', 's', 0, 0, 0, 0, 0, 10, 0, 0, 9}, new byte[5]},
            new Object[] {DurableStore.ENTRIES, new byte[] {'c', 'p', 0, 6, 1}, "t".getBytes()},
            new Object[] {DurableStore.ENTRIES, new byte[] {'c', 'p', 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 24}, "t".getBytes()},
            new Object[] {DurableStore.ENTRIES, new byte[] {'z', 'p', 0}, new byte[3]},
            new Object[] {DurableStore.META, new byte[] {'s', 'z', 'z'}, new byte[] {0, 9, 'x'}},
            new Object[] {DurableStore.META, new byte[] {'s', 'y'}, new byte[] {(byte)0xFF, (byte)0xFF, 1, 2}},
            new Object[] {DurableStore.META, new byte[] {'p', 'q'}, new byte[] {0, 1, 'q', 4, 8, 8, 8}},
            new Object[] {DurableStore.META, new byte[] {'r'}, new byte[5]});
        int i = 0;
        for (final Object[] d : damages)
        {
            final Path dir = populated("damaged-" + i++);
            tamper(dir, (String)d[0], map -> map.put((byte[])d[1], (byte[])d[2]));
            final IpamException ex = refused(() -> DurableIpam.open(dir, config(1000)).close());
            assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), "damage " + (i - 1) + ": " + ex.getMessage());
        }
    }

    /**
     * Crafted entries of every kind with random sizes and contents: opening must either work or be refused with
     * STORE_CORRUPT, never escape with another exception. Seeded; the seed is printed.
     */
    @Test
    void shouldRefuseCraftedEntriesWithCorruptOnly() throws IOException
    {
        final long seed = new java.security.SecureRandom().nextLong();
        System.out.println("DurableHardeningTest crafted entries seed " + seed);
        final java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        final Path base = populated("fuzz-base");
        final byte[] kinds = {'a', 'c', 's', 'p', 'r', 0, (byte)0xFF};
        for (int round = 0; round < 24; round++)
        {
            final Path dir = tmp.resolve("fuzz-" + round);
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            for (final String f : List.of(DurableStore.DESCRIPTOR, DurableStore.META, DurableStore.ENTRIES))
            {
                Files.copy(base.resolve(f), dir.resolve(f));
            }
            final byte kind = kinds[r.nextInt(kinds.length)];
            final byte[] key = new byte[1 + r.nextInt(30)];
            r.nextBytes(key);
            key[0] = kind;
            if (key.length > 2 && r.nextBoolean())
            {
                key[1] = kind == 'c' || kind == 'p' ? (byte)'p' : (byte)'s';
                key[2] = 0;
            }
            final byte[] value = new byte[r.nextInt(40)];
            r.nextBytes(value);
            final String file = kind == 'a' || kind == 'c' || r.nextInt(4) == 0 ? DurableStore.ENTRIES :
                DurableStore.META;
            tamper(dir, file, map -> map.put(key, value));
            final String what = "seed " + seed + " round " + round + " " + file + " key " +
                java.util.HexFormat.of().formatHex(key) + " value " + java.util.HexFormat.of().formatHex(value);
            try
            {
                DurableIpam.open(dir, config(1000)).close();
            }
            catch (final IpamException ex)
            {
                assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), what + ": " + ex.getMessage());
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError(what + ": " + ex, ex);
            }
        }
    }

    @Test
    void shouldKeepTheStoredCapacity() throws IOException
    {
        final Path dir = tmp.resolve("cap");
        try (Ipam ipam = DurableIpam.open(dir, config(10)))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocateBulk("s", A, 10);
            assertEquals(ErrorCode.STORE_FULL, refused(() -> ipam.allocate("s", A)).code());
        }
        assertTrue(Files.readString(dir.resolve(DurableStore.DESCRIPTOR)).contains("capacity 10"));
        // smaller: the store keeps its own capacity and opens with everything; larger: still its own
        try (Ipam ipam = DurableIpam.open(dir, config(5)))
        {
            assertEquals(10, ipam.subnet("s").allocated());
        }
        try (Ipam ipam = DurableIpam.open(dir, config(1_000_000)))
        {
            assertEquals(ErrorCode.STORE_FULL, refused(() -> ipam.allocate("s", A)).code());
        }
        // a snapshot over the capacity of a restore is STORE_FULL (prefix children counted), nothing created
        final Path snap = tmp.resolve("cap.snap");
        try (Ipam ipam = DurableIpam.open(dir, config(10)))
        {
            ipam.snapshot(snap);
        }
        final IpamException full = refused(() -> DurableIpam.restore(snap, tmp.resolve("small"), config(9)));
        assertEquals(ErrorCode.STORE_FULL, full.code(), full.getMessage());
        assertFalse(Files.exists(tmp.resolve("small")));
    }

    /**
     * Prefix children go through the same guarded write as addresses: a map that cannot take another entry is
     * STORE_FULL (with the store's path), never a raw exception from the map.
     */
    @Test
    void shouldRefuseAPrefixChildOverTheMapsRoomAsFull() throws IOException
    {
        final Path dir = tmp.resolve("children");
        final DurableStore store = DurableStore.open(dir, config(1), true);
        try
        {
            IpamException full = null;
            for (int i = 0; i < 1_000_000 && full == null; i++)
            {
                final Cidr child = AddressText.parseCidr("10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF) +
                    "/32", "child");
                try
                {
                    store.onPrefixAllocated("p", child, "tenant-" + i);
                }
                catch (final IpamException ex)
                {
                    full = ex;
                }
            }
            assertNotNull(full, "a map sized for about a thousand entries took a million");
            assertEquals(ErrorCode.STORE_FULL, full.code(), full.getMessage());
            assertTrue(full.getMessage().contains(dir.toString()), full.getMessage());
        }
        finally
        {
            store.close();
        }
    }

    @Test
    void shouldRefuseEveryChangeAfterASyncFailure() throws IOException
    {
        final IpamConfig everyBatch = IpamConfig.builder().storeCapacity(100)
            .syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).build();
        final Path dir = tmp.resolve("failing");
        final DurableStore store = DurableStore.open(dir, everyBatch, true);
        store.onSubnetDeleted("s");
        store.afterBatch();
        store.onSubnetDeleted("s");
        store.metaChannel().close();   // the device goes away: the next sync fails
        final IpamException sync = refused(store::afterBatch);
        assertEquals(ErrorCode.STORE_IO, sync.code(), sync.getMessage());
        assertTrue(sync.getMessage().contains(dir.toString()), sync.getMessage());
        assertEquals(ErrorCode.STORE_IO, refused(() -> store.onAllocated("s", 0, 3, 1, 1, 1, 0, 0)).code());
        assertEquals(ErrorCode.STORE_IO, refused(() -> store.onReleased("s", 0, 1, 1, 1, 1, 0)).code());
        assertEquals(ErrorCode.STORE_IO, refused(store::afterBatch).code());
        store.close();
        assertTrue(Files.exists(dir.resolve(DurableStore.DIRTY)), "a failed store is recovered on the next open");
        try (Ipam reopened = DurableIpam.open(dir, everyBatch))
        {
            assertTrue(reopened.subnets().isEmpty());
        }
    }

    /**
     * Through the facade: the batch whose sync failed is answered STORE_IO (not acknowledged), and so is every later
     * change; reads go on.
     */
    @Test
    void shouldRefuseLaterRequestsAfterASyncFailure() throws IOException
    {
        final IpamConfig everyBatch = IpamConfig.builder().storeCapacity(100)
            .syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).randomSource(() -> RandomSource.seeded(5)).build();
        final DurableStore[] store = new DurableStore[1];
        DurableIpam.opened = s -> store[0] = s;
        try (Ipam ipam = DurableIpam.open(tmp.resolve("facade-failing"), everyBatch))
        {
            DurableIpam.opened = null;
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocate("s", A);
            store[0].metaChannel().close();
            final IpamException unsynced = refused(() -> ipam.allocate("s", A));
            assertEquals(ErrorCode.STORE_IO, unsynced.code(), unsynced.getMessage());
            assertTrue(store[0].failure() != null, "the failed sync marked the store");
            for (int i = 0; i < 3; i++)
            {
                final IpamException ex = refused(() -> ipam.allocate("s", A));
                assertEquals(ErrorCode.STORE_IO, ex.code(), ex.getMessage());
            }
            final IpamException ex = refused(() -> ipam.createSubnet(SubnetSpec.builder("t", "10.1.0.0/24").build()));
            assertEquals(ErrorCode.STORE_IO, ex.code(), ex.getMessage());
            // the refused changes were undone in memory; the batch whose sync failed stays applied but unacknowledged
            assertEquals(2, ipam.subnet("s").allocated());
        }
    }

    @Test
    void shouldSyncPeriodicallyWhenIdle() throws InterruptedException
    {
        final IpamConfig periodic = IpamConfig.builder().storeCapacity(100)
            .syncPolicy(IpamConfig.SyncPolicy.PERIODIC).syncInterval(Duration.ofMillis(20)).build();
        final DurableStore store = DurableStore.open(tmp.resolve("periodic"), periodic, true);
        try
        {
            store.onAllocated("s", 0, 1, 1, 1, 1, 0, 0);
            store.afterBatch();
            // no further batch comes; the store's own syncer must write it out (bounded wait, not a timing)
            for (int i = 0; i < 1000 && (store.dirty() || store.syncs() == 0); i++)
            {
                Thread.sleep(10);
            }
            assertTrue(store.syncs() > 0 && !store.dirty(), "idle changes were never synced");
        }
        finally
        {
            store.close();
        }
    }

    @Test
    void shouldNotFollowLinksForStoreFiles() throws IOException
    {
        for (final String name : List.of(DurableStore.LOCK, DurableStore.DESCRIPTOR, DurableStore.META,
            DurableStore.ENTRIES, DurableStore.DIRTY))
        {
            final Path dir = populated("links-" + name);
            final Path victim = tmp.resolve("victim-" + name);
            Files.writeString(victim, "precious");
            Files.deleteIfExists(dir.resolve(name));
            Files.createSymbolicLink(dir.resolve(name), victim);
            final IpamException ex = assertThrows(IpamException.class,
                () -> DurableIpam.open(dir, config(1000)).close(), name);
            assertTrue(ex.code() == ErrorCode.STORE_IO || ex.code() == ErrorCode.STORE_CORRUPT,
                name + ": " + ex.getMessage());
            assertEquals("precious", Files.readString(victim), name + " was written through the link");
            assertEquals(Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                java.nio.file.attribute.PosixFilePermission.GROUP_READ,
                java.nio.file.attribute.PosixFilePermission.OTHERS_READ).size(),
                Files.getPosixFilePermissions(victim).size(), name + ": the link's target was chmod'ed");
        }
    }

    @Test
    void shouldRefuseADirectoryOthersCanWrite() throws IOException
    {
        final Path dir = populated("open-to-all");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        final IpamException ex = refused(() -> DurableIpam.open(dir, config(1000)).close());
        assertEquals(ErrorCode.STORE_IO, ex.code());
        assertTrue(ex.getMessage().contains(dir.toString()) && ex.getMessage().contains("chmod"), ex.getMessage());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        DurableIpam.open(dir, config(1000)).close();
    }

    @Test
    void shouldNeverTouchAStoreThatAppearsDuringARestore() throws IOException
    {
        final Path source = populated("source");
        final Path snap = tmp.resolve("r.snap");
        try (Ipam ipam = DurableIpam.open(source, config(1000)))
        {
            ipam.snapshot(snap);
        }
        final Path target = tmp.resolve("target");
        DurableIpam.beforeRestoreRename = () ->
        {
            try
            {
                Files.createDirectories(target);
                Files.writeString(target.resolve("someone-elses-store"), "keep me");
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        };
        try
        {
            final IpamException ex = refused(() -> DurableIpam.restore(snap, target, config(1000)));
            assertEquals(ErrorCode.STORE_IO, ex.code(), ex.getMessage());
        }
        finally
        {
            DurableIpam.beforeRestoreRename = null;
        }
        assertEquals("keep me", Files.readString(target.resolve("someone-elses-store")));
        try (Stream<Path> left = Files.list(tmp))
        {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().contains(".restore-")), "sibling removed");
        }
        // and without interference the store lands in place, owner-only
        final Path clean = tmp.resolve("clean");
        try (Ipam restored = DurableIpam.restore(snap, clean, config(1000)))
        {
            assertEquals(5, restored.subnet("s").allocated());
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(clean)));
        try (Ipam reopened = DurableIpam.open(clean, config(1000)))
        {
            assertEquals(1, reopened.children("p").size());
        }
    }
}
