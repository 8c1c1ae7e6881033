package io.ipam.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocatorEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Format version 5 ({@code docs/snapshot-format.md}): every kind of state round-trips through both encodings of
 * ALLOCATIONS (chunks with array and bitmap containers, offsets plain and wide), the image path and the data path
 * write the same bytes, a restored allocator snapshots the same bytes again, the legacy writing still writes
 * version 3 or 4, and crafted version 5 sections are refused with {@code STORE_CORRUPT}, each for its own reason.
 */
class SnapshotVersion5Test
{
    private static final UUID A = new UUID(1, 2);
    private static final UUID B = new UUID(-1, -2);

    @TempDir
    Path dir;

    private static IpamConfig config()
    {
        return IpamConfig.builder().randomSource(() -> RandomSource.seeded(3)).clock(() -> 1_700_000_000_000L)
            .build();
    }

    /**
     * Every shape version 5 encodes: the usual state, a chunk of more than 4,096 offsets (a bitmap container) and
     * a sparse one beside it (an array), a /64 filled at random (offsets), a wide subnet and a router allocation.
     */
    private static void populate(final Ipam ipam)
    {
        SnapshotTest.populate(ipam);
        ipam.createSubnet(SubnetSpec.builder("g", "10.20.0.0/15").strategy(AllocationStrategy.LOWEST).build());
        ipam.allocateBulk("g", A, 5000);
        ipam.allocate("g", "10.21.0.7", B);
        ipam.allocate("g", "10.21.255.254", A);
        ipam.createSubnet(SubnetSpec.builder("r64", "2001:db8:2::/64").build());
        for (int i = 0; i < 300; i++)
        {
            ipam.allocate("r64", i % 2 == 0 ? A : new UUID(7, i));
        }
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:100::/48").build());
        ipam.allocate("w", "2001:db8:100:7::1", A);
        ipam.allocate("w", "2001:db8:100:8::1", B);
        ipam.allocate("w", B);
        ipam.createSubnet(SubnetSpec.builder("rt", "2001:db8:3::/64").build());
        ipam.allocate("rt", "2001:db8:3::", A, AllocationOptions.builder().router().build());
        ipam.allocate("rt", "2001:db8:3::9", B);
    }

    /**
     * @return the bitmap kind of each ALLOCATIONS section, with 'b' added when a chunk is a bitmap container.
     */
    private static Set<String> kinds(final byte[] file)
    {
        final Set<String> kinds = new HashSet<>();
        for (final Object[] s : SnapshotCraftedFileTest.sections(file))
        {
            if ((int)s[0] != SnapshotCodec.ALLOCATIONS)
            {
                continue;
            }
            final ByteBuffer p = ByteBuffer.wrap((byte[])s[1]);
            SettingsCodec.utf(p);
            final int kind = p.get();
            kinds.add(String.valueOf(kind));
            if (kind == SubnetColumns.KIND_CHUNKS)
            {
                p.getLong();
                final int chunks = p.getInt();
                for (int c = 0; c < chunks; c++)
                {
                    p.getLong();
                    final int card = p.getInt();
                    if (card > SubnetColumns.ARRAY_MAX)
                    {
                        kinds.add("bitmap");
                    }
                    p.position(p.position() + (card > SubnetColumns.ARRAY_MAX ? 8192 : 2 * card));
                }
            }
        }
        return kinds;
    }

    private static void assertSameData(final SnapshotData expected, final SnapshotData actual)
    {
        assertEquals(expected.takenAtMs, actual.takenAtMs);
        assertEquals(expected.subnets.size(), actual.subnets.size());
        for (int i = 0; i < expected.subnets.size(); i++)
        {
            final SnapshotData.Subnet e = expected.subnets.get(i);
            final SnapshotData.Subnet a = actual.subnets.get(i);
            assertEquals(e.meta.id, a.meta.id);
            assertArrayEquals(e.address, a.address, e.meta.id);
            assertArrayEquals(e.addressHi, a.addressHi, e.meta.id);
            assertArrayEquals(e.ownerMsb, a.ownerMsb, e.meta.id);
            assertArrayEquals(e.ownerLsb, a.ownerLsb, e.meta.id);
            assertArrayEquals(e.timeMs, a.timeMs, e.meta.id);
            for (int k = 0; k < e.size(); k++)
            {
                assertEquals(e.router(k), a.router(k), e.meta.id + " router mark " + k);
            }
        }
    }

    @Test
    void shouldRoundTripEveryShapeInVersion5() throws IOException
    {
        final Path file = dir.resolve("v5.snap");
        final Path again = dir.resolve("again.snap");
        try (Ipam ipam = Ipam.inMemory(config()))
        {
            populate(ipam);
            final SnapshotInfo info = ipam.snapshot(file);
            assertEquals(SnapshotData.FORMAT_VERSION_5, info.formatVersion());
            assertEquals(Files.size(file), info.bytes());
            final byte[] bytes = Files.readAllBytes(file);
            assertEquals(Set.of("3", "4", "bitmap"), kinds(bytes), "chunks with both containers, and offsets");
            final SnapshotData read = SnapshotCodec.read(file);
            assertEquals(SnapshotData.FORMAT_VERSION_5, read.formatVersion);
            assertTrue(read.subnets.stream().anyMatch(s -> s.router != null), "the router mark is kept");
            try (Ipam restored = Ipam.restoreInMemory(file, config()))
            {
                SnapshotTest.assertSameState(ipam, restored);
                assertEquals(ipam.allocations(new UUID(7, 1)), restored.allocations(new UUID(7, 1)));
                assertEquals(ipam.subnet("w"), restored.subnet("w"));
                restored.snapshot(again);
            }
            assertArrayEquals(bytes, Files.readAllBytes(again), "a restored allocator snapshots the same bytes");
        }
    }

    @Test
    void shouldWriteTheSameBytesFromTheImageAndFromItsData() throws IOException
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final SnapshotData original;
        try (Ipam ipam = Ipam.inMemory(config()))
        {
            populate(ipam);
            final Path file = dir.resolve("source.snap");
            ipam.snapshot(file);
            original = SnapshotCodec.read(file);
        }
        original.restoreInto(engine);
        final SnapshotCodec.Image image = SnapshotCodec.capture(engine, original.takenAtMs,
            engine.restoredSequence());
        final Path fromImage = dir.resolve("image.snap");
        SnapshotCodec.write(image, fromImage);
        final ByteArrayOutputStream fromData = new ByteArrayOutputStream();
        SnapshotCodec.writeTo(image.data(), fromData);
        assertArrayEquals(Files.readAllBytes(fromImage), fromData.toByteArray(), "one format, two encoders");
        final Path viaFile = dir.resolve("data.snap");
        SnapshotCodec.write(SnapshotCodec.read(fromImage), viaFile);
        assertArrayEquals(Files.readAllBytes(fromImage), Files.readAllBytes(viaFile));
        assertSameData(original, SnapshotCodec.read(fromImage));
    }

    @Test
    void shouldStillWriteTheLegacyFormats() throws IOException
    {
        try (Ipam ipam = Ipam.inMemory(config()))
        {
            SnapshotTest.populate(ipam);
            final Path v5 = dir.resolve("v5.snap");
            ipam.snapshot(v5);
            final SnapshotData data = SnapshotCodec.read(v5);
            final Path v3 = dir.resolve("v3.snap");
            assertEquals(SnapshotData.FORMAT_VERSION_3, SnapshotCodec.write(data.inLegacyFormat(), v3)
                .formatVersion());
            final SnapshotData old = SnapshotCodec.read(v3);
            assertEquals(SnapshotData.FORMAT_VERSION_3, old.formatVersion);
            assertSameData(data, old);
            populate4(ipam);
            ipam.snapshot(v5);
            final SnapshotData wide = SnapshotCodec.read(v5);
            final Path v4 = dir.resolve("v4.snap");
            assertEquals(SnapshotData.FORMAT_VERSION_4, SnapshotCodec.write(wide.inLegacyFormat(), v4)
                .formatVersion());
            assertSameData(wide, SnapshotCodec.read(v4));
        }
    }

    private static void populate4(final Ipam ipam)
    {
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:100::/48").build());
        ipam.allocate("w", "2001:db8:100:7::1", A);
    }

    // ---------------------------------------------------------------------------------------------------------
    // crafted version 5 sections: a good file whose ALLOCATIONS section of one subnet is replaced
    // ---------------------------------------------------------------------------------------------------------

    /** A version 5 file of three subnets: "s" 10.0.0.0/8, "t" 192.168.1.0/24, "w" 2001:db8:100::/48, 3 each. */
    private byte[] good() throws IOException
    {
        final Path file = dir.resolve("good.snap");
        try (Ipam ipam = Ipam.inMemory(config()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            ipam.createSubnet(SubnetSpec.builder("t", "192.168.1.0/24").build());
            ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:100::/48").build());
            for (final String a : List.of("10.0.0.5", "10.0.1.0", "10.7.0.1"))
            {
                ipam.allocate("s", a, A);
            }
            for (final String a : List.of("192.168.1.5", "192.168.1.6", "192.168.1.7"))
            {
                ipam.allocate("t", a, A);
            }
            for (final String a : List.of("2001:db8:100::5", "2001:db8:100:1::1", "2001:db8:100:2::1"))
            {
                ipam.allocate("w", a, B);
            }
            ipam.snapshot(file);
        }
        return Files.readAllBytes(file);
    }

    /**
     * @return the good file with the ALLOCATIONS section of a subnet replaced by the payload the encoder writes.
     */
    private static byte[] with(final byte[] good, final String subnet, final Consumer<ByteBuffer> encoder)
    {
        final List<byte[]> parts = new ArrayList<>();
        parts.add(Arrays.copyOf(good, SnapshotCodec.HEADER_LENGTH));
        for (final Object[] s : SnapshotCraftedFileTest.sections(good))
        {
            byte[] payload = (byte[])s[1];
            if ((int)s[0] == SnapshotCodec.ALLOCATIONS && SettingsCodec.utf(ByteBuffer.wrap(payload)).equals(subnet))
            {
                final ByteBuffer b = ByteBuffer.allocate(1 << 16);
                b.put(SubnetColumns.utfBytes(subnet));
                encoder.accept(b);
                payload = Arrays.copyOf(b.array(), b.position());
            }
            parts.add(SnapshotCraftedFileTest.section((int)s[0], payload));
        }
        return SnapshotCraftedFileTest.concat(parts);
    }

    /** The owner column (index 0 each) and the time column of n allocations. */
    private static void columns(final ByteBuffer b, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            b.putInt(0);
        }
        for (int i = 0; i < n; i++)
        {
            b.putLong(1_700_000_000_000L);
        }
    }

    private void refused(final byte[] file, final String expected) throws IOException
    {
        final Path path = dir.resolve("crafted.snap");
        Files.write(path, file);
        final IpamException ex = assertThrows(IpamException.class, () -> SnapshotCodec.read(path));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), ex.getMessage());
        assertTrue(ex.getMessage().contains("crafted.snap") && ex.getMessage().contains("ALLOCATIONS section"),
            ex.getMessage());
        assertTrue(ex.getMessage().contains(expected), "expected '" + expected + "' in: " + ex.getMessage());
        final IpamException viaFacade = assertThrows(IpamException.class,
            () -> Ipam.restoreInMemory(path, config()).close());
        assertEquals(ErrorCode.STORE_CORRUPT, viaFacade.code());
    }

    @Test
    void shouldReadTheCraftingBaseAndItsOwnEncoding() throws IOException
    {
        final byte[] good = good();
        final Path path = dir.resolve("base.snap");
        // the crafting helper re-encodes subnet s as the writer does: the file still reads (the refusals below
        // are the changed fields, not the helper)
        Files.write(path, with(good, "s", b ->
        {
            b.put((byte)3).putLong(3).putInt(2);
            b.putLong(0).putInt(2).putShort((short)5).putShort((short)256);
            b.putLong(7).putInt(1).putShort((short)1);
            columns(b, 3);
        }));
        final SnapshotData data = SnapshotCodec.read(path);
        assertArrayEquals(SnapshotCodec.read(Files.write(dir.resolve("g.snap"), good)).subnets.get(0).address,
            data.subnets.get(0).address);
    }

    @Test
    void shouldRefuseCraftedChunks() throws IOException
    {
        final byte[] good = good();
        // keys out of order
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(2).putInt(2);
            b.putLong(5).putInt(1).putShort((short)5);
            b.putLong(1).putInt(1).putShort((short)0);
            columns(b, 2);
        }), "chunks are not in ascending order");
        // a key outside the /8 (its offsets have 24 bits: keys below 256)
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(1).putInt(1);
            b.putLong(256).putInt(1).putShort((short)5);
            columns(b, 1);
        }), "lies outside 10.0.0.0/8");
        // an array entry outside the /24
        refused(with(good, "t", b ->
        {
            b.put((byte)3).putLong(1).putInt(1);
            b.putLong(0).putInt(1).putShort((short)256);
            columns(b, 1);
        }), "offset 256 lies outside 192.168.1.0/24");
        // an array not ascending
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(2).putInt(1);
            b.putLong(0).putInt(2).putShort((short)9).putShort((short)9);
            columns(b, 2);
        }), "array container is not in ascending order");
        // a cardinality of zero
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(1).putInt(1);
            b.putLong(0).putInt(0);
            columns(b, 1);
        }), "chunk cardinality 0");
        // a bitmap container with fewer bits than its cardinality
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(4097).putInt(1);
            b.putLong(0).putInt(4097);
            for (int w = 0; w < 1024; w++)
            {
                b.putLong(w < 64 ? -1L : 0);
            }
            for (int i = 0; i < 4097; i++)
            {
                b.putInt(0);
            }
            for (int i = 0; i < 4097; i++)
            {
                b.putLong(0);
            }
        }), "holds 4096 allocations, not 4097");
        // chunks for a wide subnet
        refused(with(good, "w", b ->
        {
            b.put((byte)3).putLong(1).putInt(1);
            b.putLong(0).putInt(1).putShort((short)5);
            columns(b, 1);
        }), "chunks (kind 3) for the wide subnet");
        // a chunk count beyond the allocations
        refused(with(good, "s", b ->
        {
            b.put((byte)3).putLong(1).putInt(2);
            b.putLong(0).putInt(1).putShort((short)5);
            columns(b, 1);
        }), "chunk count 2 does not fit 1 allocations");
    }

    @Test
    void shouldRefuseCraftedOffsetsCountsAndColumns() throws IOException
    {
        final byte[] good = good();
        // an allocation count that would size 2^40 entries: refused before anything is allocated
        refused(with(good, "s", b ->
        {
            b.put((byte)4).putLong(1L << 40).putLong(5);
            columns(b, 1);
        }), "allocation count 1099511627776 does not fit");
        refused(with(good, "s", b ->
        {
            b.put((byte)4).putLong(2).putLong(9).putLong(5);
            columns(b, 2);
        }), "offsets are not in ascending order");
        refused(with(good, "s", b ->
        {
            b.put((byte)4).putLong(1).putLong(1L << 24);
            columns(b, 1);
        }), "offset 16777216 lies outside 10.0.0.0/8");
        refused(with(good, "w", b ->
        {
            b.put((byte)4).putLong(1).putLong(1L << 16).putLong(0);
            columns(b, 1);
        }), "an offset lies outside 2001:db8:100::/48");
        refused(with(good, "w", b ->
        {
            b.put((byte)4).putLong(2).putLong(1).putLong(0).putLong(0).putLong(7);
            columns(b, 2);
        }), "offsets are not in ascending order");
        refused(with(good, "s", b ->
        {
            b.put((byte)7).putLong(1).putLong(5);
            columns(b, 1);
        }), "unknown bitmap kind 7");
        // an owner index past the dictionary (one owner)
        refused(with(good, "s", b ->
        {
            b.put((byte)4).putLong(1).putLong(5).putInt(5).putLong(0);
        }), "owner index 5 out of range");
        // columns with 4 bytes too many
        refused(with(good, "s", b ->
        {
            b.put((byte)4).putLong(1).putLong(5);
            columns(b, 1);
            b.putInt(0);
        }), "the owner and time columns of 1 allocations take 12 bytes, the section has 16 left");
        // kinds 3 and 4 are version 5's only: the same section under a version 4 header is refused
        final byte[] v4 = good.clone();
        final ByteBuffer h = ByteBuffer.wrap(v4);
        h.putInt(8, 4);
        final CRC32C crc = new CRC32C();
        crc.update(v4, 0, 40);
        h.putInt(40, (int)crc.getValue());
        refused(v4, "unknown bitmap kind");
    }
}
