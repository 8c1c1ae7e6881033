package io.ipam.core.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.RandomSource;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.AllocationTerms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

public class SnapshotTest
{
    /** Where the engine writes what a call made or found. */
    private static final EngineResult OUT = new EngineResult();

    private static final UUID A = new UUID(1, 2);
    private static final UUID B = new UUID(-1, -2);

    @TempDir
    Path dir;

    private Ipam ipam;

    @BeforeEach
    void open()
    {
        ipam = Ipam.inMemory(IpamConfig.builder().randomSource(() -> RandomSource.seeded(3))
            .clock(() -> 1_700_000_000_000L).build());
    }

    @AfterEach
    void close()
    {
        ipam.close();
    }

    /**
     * Every kind of state: tenants, gateways (inside, outside, none), given and empty pools, both strategies,
     * IPv4, small and large IPv6, allocations inside and outside pools, prefix pools of both families.
     */
    public static void populate(final Ipam ipam)
    {
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("b", "10.0.0.0/24").tenant("t1").gateway("192.168.0.1")
            .pool("10.0.0.10", "10.0.0.20").pool("10.0.0.100", "10.0.0.200").build());
        ipam.createSubnet(SubnetSpec.builder("c", "2001:db8::/64").noGateway().build());
        ipam.createSubnet(SubnetSpec.builder("d", "2001:db8:1::/112").build());
        ipam.createSubnet(SubnetSpec.builder("e", "10.9.0.0/16").build());
        ipam.createSubnet(SubnetSpec.builder("f", "10.8.0.0/31").build());
        ipam.updatePools("e", List.of());
        ipam.allocateBulk("a", A, 50);
        ipam.allocate("a", "10.0.0.1", B);
        ipam.allocate("b", "10.0.0.250", B);
        ipam.allocateBulk("b", A, 30);
        ipam.allocateBulk("c", B, 40);
        ipam.allocate("c", "2001:db8::ffff:ffff:ffff:ffff", A);
        ipam.allocateEui64("c", "00:11:22:33:44:55", A);
        ipam.allocateBulk("d", A, 20);
        ipam.allocate("e", "10.9.3.4", A);
        ipam.allocatePort(UUID.randomUUID(), List.of(AddressRequest.any("d"),
            AddressRequest.specific("f", "10.8.0.1")));
        ipam.createPrefixPool(PrefixPoolSpec.builder("p4", List.of("10.100.0.0/16", "10.200.0.0/24"))
            .minPrefixLength(16).defaultPrefixLength(26).quota(100_000).build());
        ipam.createPrefixPool(PrefixPoolSpec.builder("p6", List.of("2001:db8:f000::/36")).build());
        ipam.allocatePrefix("p4", "t1");
        ipam.allocatePrefix("p4", "t2", 20);
        ipam.allocatePrefix("p4", "t1", "10.200.0.128/25");
        ipam.allocatePrefix("p6", "t3");
        ipam.allocatePrefix("p6", "t3", 100);
    }

    public static void assertSameState(final Ipam expected, final Ipam actual)
    {
        assertEquals(expected.subnets(), actual.subnets());
        for (final var s : expected.subnets())
        {
            assertEquals(expected.subnet(s.id()), actual.subnet(s.id()));
        }
        for (final UUID owner : owners(expected))
        {
            assertEquals(expected.allocations(owner), actual.allocations(owner), "allocations of " + owner);
        }
        for (final String pool : List.of("p4", "p6"))
        {
            assertEquals(expected.prefixPool(pool), actual.prefixPool(pool));
            assertEquals(expected.children(pool), actual.children(pool));
        }
    }

    private static Set<UUID> owners(final Ipam ipam)
    {
        return Set.of(A, B);
    }

    @Test
    void shouldRoundTripEveryKindOfState() throws IOException
    {
        populate(ipam);
        final Path file = dir.resolve("state.snap");
        final SnapshotInfo info = ipam.snapshot(file);
        assertEquals(file, info.file());
        assertEquals(Files.size(file), info.bytes());
        assertEquals(SnapshotData.FORMAT_VERSION_5, info.formatVersion());
        assertEquals(6, info.subnets());
        assertEquals(ipam.subnets().stream().mapToLong(s -> s.allocated()).sum(), info.allocations());
        assertEquals(1_700_000_000_000L, info.takenAt().toEpochMilli());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Files.getPosixFilePermissions(file));
        try (Ipam restored = Ipam.restoreInMemory(file, IpamConfig.defaults()))
        {
            assertSameState(ipam, restored);
            // owners and times travel too
            final SnapshotData data = SnapshotCodec.read(file);
            for (final SnapshotData.Subnet s : data.subnets)
            {
                for (int i = 0; i < s.size(); i++)
                {
                    assertEquals(1_700_000_000_000L, s.timeMs[i]);
                }
            }
            // the restored state keeps working: usage counts survive, so quotas hold
            assertEquals(ErrorCode.ADDRESS_TAKEN, assertThrows(IpamException.class,
                () -> restored.allocate("a", "10.0.0.1", A)).code());
            assertTrue(restored.releasePrefix("p6", restored.children("p6").get(0)));
        }
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().contains(".tmp-")),
            "no temporary file left behind");
    }

    @Test
    void shouldWriteTheSameBytesForTheSameState() throws IOException
    {
        populate(ipam);
        ipam.snapshot(dir.resolve("one"));
        // the same (uncapturable, test) generator on both sides: a default one would add its RANDOM section
        try (Ipam restored = Ipam.restoreInMemory(dir.resolve("one"),
            IpamConfig.builder().randomSource(() -> RandomSource.seeded(3)).build()))
        {
            restored.snapshot(dir.resolve("two"));
        }
        final byte[] one = Files.readAllBytes(dir.resolve("one"));
        final byte[] two = Files.readAllBytes(dir.resolve("two"));
        // the capture time differs only if the clocks differ; compare past the header
        assertTrue(Arrays.equals(Arrays.copyOfRange(one, 44, one.length), Arrays.copyOfRange(two, 44, two.length)));
    }

    @Test
    void shouldRefuseMissingAndForeignFiles() throws IOException
    {
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> Ipam.restoreInMemory(dir.resolve("missing"), IpamConfig.defaults())).code());
        final Path foreign = dir.resolve("foreign");
        Files.writeString(foreign, "hello, this is not a snapshot at all, but it is long enough to have a header");
        final IpamException ex = assertThrows(IpamException.class,
            () -> Ipam.restoreInMemory(foreign, IpamConfig.defaults()));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("magic"), ex.getMessage());
        final Path empty = dir.resolve("empty");
        Files.write(empty, new byte[0]);
        assertEquals(ErrorCode.STORE_CORRUPT, assertThrows(IpamException.class,
            () -> SnapshotCodec.read(empty)).code());
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> ipam.snapshot(dir.resolve("no/such/dir/file"))).code());
    }

    @Test
    void shouldRefuseAnUnknownVersion() throws IOException
    {
        populate(ipam);
        final Path file = dir.resolve("v");
        ipam.snapshot(file);
        final byte[] bytes = Files.readAllBytes(file);
        bytes[11] = 6;
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, 0, 40);
        java.nio.ByteBuffer.wrap(bytes).putInt(40, (int)crc.getValue());
        Files.write(file, bytes);
        final IpamException ex = assertThrows(IpamException.class, () -> SnapshotCodec.read(file));
        assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        assertTrue(ex.getMessage().contains("version 6"), ex.getMessage());
    }

    /**
     * 1,200 damaged copies: single bit flips anywhere, truncations at any length, appended garbage and random
     * byte runs. Every one must be refused with STORE_CORRUPT and a message, never loaded.
     */
    @Test
    void shouldRefuseEveryDamagedCopy() throws IOException
    {
        populate(ipam);
        final Path file = dir.resolve("good");
        ipam.snapshot(file);
        final byte[] good = Files.readAllBytes(file);
        final SplittableRandom r = new SplittableRandom(99);
        final Path bad = dir.resolve("bad");
        for (int i = 0; i < 1200; i++)
        {
            final byte[] copy;
            final String what;
            switch (i % 4)
            {
                case 0:
                {
                    copy = good.clone();
                    final int pos = r.nextInt(copy.length);
                    copy[pos] ^= (byte)(1 << r.nextInt(8));
                    what = "bit flip at " + pos;
                    break;
                }
                case 1:
                {
                    final int len = r.nextInt(good.length);
                    copy = Arrays.copyOf(good, len);
                    what = "cut at " + len;
                    break;
                }
                case 2:
                {
                    final int extra = 1 + r.nextInt(64);
                    copy = Arrays.copyOf(good, good.length + extra);
                    for (int k = good.length; k < copy.length; k++)
                    {
                        copy[k] = (byte)r.nextInt(256);
                    }
                    what = extra + " bytes appended";
                    break;
                }
                default:
                {
                    copy = good.clone();
                    final int pos = r.nextInt(copy.length);
                    final int n = 1 + r.nextInt(Math.min(32, copy.length - pos));
                    for (int k = pos; k < pos + n; k++)
                    {
                        copy[k] = (byte)r.nextInt(256);
                    }
                    if (Arrays.equals(copy, good))
                    {
                        continue;
                    }
                    what = n + " random bytes at " + pos;
                }
            }
            Files.write(bad, copy);
            try
            {
                Ipam.restoreInMemory(bad, IpamConfig.defaults()).close();
                fail("damaged copy loaded: " + what);
            }
            catch (final IpamException ex)
            {
                assertEquals(ErrorCode.STORE_CORRUPT, ex.code(), what + ": " + ex.getMessage());
                assertTrue(ex.getMessage().contains("bad"), "message names the file: " + ex.getMessage());
            }
        }
    }

    @Test
    void shouldCaptureAConsistentPointInTime()
    {
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        final int h = engine.createSubnet(io.ipam.core.engine.SubnetRules.plan(
            SubnetSpec.builder("x", "10.0.0.0/16").build()));
        for (int i = 0; i < 1000; i++)
        {
            engine.allocate(h, 0, i, i, AllocationTerms.NONE, OUT);
        }
        final SnapshotCodec.Image image = SnapshotCodec.capture(engine, 5);
        // mutations after the capture must not show up in it
        engine.releaseOwner(0, 3, null);
        for (int i = 0; i < 1000; i++)
        {
            engine.allocate(h, 0, 5000 + i, i, AllocationTerms.NONE, OUT);
        }
        final Path file = dir.resolve("pit");
        final SnapshotInfo info = SnapshotCodec.write(image, file);
        assertEquals(1000, info.allocations());
        final List<Long> owners = new ArrayList<>();
        final SnapshotData data = SnapshotCodec.read(file);
        for (final long o : data.subnets.get(0).ownerLsb)
        {
            owners.add(o);
        }
        assertTrue(owners.contains(3L));
        assertFalse(owners.contains(5000L));
    }

    @Test
    void shouldKeepTheOldFileWhenAWriteFails() throws IOException
    {
        populate(ipam);
        final Path file = dir.resolve("keep");
        ipam.snapshot(file);
        final byte[] before = Files.readAllBytes(file);
        // a target that is a non-empty directory cannot be replaced
        final Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("inner"));
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> ipam.snapshot(blocked)).code());
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)));
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().contains(".tmp-")));
        assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.20"), IpRange.of("10.0.0.100", "10.0.0.200")),
            ipam.subnet("b").pools());
    }
}
