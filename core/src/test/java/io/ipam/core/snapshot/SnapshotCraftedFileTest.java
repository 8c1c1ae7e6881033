package io.ipam.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.engine.AllocatorEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Crafted files, not only damaged ones: headers and sections with valid checksums and absurd counts and lengths.
 * The reader must refuse each with {@code STORE_CORRUPT} (or read a file that happens to be valid), never run out
 * of memory or let another exception escape. Seeded; the seed is printed.
 */
class SnapshotCraftedFileTest
{
    private static final int[] INTERESTING_INTS = {0, 1, 2, 3, 7, 255, 256, 65_535, 65_536, 1 << 20, 1 << 30,
        Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2};
    private static final long[] INTERESTING_LONGS = {0, 1, 2, 12, 1L << 30, 1L << 31, 1L << 32, Long.MAX_VALUE,
        Long.MIN_VALUE, -1, Integer.MAX_VALUE};

    @TempDir
    Path dir;

    static byte[] header(final int version, final int subnets, final long allocations)
    {
        final ByteBuffer b = ByteBuffer.allocate(SnapshotCodec.HEADER_LENGTH);
        b.put(SnapshotCodec.MAGIC).putInt(version).putInt(0).putLong(1_700_000_000_000L).putInt(subnets).putInt(0)
            .putLong(allocations);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 40);
        b.putInt((int)crc.getValue());
        return b.array();
    }

    static byte[] section(final int type, final byte[] payload)
    {
        final ByteBuffer b = ByteBuffer.allocate(SnapshotCodec.SECTION_HEADER_LENGTH + payload.length + 4);
        b.putShort((short)type).putShort((short)0).putLong(payload.length).put(payload);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int)crc.getValue());
        return b.array();
    }

    static byte[] concat(final List<byte[]> parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] p : parts)
        {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * @return the sections of a well-formed file: {type, payload} pairs.
     */
    static List<Object[]> sections(final byte[] file)
    {
        final List<Object[]> out = new ArrayList<>();
        final ByteBuffer b = ByteBuffer.wrap(file);
        int pos = SnapshotCodec.HEADER_LENGTH;
        while (pos < file.length)
        {
            final int type = b.getShort(pos) & 0xFFFF;
            final int len = (int)b.getLong(pos + 4);
            final byte[] payload = new byte[len];
            System.arraycopy(file, pos + SnapshotCodec.SECTION_HEADER_LENGTH, payload, 0, len);
            out.add(new Object[] {type, payload});
            pos += SnapshotCodec.SECTION_HEADER_LENGTH + len + 4;
        }
        return out;
    }

    /**
     * Read, and when that works rebuild into an engine: only STORE_CORRUPT (or success) may come out.
     *
     * @return true when it was refused.
     */
    private boolean check(final byte[] bytes, final String what) throws IOException
    {
        final Path file = dir.resolve("crafted");
        Files.write(file, bytes);
        final SnapshotData data;
        try
        {
            data = SnapshotCodec.read(file);
        }
        catch (final IpamException ex)
        {
            assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), what + ": " + ex.getMessage());
            assertTrue(ex.getMessage().contains("crafted"), what + ": message names the file: " + ex.getMessage());
            return true;
        }
        catch (final Throwable ex)
        {
            fail(what + ": " + ex, ex);
            return false;
        }
        try
        {
            data.restoreInto(new AllocatorEngine(RandomSource.seeded(1), 16));
            return false;
        }
        catch (final IpamException ex)
        {
            assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), what + ": " + ex.getMessage());
            return true;
        }
        catch (final Throwable ex)
        {
            fail(what + ": " + ex, ex);
            return false;
        }
    }

    @Test
    void shouldRefuseAHeaderClaimingTwoBillionSubnets() throws IOException
    {
        final Path file = dir.resolve("crafted");
        Files.write(file, header(2, Integer.MAX_VALUE, 0));
        final IpamException ex = org.junit.jupiter.api.Assertions.assertThrows(IpamException.class,
            () -> Ipam.restoreInMemory(file, IpamConfig.defaults()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("subnet count"), ex.getMessage());
    }

    @Test
    void shouldRefuseARunContainerClaimingABillionAllocations() throws IOException
    {
        final RoaringBitmap bomb = new RoaringBitmap();
        bomb.add(0L, 1L << 30);
        bomb.runOptimize();
        final ByteBuffer bits = ByteBuffer.allocate(bomb.serializedSizeInBytes());
        bomb.serialize(bits);
        assertTrue(bits.capacity() < 300_000, "a small file: " + bits.capacity());
        // a /2 subnet can hold 2^30 offsets; the section holds the bitmap and the count, not 12 bytes each
        final ByteBuffer subnets = ByteBuffer.allocate(64);
        subnets.putInt(1).putShort((short)1).put((byte)'s').put((byte)0)
            .put((byte)4).putLong(0).putLong(0).put((byte)2)
            .put((byte)0).put((byte)0).putInt(0).putLong(1);
        final ByteBuffer alloc = ByteBuffer.allocate(3 + 1 + 4 + bits.capacity() + 8);
        alloc.putShort((short)1).put((byte)'s').put((byte)0).putInt(bits.capacity()).put(bits.array())
            .putLong(1L << 30);
        // the header and the subnet declare one allocation: only the bitmap's own cardinality is absurd
        final byte[] file = concat(List.of(header(2, 1, 1),
            section(SnapshotCodec.SUBNETS, java.util.Arrays.copyOf(subnets.array(), subnets.position())),
            section(SnapshotCodec.OWNERS, ByteBuffer.allocate(20).putInt(1).array()),
            section(SnapshotCodec.ALLOCATIONS, alloc.array()),
            section(SnapshotCodec.PREFIX_POOLS, new byte[4]),
            section(SnapshotCodec.END, ByteBuffer.allocate(12).putInt(4).putLong(1).array())));
        final Path path = dir.resolve("crafted");
        Files.write(path, file);
        final IpamException ex = org.junit.jupiter.api.Assertions.assertThrows(IpamException.class,
            () -> SnapshotCodec.read(path));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("bitmap claims"), ex.getMessage());
    }

    @Test
    void shouldRefuseCraftedHeadersAndSections() throws IOException
    {
        final long seed = new SecureRandom().nextLong();
        System.out.println("SnapshotCraftedFileTest seed " + seed + " (replay: new SplittableRandom(seed))");
        final SplittableRandom r = new SplittableRandom(seed);
        final Path goodFile = dir.resolve("good");
        try (Ipam ipam = Ipam.inMemory())
        {
            SnapshotTest.populate(ipam);
            ipam.snapshot(goodFile);
        }
        final byte[] good = Files.readAllBytes(goodFile);
        final List<Object[]> goodSections = sections(good);
        final ByteBuffer gh = ByteBuffer.wrap(good);
        int refused = 0;
        final int rounds = 3000;
        for (int i = 0; i < rounds; i++)
        {
            final String what;
            final byte[] crafted;
            switch (i % 4)
            {
                case 0:
                {
                    // the header alone or with the good sections, counts from the interesting values
                    final int subnets = pickInt(r);
                    final long allocations = pickLong(r);
                    final int version = r.nextInt(6);
                    final byte[] h = header(version, subnets, allocations);
                    crafted = r.nextBoolean() ? h : concat(List.of(h, java.util.Arrays.copyOfRange(good,
                        SnapshotCodec.HEADER_LENGTH, good.length)));
                    what = "seed " + seed + " round " + i + ": header v" + version + " subnets " + subnets +
                        " allocations " + allocations;
                    break;
                }
                case 1:
                {
                    // one field of one section overwritten with an interesting value, checksum recomputed
                    final List<byte[]> parts = new ArrayList<>();
                    parts.add(java.util.Arrays.copyOf(good, SnapshotCodec.HEADER_LENGTH));
                    final int target = r.nextInt(goodSections.size());
                    String w = "";
                    for (int k = 0; k < goodSections.size(); k++)
                    {
                        final int type = (int)goodSections.get(k)[0];
                        final byte[] payload = ((byte[])goodSections.get(k)[1]).clone();
                        if (k == target && payload.length > 0)
                        {
                            final int width = r.nextInt(3) == 0 ? 8 : r.nextBoolean() ? 4 : 2;
                            final int at = r.nextInt(Math.max(1, payload.length - width + 1));
                            final ByteBuffer pb = ByteBuffer.wrap(payload);
                            if (width == 8 && at + 8 <= payload.length)
                            {
                                pb.putLong(at, pickLong(r));
                            }
                            else if (width >= 4 && at + 4 <= payload.length)
                            {
                                pb.putInt(at, pickInt(r));
                            }
                            else if (at + 2 <= payload.length)
                            {
                                pb.putShort(at, (short)pickInt(r));
                            }
                            w = "section " + k + " type " + type + " field at " + at + " width " + width;
                        }
                        parts.add(section(type, payload));
                    }
                    crafted = concat(parts);
                    what = "seed " + seed + " round " + i + ": " + w;
                    break;
                }
                case 2:
                {
                    // sections of random types and contents, every checksum valid
                    final List<byte[]> parts = new ArrayList<>();
                    parts.add(header(2, r.nextInt(4), r.nextInt(4)));
                    final int n = 1 + r.nextInt(6);
                    for (int k = 0; k < n; k++)
                    {
                        final int[] types = {1, 2, 3, 4, 5, 0x7FFF, r.nextInt(1 << 16)};
                        final ByteBuffer payload = ByteBuffer.allocate(r.nextInt(64) * 4);
                        while (payload.remaining() >= 4)
                        {
                            payload.putInt(r.nextBoolean() ? pickInt(r) : r.nextInt());
                        }
                        parts.add(section(types[r.nextInt(types.length)], payload.array()));
                    }
                    crafted = concat(parts);
                    what = "seed " + seed + " round " + i + ": random sections";
                    break;
                }
                default:
                {
                    // a good file whose header counts are changed, with the header checksum recomputed
                    crafted = good.clone();
                    final ByteBuffer cb = ByteBuffer.wrap(crafted);
                    if (r.nextBoolean())
                    {
                        cb.putInt(24, pickInt(r));
                    }
                    else
                    {
                        cb.putLong(32, gh.getLong(32) + (r.nextBoolean() ? pickLong(r) : r.nextInt(3) - 1));
                    }
                    final CRC32C crc = new CRC32C();
                    crc.update(crafted, 0, 40);
                    cb.putInt(40, (int)crc.getValue());
                    what = "seed " + seed + " round " + i + ": header counts";
                }
            }
            refused += check(crafted, what) ? 1 : 0;
        }
        assertTrue(refused > rounds / 2, "seed " + seed + ": most crafted files are invalid, refused " + refused);
    }

    private static int pickInt(final SplittableRandom r)
    {
        return r.nextInt(4) == 0 ? r.nextInt() : INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)];
    }

    private static long pickLong(final SplittableRandom r)
    {
        return r.nextInt(4) == 0 ? r.nextLong() : INTERESTING_LONGS[r.nextInt(INTERESTING_LONGS.length)];
    }
}
