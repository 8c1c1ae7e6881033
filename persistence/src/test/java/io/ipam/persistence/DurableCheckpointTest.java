package io.ipam.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.SubnetSpec;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import net.openhft.chronicle.map.ChronicleMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint of a clean close ({@code docs/durable-store.md}, "The checkpoint"): the next open takes the engine
 * from it, with the very state a load of the maps gives; a write after an open, a crash, or a checkpoint that is
 * damaged, another store's or crafted, sends the open back to the maps, with the right state and no exception.
 */
@Timeout(120)
class DurableCheckpointTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(T0);

    @AfterEach
    void clearSeams()
    {
        DurableIpam.opened = null;
        DurableStore.afterCheckpoint = null;
    }

    private IpamConfig config()
    {
        return IpamConfig.builder().clock(clock::get).storeCapacity(10_000).requestKeyRetention(Duration.ofMinutes(5))
            .build();
    }

    /**
     * A store with every kind of record: allocations (plain, keyed, leased, a router's), cooling addresses, request
     * keys, a subnet with a cooldown, a wide IPv6 subnet, a prefix pool with children; closed cleanly.
     */
    private Path richStore(final String name, final UUID owner)
    {
        final Path dir = tmp.resolve(name);
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").tenant("t").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofMinutes(1)).build());
            ipam.allocate("s", owner, AllocationOptions.builder().requestKey("port-1").build());
            ipam.allocateBulk("s", owner, 3, AllocationOptions.builder().requestKey("bulk-1").build());
            ipam.allocate("s", B, AllocationOptions.builder().lease(Duration.ofMinutes(30)).build());
            ipam.release("s", ipam.allocate("s", B));
            ipam.allocateBulk("s", owner, 20);
            ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").build());
            ipam.allocate("w", "2001:db8:0:1::", owner, AllocationOptions.builder().router().build());
            ipam.allocateBulk("w", owner, 5);
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.100.0.0/16")).build());
            ipam.allocatePrefix("p", "t1", 24);
            ipam.allocatePrefix("p", "t2", 26);
            clock.addAndGet(1000);
        }
        return dir;
    }

    /** Open, note where the engine came from, take a snapshot. */
    private String openAndSnapshot(final Path dir, final Path snapshot)
    {
        final AtomicReference<DurableStore> store = new AtomicReference<>();
        DurableIpam.opened = store::set;
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            DurableIpam.opened = null;
            assertNotNull(store.get());
            assertFalse(Files.exists(dir.resolve(StoreCheckpoint.FILE)), "an open consumes the checkpoint");
            ipam.snapshot(snapshot);
            return store.get().loadedFrom();
        }
    }

    /** A snapshot's bytes without what differs between two opens of the same files (its time, the clock). */
    private byte[] normalized(final Path snapshot) throws IOException
    {
        final SnapshotData d = SnapshotCodec.read(snapshot);
        d.lifecycle.clockMs = 0;
        final Path out = tmp.resolve(snapshot.getFileName() + ".norm");
        SnapshotCodec.write(new SnapshotData(d.formatVersion, 0, d.subnets, d.prefixPools, d.randomStates)
            .withLifecycle(d.lifecycle), out);
        return Files.readAllBytes(out);
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> walk = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)walk::iterator)
            {
                final Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(t);
                }
                else
                {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void tamperMeta(final Path dir, final Consumer<ChronicleMap<byte[], byte[]>> edit) throws IOException
    {
        try (ChronicleMap<byte[], byte[]> map = StoreOpener.map(dir.resolve(DurableStore.META),
            DurableStore.META_ENTRIES, 32, 256, false))
        {
            edit.accept(map);
        }
    }

    @Test
    void shouldOpenFromTheCheckpointWithTheStateTheMapsGive() throws IOException
    {
        final Path dir = richStore("store", A);
        assertTrue(Files.isRegularFile(dir.resolve(StoreCheckpoint.FILE)), "a clean close leaves a checkpoint");
        final Path twin = tmp.resolve("twin");
        copyTree(dir, twin);
        Files.delete(twin.resolve(StoreCheckpoint.FILE));

        assertEquals(DurableStore.FROM_CHECKPOINT, openAndSnapshot(dir, tmp.resolve("a.snap")));
        assertEquals(DurableStore.FROM_MAPS, openAndSnapshot(twin, tmp.resolve("b.snap")));
        assertArrayEquals(normalized(tmp.resolve("b.snap")), normalized(tmp.resolve("a.snap")),
            "the checkpoint gives the engine the maps give");

        // each clean close leaves a new one, and the next open takes it again
        assertEquals(DurableStore.FROM_CHECKPOINT, openAndSnapshot(dir, tmp.resolve("c.snap")));
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(2, ipam.children("p").size());
            assertEquals(1, ipam.subnet("s").cooling());
            assertEquals(24, ipam.allocations(A).stream().filter(a -> a.subnetId().equals("s")).count());
            assertTrue(ipam.allocations(A).stream().anyMatch(a -> a.router() && a.subnetId().equals("w")));
            assertEquals(ipam.allocations(A).get(0).address(),
                ipam.allocate("s", A, AllocationOptions.builder().requestKey("port-1").build()), "the key is kept");
        }
    }

    @Test
    void shouldNotUseTheCheckpointAfterAWriteAndACrash() throws IOException
    {
        final Path dir = richStore("store", A);
        final byte[] old = Files.readAllBytes(dir.resolve(StoreCheckpoint.FILE));
        final AtomicReference<DurableStore> store = new AtomicReference<>();
        DurableIpam.opened = store::set;
        final String written;
        final String released;
        final Path crashed = tmp.resolve("crashed");
        final Path crashedClean = tmp.resolve("crashed-no-marker");
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(DurableStore.FROM_CHECKPOINT, store.get().loadedFrom());
            // as many entries as before (one allocation in, one out): only the record tells this state apart
            // (in the subnet without a cooldown, where a release leaves no cooling entry)
            released = ipam.allocations(A).stream().filter(a -> a.subnetId().equals("w") && !a.router()).findFirst()
                .orElseThrow().address();
            assertTrue(ipam.release("w", released));
            written = ipam.allocate("w", "2001:db8:0:2::5", B);
            // the files as a kill -9 now would leave them (the page cache holds every write), the old checkpoint
            // put back as if its removal had been lost; one image also without its dirty marker
            copyTree(dir, crashed);
            copyTree(dir, crashedClean);
        }
        for (final Path image : List.of(crashed, crashedClean))
        {
            Files.write(image.resolve(StoreCheckpoint.FILE), old);
        }
        Files.delete(crashedClean.resolve(DurableStore.DIRTY));
        for (final Path image : List.of(crashed, crashedClean))
        {
            try (Ipam ipam = DurableIpam.open(image, config()))
            {
                assertEquals(DurableStore.FROM_MAPS, store.get().loadedFrom(), image + " used a stale checkpoint");
                assertEquals(Optional.of(B), ipam.owner("w", written), "the write after the open is there");
                assertEquals(Optional.empty(), ipam.owner("w", released), "and so is the release");
            }
            assertFalse(Files.exists(image.resolve(DurableStore.DIRTY)));
        }
    }

    @Test
    void shouldFallBackToTheMapsForADamagedOrForeignCheckpoint() throws IOException
    {
        final Path base = richStore("base", A);
        // the same shape, counts and file length, another owner: only the CRC tells the files apart
        final Path other = richStore("other", new UUID(3, 3));
        final byte[] good = Files.readAllBytes(base.resolve(StoreCheckpoint.FILE));
        final byte[] foreign = Files.readAllBytes(other.resolve(StoreCheckpoint.FILE));
        final Path twin = tmp.resolve("twin");
        copyTree(base, twin);
        Files.delete(twin.resolve(StoreCheckpoint.FILE));
        assertEquals(DurableStore.FROM_MAPS, openAndSnapshot(twin, tmp.resolve("expected.snap")));
        final byte[] expected = normalized(tmp.resolve("expected.snap"));

        final List<byte[]> bad = new java.util.ArrayList<>();
        bad.add(new byte[0]);
        bad.add(Arrays.copyOf(good, good.length / 2));
        bad.add(Arrays.copyOf(good, good.length - 1));
        bad.add(Arrays.copyOf(good, good.length + 8));
        for (final int at : new int[] {0, 9, 44, good.length / 3, good.length / 2, good.length - 1})
        {
            final byte[] flipped = good.clone();
            flipped[at] ^= 0x10;
            bad.add(flipped);
        }
        assertEquals(good.length, foreign.length);
        bad.add(foreign);
        for (int i = 0; i < bad.size(); i++)
        {
            final Path dir = tmp.resolve("bad-" + i);
            copyTree(base, dir);
            Files.write(dir.resolve(StoreCheckpoint.FILE), bad.get(i));
            assertEquals(DurableStore.FROM_MAPS, openAndSnapshot(dir, tmp.resolve("bad-" + i + ".snap")), "case " + i);
            assertArrayEquals(expected, normalized(tmp.resolve("bad-" + i + ".snap")), "case " + i);
        }

        // crafted: a flipped byte inside a section and a record that names the flipped file exactly; the snapshot's
        // own checks refuse it
        final Path crafted = tmp.resolve("crafted");
        copyTree(base, crafted);
        final byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x01;
        Files.write(crafted.resolve(StoreCheckpoint.FILE), flipped);
        final long[] digest = StoreCheckpoint.digest(crafted.resolve(StoreCheckpoint.FILE));
        tamperMeta(crafted, m ->
        {
            final StoreCheckpoint.Mark mark = StoreCheckpoint.Mark.decode(m.get(StoreCheckpoint.KEY));
            m.put(StoreCheckpoint.KEY, new StoreCheckpoint.Mark(digest[0], digest[1], mark.entries(),
                mark.metaEntries(), mark.lastSequence()).encode());
        });
        assertEquals(DurableStore.FROM_MAPS, openAndSnapshot(crafted, tmp.resolve("crafted.snap")));
        assertArrayEquals(expected, normalized(tmp.resolve("crafted.snap")));

        // a record of another version (one without its file: the twin above)
        final Path version = tmp.resolve("version");
        copyTree(base, version);
        tamperMeta(version, m -> m.put(StoreCheckpoint.KEY, new byte[] {9, 1, 2}));
        assertEquals(DurableStore.FROM_MAPS, openAndSnapshot(version, tmp.resolve("version.snap")));
        assertArrayEquals(expected, normalized(tmp.resolve("version.snap")));
    }

    @Test
    void shouldDropTheCheckpointWhenTheStoreChangesWhileClosing() throws IOException
    {
        final Path dir = richStore("store", A);
        final AtomicReference<DurableStore> store = new AtomicReference<>();
        DurableIpam.opened = store::set;
        // a writer that did not stop: a change reaches the maps after the checkpoint was taken
        DurableStore.afterCheckpoint = () -> store.get().onAllocated("s", 0, 0x0A0000FEL, B.getMostSignificantBits(),
            B.getLeastSignificantBits(), T0, 0, 0);
        DurableIpam.open(dir, config()).close();
        DurableStore.afterCheckpoint = null;
        assertFalse(Files.exists(dir.resolve(StoreCheckpoint.FILE)));
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(DurableStore.FROM_MAPS, store.get().loadedFrom());
            assertEquals(Optional.of(B), ipam.owner("s", "10.0.0.254"));
        }
    }

    /**
     * As above, with the stray change synced by its own batch (EVERY_BATCH: the store is clean again afterwards, so
     * only the count of changes since the open shows it), and one that changes no entry count (a release and an
     * allocation), so the checkpoint's record would otherwise still match the maps.
     */
    @Test
    void shouldDropTheCheckpointWhenAChangeWhileClosingWasSyncedByItsOwnBatch() throws IOException
    {
        final Path dir = richStore("store", A);
        final IpamConfig everyBatch = config().toBuilder().syncPolicy(IpamConfig.SyncPolicy.EVERY_BATCH).build();
        final AtomicReference<DurableStore> store = new AtomicReference<>();
        final String held;
        try (Ipam ipam = DurableIpam.open(dir, everyBatch))
        {
            held = ipam.allocate("s", A);
        }
        final long heldValue = 0x0A000000L | Integer.parseInt(held.substring(held.lastIndexOf('.') + 1));
        DurableIpam.opened = store::set;
        // a writer that did not stop: release one address and take another after the checkpoint, in a batch that
        // syncs (the counts of both maps stay as the checkpoint's record says)
        DurableStore.afterCheckpoint = () ->
        {
            final DurableStore s = store.get();
            s.onReleased("s", 0, heldValue, A.getMostSignificantBits(), A.getLeastSignificantBits(), T0, 0);
            s.onAllocated("s", 0, 0x0A0000FEL, B.getMostSignificantBits(), B.getLeastSignificantBits(), T0, 0, 0);
            s.afterBatch();
        };
        DurableIpam.open(dir, everyBatch).close();
        DurableStore.afterCheckpoint = null;
        assertFalse(Files.exists(dir.resolve(StoreCheckpoint.FILE)), "a checkpoint older than the maps was kept");
        try (Ipam ipam = DurableIpam.open(dir, everyBatch))
        {
            assertEquals(DurableStore.FROM_MAPS, store.get().loadedFrom());
            assertEquals(Optional.of(B), ipam.owner("s", "10.0.0.254"));
            assertEquals(Optional.empty(), ipam.owner("s", held));
        }
    }

    @Test
    void shouldRemoveWhatAKilledCloseLeft() throws IOException
    {
        final Path dir = richStore("store", A);
        final Path leftover = dir.resolve("." + StoreCheckpoint.FILE + ".tmp-1234");
        Files.write(leftover, new byte[100]);
        assertEquals(DurableStore.FROM_CHECKPOINT, openAndSnapshot(dir, tmp.resolve("a.snap")));
        assertFalse(Files.exists(leftover));
    }
}
