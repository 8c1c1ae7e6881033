package io.ipam.core.snapshot;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.zip.CRC32C;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.random.CipherRandom;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * Writes and reads snapshot files as specified in {@code docs/snapshot-format.md} (the document wins over this
 * code). Writing goes to a temporary file beside the target, is synced, then renamed into place, owner-only.
 * Reading checks every length against the file, every CRC32C before the bytes it covers are interpreted, and
 * every rule again when the state is rebuilt; a damaged file is refused with {@code STORE_CORRUPT} and a
 * message naming the section and offset.
 */
public final class SnapshotCodec
{
    static final byte[] MAGIC = "IPAMSNAP".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_LENGTH = 44;
    static final int SECTION_HEADER_LENGTH = 12;
    static final int SUBNETS = 1;
    static final int OWNERS = 2;
    static final int ALLOCATIONS = 3;
    static final int PREFIX_POOLS = 4;
    static final int RANDOM = 5;
    static final int LIFECYCLE = 6;
    static final int END = 0x7FFF;
    /** Fewest bytes a subnet takes in the SUBNETS section: a 1-char id, no tenant, no gateway, no pools. */
    static final int MIN_SUBNET_BYTES = 3 + 1 + 18 + 1 + 1 + 4 + 8;
    /** Fewest bytes a prefix pool takes in the PREFIX_POOLS section. */
    static final int MIN_POOL_BYTES = 3 + 1 + 3 + 8 + 4 + 4;
    /** Bytes of one prefix pool child (CIDR and a tenant of at least one character). */
    static final int MIN_CHILD_BYTES = 18 + 3;
    /** Bytes a CIDR takes. */
    static final int CIDR_BYTES = 18;
    /** Bytes per allocation after an ALLOCATIONS bitmap: owner index and time. */
    static final int ALLOCATION_BYTES = 12;
    /** Bytes of one bucket of a kind-1 bitmap at least: high word, length and an empty portable bitmap. */
    static final int MIN_BUCKET_BYTES = 8 + 8;

    private SnapshotCodec()
    {
    }

    /**
     * Capture the engine's state; runs on the writer thread and copies arrays only.
     *
     * @param engine    the engine.
     * @param takenAtMs time of capture.
     * @return the image with its time.
     */
    public static Image capture(final AllocatorEngine engine, final long takenAtMs)
    {
        return capture(engine, takenAtMs, 0);
    }

    /**
     * Capture the engine's state with its lifecycle state; runs on the writer thread.
     *
     * @param engine       the engine.
     * @param takenAtMs    time of capture.
     * @param lastSequence the change feed's last sequence, which a restore continues.
     * @return the image with its time.
     */
    public static Image capture(final AllocatorEngine engine, final long takenAtMs, final long lastSequence)
    {
        return new Image(engine.capture(), takenAtMs, engine.captureLifecycle(lastSequence));
    }

    /**
     * A captured image and the time it was taken.
     */
    public static final class Image
    {
        final EngineImage image;
        final long takenAtMs;
        final io.ipam.core.engine.LifecycleImage lifecycle;

        Image(final EngineImage image, final long takenAtMs, final io.ipam.core.engine.LifecycleImage lifecycle)
        {
            this.image = image;
            this.takenAtMs = takenAtMs;
            this.lifecycle = lifecycle;
        }

        /**
         * @return the image ordered into snapshot data (runs off the writer thread).
         */
        public SnapshotData data()
        {
            return SnapshotData.of(image, takenAtMs).withLifecycle(lifecycle);
        }
    }

    /**
     * Order and write an image (off the writer thread).
     *
     * @param image the captured image.
     * @param file  target.
     * @return what was written.
     */
    public static SnapshotInfo write(final Image image, final Path file)
    {
        return write(image.data(), file);
    }

    private static String section(final int type)
    {
        switch (type)
        {
            case SUBNETS:
                return "SUBNETS";
            case OWNERS:
                return "OWNERS";
            case ALLOCATIONS:
                return "ALLOCATIONS";
            case PREFIX_POOLS:
                return "PREFIX_POOLS";
            case RANDOM:
                return "RANDOM";
            case LIFECYCLE:
                return "LIFECYCLE";
            case END:
                return "END";
            default:
                return "unknown section type " + type;
        }
    }

    /**
     * Write snapshot data to a file, atomically.
     *
     * @param data the data.
     * @param file target.
     * @return what was written.
     */
    public static SnapshotInfo write(final SnapshotData data, final Path file)
    {
        final Path target = file.toAbsolutePath();
        final Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir))
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": directory " + dir +
                " does not exist");
        }
        final Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try
        {
            try
            {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createFile(tmp);
            }
            final long bytes;
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                final OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel),
                    1 << 16);
                bytes = writeTo(data, out);
                out.flush();
                channel.force(true);
            }
            try
            {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
            final int subnetCount = data.subnets.size();
            return new SnapshotInfo(file, bytes, data.formatVersion, subnetCount, data.allocationCount(),
                Instant.ofEpochMilli(data.takenAtMs));
        }
        catch (final IOException ex)
        {
            try
            {
                Files.deleteIfExists(tmp);
            }
            catch (final IOException ignore)
            {
                // the original failure is what the caller needs to see
            }
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex, ex);
        }
    }

    private static void syncDirectory(final Path dir)
    {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ))
        {
            ch.force(true);
        }
        catch (final IOException ex)
        {
            // not every platform can sync a directory; the file itself is synced already
        }
    }

    /**
     * Write snapshot data to a stream.
     *
     * @param data the data.
     * @param raw  the stream.
     * @return bytes written.
     * @throws IOException on write failure.
     */
    public static long writeTo(final SnapshotData data, final OutputStream raw) throws IOException
    {
        final CountingStream counting = new CountingStream(raw);
        final DataOutputStream out = new DataOutputStream(counting);

        final ByteArrayOutputStream header = new ByteArrayOutputStream(HEADER_LENGTH);
        final DataOutputStream h = new DataOutputStream(header);
        h.write(MAGIC);
        h.writeInt(data.formatVersion);
        h.writeInt(0);
        h.writeLong(data.takenAtMs);
        h.writeInt(data.subnets.size());
        h.writeInt(0);
        h.writeLong(data.allocationCount());
        final CRC32C crc = new CRC32C();
        crc.update(header.toByteArray());
        h.writeInt((int)crc.getValue());
        out.write(header.toByteArray());

        // owners: a dictionary, so each allocation carries a 4-byte index instead of 16 bytes
        final OwnerDictionary owners = new OwnerDictionary();
        final List<int[]> ownerRefs = new ArrayList<>(data.subnets.size());
        for (final SnapshotData.Subnet s : data.subnets)
        {
            final int[] refs = new int[s.size()];
            for (int i = 0; i < s.size(); i++)
            {
                refs[i] = owners.indexOf(s.ownerMsb[i], s.ownerLsb[i]);
            }
            ownerRefs.add(refs);
        }

        int sections = 0;
        writeSection(out, SUBNETS, subnetsPayload(data));
        sections++;
        writeSection(out, OWNERS, owners.bytes());
        sections++;
        for (int k = 0; k < data.subnets.size(); k++)
        {
            final SnapshotData.Subnet s = data.subnets.get(k);
            if (s.size() > 0)
            {
                writeAllocations(out, s, ownerRefs.get(k));
                sections++;
            }
        }
        writeSection(out, PREFIX_POOLS, prefixPayload(data.prefixPools));
        sections++;
        if (data.formatVersion >= 2 && !data.randomStates.isEmpty())
        {
            writeSection(out, RANDOM, randomPayload(data.randomStates));
            sections++;
        }
        if (data.formatVersion >= 3)
        {
            writeSection(out, LIFECYCLE, lifecyclePayload(data.lifecycle));
            sections++;
        }
        final ByteArrayOutputStream end = new ByteArrayOutputStream(12);
        final DataOutputStream e = new DataOutputStream(end);
        e.writeInt(sections);
        e.writeLong(data.allocationCount());
        writeSection(out, END, end.toByteArray());
        out.flush();
        return counting.count;
    }

    private static void writeSection(final DataOutputStream out, final int type, final byte[] payload)
        throws IOException
    {
        final CRC32C crc = new CRC32C();
        final byte[] head = sectionHeader(type, payload.length);
        crc.update(head);
        crc.update(payload);
        out.write(head);
        out.write(payload);
        out.writeInt((int)crc.getValue());
    }

    private static byte[] sectionHeader(final int type, final long length)
    {
        return ByteBuffer.allocate(SECTION_HEADER_LENGTH).putShort((short)type).putShort((short)0).putLong(length)
            .array();
    }

    private static byte[] subnetsPayload(final SnapshotData data) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        d.writeInt(data.subnets.size());
        for (final SnapshotData.Subnet s : data.subnets)
        {
            writeSubnet(d, s.meta);
            d.writeLong(s.size());
        }
        return bytes.toByteArray();
    }

    /**
     * Encode one subnet's settings (no allocations), as in the SUBNETS section.
     *
     * @param d target.
     * @param m the subnet.
     * @throws IOException on write failure.
     */
    public static void writeSubnet(final DataOutputStream d, final SubnetImage m) throws IOException
    {
        d.writeUTF(m.id);
        d.writeBoolean(m.tenant != null);
        if (m.tenant != null)
        {
            d.writeUTF(m.tenant);
        }
        writeCidr(d, m.cidr);
        d.writeByte(m.strategy.ordinal());
        d.writeBoolean(m.gateway != null);
        if (m.gateway != null)
        {
            writeAddress(d, m.gateway);
        }
        d.writeInt(m.poolFirst.length);
        for (int i = 0; i < m.poolFirst.length; i++)
        {
            d.writeLong(m.poolFirst[i]);
            d.writeLong(m.poolLast[i]);
        }
    }

    /**
     * Encode one prefix pool's settings (no children), as in the PREFIX_POOLS section.
     *
     * @param d target.
     * @param p the pool.
     * @throws IOException on write failure.
     */
    public static void writePool(final DataOutputStream d, final PrefixPoolImage p) throws IOException
    {
        d.writeUTF(p.id);
        d.writeByte(p.v6 ? 6 : 4);
        d.writeByte(p.min);
        d.writeByte(p.def);
        d.writeByte(p.max);
        d.writeLong(p.quota);
        d.writeInt(p.prefixes.size());
        for (final Cidr c : p.prefixes)
        {
            writeCidr(d, c);
        }
    }

    /**
     * Decode what {@link #writeSubnet(DataOutputStream, SubnetImage)} wrote.
     *
     * @param p       source, positioned at the subnet.
     * @param corrupt makes the exception for a problem description.
     * @return the subnet, with an allocation count of -1.
     */
    public static SubnetImage readSubnet(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final String id = utf(p);
        final String tenant = p.get() != 0 ? utf(p) : null;
        final Cidr cidr = readCidr(p, corrupt);
        final int strategy = p.get();
        if (strategy < 0 || strategy >= AllocationStrategy.values().length)
        {
            throw corrupt.apply("subnet " + id + " has unknown strategy " + strategy);
        }
        final IpAddress gateway = p.get() != 0 ? readAddress(p, corrupt) : null;
        final int pools = p.getInt();
        if (pools < 0 || (long)pools * 16 > p.remaining())
        {
            throw corrupt.apply("subnet " + id + " pool count " + pools + " runs past its data");
        }
        final long[] first = new long[pools];
        final long[] last = new long[pools];
        for (int k = 0; k < pools; k++)
        {
            first[k] = p.getLong();
            last[k] = p.getLong();
        }
        return new SubnetImage(-1, id, tenant, cidr, AllocationStrategy.values()[strategy], gateway, first, last, -1);
    }

    /**
     * Decode what {@link #writePool(DataOutputStream, PrefixPoolImage)} wrote.
     *
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the pool with no children.
     */
    public static PrefixPoolImage readPool(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final String id = utf(p);
        final int family = p.get();
        if (family != 4 && family != 6)
        {
            throw corrupt.apply("pool " + id + " family " + family);
        }
        final int min = p.get() & 0xFF;
        final int def = p.get() & 0xFF;
        final int max = p.get() & 0xFF;
        final long quota = p.getLong();
        final int np = p.getInt();
        if (np < 0 || np > p.remaining() / CIDR_BYTES)
        {
            throw corrupt.apply("pool " + id + " prefix count " + np + " runs past its data");
        }
        final List<Cidr> prefixes = new ArrayList<>(np);
        for (int k = 0; k < np; k++)
        {
            prefixes.add(readCidr(p, corrupt));
        }
        return new PrefixPoolImage(id, family == 6, min, def, max, quota, prefixes, List.of(), List.of());
    }

    /**
     * @param p source.
     * @return a string written with {@link DataOutputStream#writeUTF(String)} (ASCII ids and tenants).
     */
    public static String utf(final ByteBuffer p)
    {
        final int len = p.getShort() & 0xFFFF;
        if (len > p.remaining())
        {
            throw new BufferUnderflowException();
        }
        final byte[] b = new byte[len];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the address.
     */
    public static IpAddress readAddress(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final int family = p.get();
        if (family != 4 && family != 6)
        {
            throw corrupt.apply("address family " + family + " is neither 4 nor 6");
        }
        final long hi = p.getLong();
        final long lo = p.getLong();
        if (family == 4 && (hi != 0 || (lo >>> 32) != 0))
        {
            throw corrupt.apply("IPv4 address out of range");
        }
        return new IpAddress(family == 6, hi, lo);
    }

    /**
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the CIDR.
     */
    public static Cidr readCidr(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final IpAddress a = readAddress(p, corrupt);
        final int len = p.get() & 0xFF;
        if (len > a.bits())
        {
            throw corrupt.apply("prefix length " + len + " out of range");
        }
        return new Cidr(a, len);
    }

    private static void writeAddress(final DataOutputStream d, final IpAddress a) throws IOException
    {
        d.writeByte(a.isV6() ? 6 : 4);
        d.writeLong(a.hi());
        d.writeLong(a.lo());
    }

    /**
     * @param d target.
     * @param c CIDR to write.
     * @throws IOException on write failure.
     */
    public static void writeCidr(final DataOutputStream d, final Cidr c) throws IOException
    {
        writeAddress(d, c.address());
        d.writeByte(c.prefixLength());
    }

    private static void writeAllocations(final DataOutputStream out, final SnapshotData.Subnet s, final int[] owners)
        throws IOException
    {
        final ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(prefix);
        d.writeUTF(s.meta.id);
        if (SnapshotData.isSmall(s.meta.cidr))
        {
            final RoaringBitmapWriter<RoaringBitmap> w = RoaringBitmapWriter.writer().get();
            for (final long a : s.address)
            {
                w.add((int)s.offset(a));
            }
            final RoaringBitmap bitmap = w.get();
            bitmap.runOptimize();
            d.writeByte(0);
            d.writeInt(bitmap.serializedSizeInBytes());
            bitmap.serialize(d);
        }
        else
        {
            d.writeByte(1);
            final ByteArrayOutputStream bucketBytes = new ByteArrayOutputStream();
            final DataOutputStream bd = new DataOutputStream(bucketBytes);
            int buckets = 0;
            int i = 0;
            while (i < s.size())
            {
                final long high = s.offset(s.address[i]) >>> 32;
                final RoaringBitmapWriter<RoaringBitmap> w = RoaringBitmapWriter.writer().get();
                while (i < s.size() && s.offset(s.address[i]) >>> 32 == high)
                {
                    w.add((int)s.offset(s.address[i]));
                    i++;
                }
                final RoaringBitmap bitmap = w.get();
                bitmap.runOptimize();
                bd.writeInt((int)high);
                bd.writeInt(bitmap.serializedSizeInBytes());
                bitmap.serialize(bd);
                buckets++;
            }
            d.writeInt(buckets);
            bucketBytes.writeTo(d);
        }
        d.writeLong(s.size());
        final byte[] head = prefix.toByteArray();
        final long length = head.length + 12L * s.size();
        final CRC32C crc = new CRC32C();
        final byte[] sh = sectionHeader(ALLOCATIONS, length);
        crc.update(sh);
        crc.update(head);
        out.write(sh);
        out.write(head);
        final ByteBuffer buf = ByteBuffer.allocate(12 * 4096);
        for (int i = 0; i < s.size(); i++)
        {
            buf.putInt(owners[i]).putLong(s.timeMs[i]);
            if (!buf.hasRemaining())
            {
                crc.update(buf.array(), 0, buf.position());
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }
        crc.update(buf.array(), 0, buf.position());
        out.write(buf.array(), 0, buf.position());
        out.writeInt((int)crc.getValue());
    }

    /** Fewest bytes of one key in the LIFECYCLE section: no tenant, 1-char key, empty payload, no links. */
    static final int MIN_KEY_BYTES = 1 + 3 + 8 + 8 + 4 + 8 + 8 + 4 + 4;

    private static byte[] lifecyclePayload(final io.ipam.core.engine.LifecycleImage l) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        d.writeLong(l.lastSequence);
        d.writeInt(l.cooldowns.size());
        for (final Map.Entry<String, Long> e : l.cooldowns.entrySet())
        {
            d.writeUTF(e.getKey());
            d.writeLong(e.getValue());
        }
        writePairs(d, l.cooling);
        writePairs(d, l.leases);
        d.writeInt(l.keys.size());
        for (final io.ipam.core.engine.LifecycleImage.KeyImage k : l.keys)
        {
            d.writeBoolean(k.tenant != null);
            if (k.tenant != null)
            {
                d.writeUTF(k.tenant);
            }
            d.writeUTF(k.key);
            d.writeLong(k.serial);
            d.writeLong(k.fingerprint);
            d.writeInt(k.code);
            d.writeLong(k.value);
            d.writeLong(k.goneAt);
            d.writeInt(k.payload.length);
            d.write(k.payload);
            d.writeInt(k.linkSubnets.size());
            for (int i = 0; i < k.linkSubnets.size(); i++)
            {
                d.writeUTF(k.linkSubnets.get(i));
                d.writeLong(k.linkAddresses.get(i));
            }
        }
        d.flush();
        return bytes.toByteArray();
    }

    private static void writePairs(final DataOutputStream d, final Map<String, List<long[]>> bySubnet)
        throws IOException
    {
        d.writeInt(bySubnet.size());
        for (final Map.Entry<String, List<long[]>> e : bySubnet.entrySet())
        {
            d.writeUTF(e.getKey());
            d.writeInt(e.getValue().size());
            for (final long[] pair : e.getValue())
            {
                d.writeLong(pair[0]);
                d.writeLong(pair[1]);
            }
        }
    }

    private static io.ipam.core.engine.LifecycleImage readLifecycle(final ByteBuffer p, final String name,
        final Map<String, Integer> subnetIndex, final java.util.function.Function<String, IpamException> corrupt)
    {
        final io.ipam.core.engine.LifecycleImage l = new io.ipam.core.engine.LifecycleImage();
        l.lastSequence = p.getLong();
        if (l.lastSequence < 0)
        {
            throw new IllegalArgumentException("negative sequence");
        }
        final int cooldowns = p.getInt();
        if (cooldowns < 0 || (long)cooldowns * 11 > p.remaining())
        {
            throw corrupt.apply(name + ": cooldown count " + cooldowns + " runs past the section");
        }
        for (int i = 0; i < cooldowns; i++)
        {
            final String id = knownSubnet(utf(p), name, subnetIndex, corrupt);
            if (l.cooldowns.put(id, p.getLong()) != null)
            {
                throw corrupt.apply(name + ": cooldown of subnet " + id + " twice");
            }
        }
        readPairs(p, name, subnetIndex, l.cooling, "cooling", corrupt);
        readPairs(p, name, subnetIndex, l.leases, "lease", corrupt);
        final int keys = p.getInt();
        if (keys < 0 || (long)keys * MIN_KEY_BYTES > p.remaining())
        {
            throw corrupt.apply(name + ": key count " + keys + " runs past the section");
        }
        for (int i = 0; i < keys; i++)
        {
            final String tenant = p.get() != 0 ? utf(p) : null;
            final String key = utf(p);
            final long serial = p.getLong();
            final long fingerprint = p.getLong();
            final int code = p.getInt();
            final long value = p.getLong();
            final long goneAt = p.getLong();
            final int length = p.getInt();
            if (length < 0 || length > p.remaining())
            {
                throw corrupt.apply(name + ": answer of key " + key + " (" + length + " bytes) runs past the section");
            }
            final byte[] payload = new byte[length];
            p.get(payload);
            final io.ipam.core.engine.LifecycleImage.KeyImage k = new io.ipam.core.engine.LifecycleImage.KeyImage(
                tenant, key, fingerprint, code, value, payload, goneAt, serial);
            final int links = p.getInt();
            if (links < 0 || (long)links * 11 > p.remaining())
            {
                throw corrupt.apply(name + ": link count " + links + " of key " + key + " runs past the section");
            }
            for (int j = 0; j < links; j++)
            {
                k.linkSubnets.add(knownSubnet(utf(p), name, subnetIndex, corrupt));
                k.linkAddresses.add(p.getLong());
            }
            l.keys.add(k);
        }
        return l;
    }

    private static void readPairs(final ByteBuffer p, final String name, final Map<String, Integer> subnetIndex,
        final Map<String, List<long[]>> into, final String what,
        final java.util.function.Function<String, IpamException> corrupt)
    {
        final int subnets = p.getInt();
        if (subnets < 0 || (long)subnets * 7 > p.remaining())
        {
            throw corrupt.apply(name + ": " + what + " subnet count " + subnets + " runs past the section");
        }
        for (int i = 0; i < subnets; i++)
        {
            final String id = knownSubnet(utf(p), name, subnetIndex, corrupt);
            final int n = p.getInt();
            if (n < 0 || (long)n * 16 > p.remaining())
            {
                throw corrupt.apply(name + ": " + what + " count " + n + " of subnet " + id + " runs past the section");
            }
            final List<long[]> list = new ArrayList<>(n);
            for (int j = 0; j < n; j++)
            {
                list.add(new long[] {p.getLong(), p.getLong()});
            }
            if (into.put(id, list) != null)
            {
                throw corrupt.apply(name + ": " + what + " entries of subnet " + id + " twice");
            }
        }
    }

    private static String knownSubnet(final String id, final String name, final Map<String, Integer> subnetIndex,
        final java.util.function.Function<String, IpamException> corrupt)
    {
        if (!subnetIndex.containsKey(id))
        {
            throw corrupt.apply(name + ": names subnet " + id + " which the SUBNETS section lacks");
        }
        return id;
    }

    private static byte[] randomPayload(final List<byte[]> states)
    {
        final ByteBuffer b = ByteBuffer.allocate(4 + CipherRandom.STATE_LENGTH * states.size()).putInt(states.size());
        for (final byte[] state : states)
        {
            if (state.length != CipherRandom.STATE_LENGTH)
            {
                throw new IllegalStateException("random state of " + state.length + " bytes");
            }
            b.put(state);
        }
        return b.array();
    }

    private static byte[] prefixPayload(final List<PrefixPoolImage> pools) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        d.writeInt(pools.size());
        for (final PrefixPoolImage p : pools)
        {
            writePool(d, p);
            d.writeInt(p.children.size());
            for (int i = 0; i < p.children.size(); i++)
            {
                writeCidr(d, p.children.get(i));
                d.writeUTF(p.tenants.get(i));
            }
        }
        return bytes.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------------------
    // reading
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Read and check a snapshot file completely.
     *
     * @param file the file.
     * @return its data.
     * @throws IpamException {@code STORE_IO} if it cannot be read, {@code STORE_CORRUPT} if it is damaged.
     */
    public static SnapshotData read(final Path file)
    {
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "snapshot " + file + " does not exist");
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read snapshot " + file + ": " + ex.getMessage());
        }
        if (Files.isDirectory(file))
        {
            throw new IpamException(ErrorCode.STORE_IO, "snapshot " + file + " is a directory");
        }
        try (InputStream in = Files.newInputStream(file))
        {
            return new Reader(file, in, size).read();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read snapshot " + file + ": " + ex.getMessage());
        }
    }

    /**
     * Reads one file; every failure names the file, the section and the offset.
     */
    private static final class Reader
    {
        private final Path file;
        private final InputStream in;
        private final long size;
        private long position;

        Reader(final Path file, final InputStream in, final long size)
        {
            this.file = file;
            this.in = in;
            this.size = size;
        }

        private IpamException corrupt(final String what)
        {
            return new IpamException(ErrorCode.STORE_CORRUPT, "snapshot " + file + " is damaged: " + what);
        }

        private byte[] readFully(final int n, final String what) throws IOException
        {
            final byte[] b = new byte[n];
            int off = 0;
            while (off < n)
            {
                final int r = in.read(b, off, n - off);
                if (r < 0)
                {
                    throw corrupt(what + " at offset " + (position + off) + " is cut short: the file ends after " +
                        size + " bytes");
                }
                off += r;
            }
            position += n;
            return b;
        }

        SnapshotData read() throws IOException
        {
            if (size < HEADER_LENGTH)
            {
                throw corrupt("it is " + size + " bytes long, shorter than the " + HEADER_LENGTH + "-byte header");
            }
            final byte[] header = readFully(HEADER_LENGTH, "header");
            for (int i = 0; i < MAGIC.length; i++)
            {
                if (header[i] != MAGIC[i])
                {
                    throw corrupt("it does not start with the IPAMSNAP magic (not an ipam snapshot)");
                }
            }
            final ByteBuffer hb = ByteBuffer.wrap(header);
            final int version = hb.getInt(8);
            final CRC32C crc = new CRC32C();
            crc.update(header, 0, HEADER_LENGTH - 4);
            if ((int)crc.getValue() != hb.getInt(HEADER_LENGTH - 4))
            {
                throw corrupt("header checksum mismatch at offset 40");
            }
            if (version < SnapshotData.FORMAT_VERSION_1 || version > SnapshotData.FORMAT_VERSION)
            {
                throw corrupt("format version " + version + " is not supported (this reader knows versions " +
                    SnapshotData.FORMAT_VERSION_1 + " to " + SnapshotData.FORMAT_VERSION + ")");
            }
            if (hb.getInt(12) != 0)
            {
                throw corrupt("unknown header flags " + hb.getInt(12));
            }
            final long takenAt = hb.getLong(16);
            final int subnetCount = hb.getInt(24);
            final long allocationCount = hb.getLong(32);
            // counts are checked against the bytes that could hold them before anything is sized from them
            final long body = size - HEADER_LENGTH;
            if (subnetCount < 0 || subnetCount > body / MIN_SUBNET_BYTES)
            {
                throw corrupt("header subnet count " + (subnetCount & 0xFFFF_FFFFL) + " cannot fit in the " + body +
                    " bytes after the header");
            }
            if (allocationCount < 0 || allocationCount > body / ALLOCATION_BYTES)
            {
                throw corrupt("header allocation count " + Long.toUnsignedString(allocationCount) +
                    " cannot fit in the " + body + " bytes after the header");
            }

            List<SnapshotData.Subnet> subnets = null;
            List<SubnetImage> metas = null;
            long[][] owners = null;
            List<PrefixPoolImage> pools = null;
            final Map<String, Integer> subnetIndex = new HashMap<>();
            final SnapshotData.Subnet[] filled = new SnapshotData.Subnet[subnetCount];
            List<byte[]> randomStates = null;
            io.ipam.core.engine.LifecycleImage lifecycle = null;
            final Set<String> seenAllocations = new HashSet<>();
            int sections = 0;
            int expectedType = SUBNETS;
            while (true)
            {
                final long sectionOffset = position;
                if (size - position < SECTION_HEADER_LENGTH + 4)
                {
                    throw corrupt("no end marker: the file stops at offset " + position + " (truncated?)");
                }
                final byte[] sh = readFully(SECTION_HEADER_LENGTH, "section header");
                final ByteBuffer shb = ByteBuffer.wrap(sh);
                final int type = shb.getShort(0) & 0xFFFF;
                final long length = shb.getLong(4);
                final String name = section(type) + " section at offset " + sectionOffset;
                if (length < 0 || length > size - position - 4)
                {
                    throw corrupt(name + " claims " + length + " payload bytes but only " +
                        Math.max(0, size - position - 4) + " remain (truncated or damaged length)");
                }
                if (length > Integer.MAX_VALUE - 64)
                {
                    throw corrupt(name + " is larger than this reader supports (" + length + " bytes)");
                }
                final byte[] payload = readFully((int)length, name);
                final byte[] stored = readFully(4, name + " checksum");
                final CRC32C c = new CRC32C();
                c.update(sh);
                c.update(payload);
                if ((int)c.getValue() != ByteBuffer.wrap(stored).getInt())
                {
                    throw corrupt(name + ": checksum mismatch");
                }
                if (shb.getShort(2) != 0)
                {
                    throw corrupt(name + ": reserved field is not zero");
                }
                final ByteBuffer p = ByteBuffer.wrap(payload);
                try
                {
                    if (type == END)
                    {
                        if (expectedType != END)
                        {
                            throw corrupt(name + ": end marker before the " + section(expectedType) + " section");
                        }
                        final int count = p.getInt();
                        final long allocations = p.getLong();
                        if (count != sections || allocations != allocationCount || p.hasRemaining())
                        {
                            throw corrupt(name + ": end marker counts (" + count + " sections, " + allocations +
                                " allocations) do not match the file (" + sections + ", " + allocationCount + ")");
                        }
                        if (in.read() >= 0)
                        {
                            throw corrupt((size - position) + " unexpected byte(s) after the end marker at offset " +
                                position);
                        }
                        break;
                    }
                    sections++;
                    if (type == SUBNETS && expectedType == SUBNETS)
                    {
                        metas = readSubnets(p, name, subnetCount);
                        for (int i = 0; i < metas.size(); i++)
                        {
                            if (subnetIndex.put(metas.get(i).id, i) != null)
                            {
                                throw corrupt(name + ": subnet " + metas.get(i).id + " appears twice");
                            }
                        }
                        expectedType = OWNERS;
                    }
                    else if (type == OWNERS && expectedType == OWNERS)
                    {
                        final int n = p.getInt();
                        if (n < 0 || (long)n * 16 != p.remaining())
                        {
                            throw corrupt(name + ": owner count " + n + " does not match its length");
                        }
                        owners = new long[2][n];
                        for (int i = 0; i < n; i++)
                        {
                            owners[0][i] = p.getLong();
                            owners[1][i] = p.getLong();
                        }
                        expectedType = ALLOCATIONS;
                    }
                    else if (type == ALLOCATIONS && expectedType == ALLOCATIONS)
                    {
                        final SnapshotData.Subnet s = readAllocations(p, name, metas, subnetIndex, owners);
                        if (!seenAllocations.add(s.meta.id))
                        {
                            throw corrupt(name + ": allocations of subnet " + s.meta.id + " appear twice");
                        }
                        filled[subnetIndex.get(s.meta.id)] = s;
                    }
                    else if (type == PREFIX_POOLS && expectedType == ALLOCATIONS)
                    {
                        pools = readPools(p, name);
                        expectedType = END;
                    }
                    else if (type == RANDOM && expectedType == END && randomStates == null && lifecycle == null &&
                        version >= SnapshotData.FORMAT_VERSION_2)
                    {
                        randomStates = readRandom(p, name);
                    }
                    else if (type == LIFECYCLE && expectedType == END && lifecycle == null &&
                        version >= SnapshotData.FORMAT_VERSION)
                    {
                        lifecycle = readLifecycle(p, name, subnetIndex, this::corrupt);
                    }
                    else
                    {
                        throw corrupt(name + ": unexpected here (expected " + section(expectedType) + ")");
                    }
                    if (p.hasRemaining())
                    {
                        throw corrupt(name + ": " + p.remaining() + " bytes left over after its content");
                    }
                }
                catch (final BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException ex)
                {
                    throw corrupt(name + ": content is cut short or malformed");
                }
            }
            subnets = new ArrayList<>(metas.size());
            for (int i = 0; i < metas.size(); i++)
            {
                subnets.add(filled[i] != null ? filled[i] :
                    new SnapshotData.Subnet(metas.get(i), new long[0], new long[0], new long[0], new long[0]));
                if (subnets.get(i).size() != metas.get(i).allocated)
                {
                    throw corrupt("subnet " + metas.get(i).id + " declares " + metas.get(i).allocated +
                        " allocations but the file holds " + subnets.get(i).size());
                }
            }
            final SnapshotData data = new SnapshotData(version, takenAt, subnets, pools,
                randomStates == null ? List.of() : randomStates).withLifecycle(lifecycle);
            if (data.allocationCount() != allocationCount)
            {
                throw corrupt("header declares " + allocationCount + " allocations, sections hold " +
                    data.allocationCount());
            }
            return data;
        }

        private List<SubnetImage> readSubnets(final ByteBuffer p, final String name, final int declared)
        {
            final int n = p.getInt();
            if (n != declared || n < 0 || n > p.remaining() / MIN_SUBNET_BYTES)
            {
                throw corrupt(name + ": subnet count " + n + " does not match the header (" + declared + ")");
            }
            final List<SubnetImage> out = new ArrayList<>(n);
            String previous = null;
            for (int i = 0; i < n; i++)
            {
                final SubnetImage m = readSubnet(p, what -> corrupt(name + ": " + what));
                final String id = m.id;
                if (previous != null && previous.compareTo(id) >= 0)
                {
                    throw corrupt(name + ": subnets are not in ascending id order at " + id);
                }
                previous = id;
                final long allocated = p.getLong();
                if (allocated < 0)
                {
                    throw corrupt(name + ": subnet " + id + " has a negative allocation count");
                }
                out.add(new SubnetImage(-1, id, m.tenant, m.cidr, m.strategy, m.gateway, m.poolFirst, m.poolLast,
                    allocated));
            }
            return out;
        }

        private SnapshotData.Subnet readAllocations(final ByteBuffer p, final String name,
            final List<SubnetImage> metas, final Map<String, Integer> index, final long[][] owners)
        {
            final String id = utf(p);
            final Integer idx = index.get(id);
            if (idx == null)
            {
                throw corrupt(name + ": allocations for subnet " + id + " which the SUBNETS section lacks");
            }
            final SubnetImage meta = metas.get(idx);
            final int kind = p.get();
            // offsets must lie inside the subnet: hostBits is at most 64 (IPv6 /64)
            final int hostBits = meta.cidr.address().bits() - meta.cidr.prefixLength();
            final List<long[]> offsets = new ArrayList<>();
            long total = 0;
            if (kind == 0)
            {
                if (!SnapshotData.isSmall(meta.cidr))
                {
                    throw corrupt(name + ": 32-bit bitmap for a subnet larger than 2^32 addresses");
                }
                final RoaringBitmap b = bitmap(p, name, 0);
                if (hostBits < 32 && !b.isEmpty() && (b.last() & 0xFFFF_FFFFL) >>> hostBits != 0)
                {
                    throw corrupt(name + ": allocated offset " + (b.last() & 0xFFFF_FFFFL) + " lies outside " +
                        meta.cidr);
                }
                final long[] o = new long[b.getCardinality()];
                final int[] i = {0};
                b.forEach((int v) -> o[i[0]++] = v & 0xFFFF_FFFFL);
                offsets.add(o);
                total = o.length;
            }
            else if (kind == 1)
            {
                if (SnapshotData.isSmall(meta.cidr))
                {
                    throw corrupt(name + ": bucketed bitmap for a subnet of at most 2^32 addresses");
                }
                final int buckets = p.getInt();
                if (buckets < 0 || buckets > p.remaining() / MIN_BUCKET_BYTES)
                {
                    throw corrupt(name + ": bucket count " + buckets + " runs past the section");
                }
                long previous = -1;
                for (int bucket = 0; bucket < buckets; bucket++)
                {
                    final long h = p.getInt() & 0xFFFF_FFFFL;
                    if (h <= previous)
                    {
                        throw corrupt(name + ": bitmap buckets out of order");
                    }
                    previous = h;
                    if (hostBits < 64 && h >>> (hostBits - 32) != 0)
                    {
                        throw corrupt(name + ": bucket " + h + " lies outside " + meta.cidr);
                    }
                    final RoaringBitmap b = bitmap(p, name, total);
                    final long[] o = new long[b.getCardinality()];
                    final int[] i = {0};
                    b.forEach((int v) -> o[i[0]++] = (h << 32) | (v & 0xFFFF_FFFFL));
                    offsets.add(o);
                    total += o.length;
                }
            }
            else
            {
                throw corrupt(name + ": unknown bitmap kind " + kind);
            }
            final long count = p.getLong();
            if (count != total || count * 12 != p.remaining())
            {
                throw corrupt(name + ": " + count + " allocations declared, bitmap holds " + total);
            }
            final int n = (int)count;
            final long[] address = new long[n];
            final long[] msb = new long[n];
            final long[] lsb = new long[n];
            final long[] time = new long[n];
            final long base = meta.cidr.address().lo();
            int k = 0;
            for (final long[] o : offsets)
            {
                for (final long off : o)
                {
                    address[k] = base + off;
                    final int owner = p.getInt();
                    if (owner < 0 || owner >= owners[0].length)
                    {
                        throw corrupt(name + ": owner index " + owner + " out of range");
                    }
                    msb[k] = owners[0][owner];
                    lsb[k] = owners[1][owner];
                    time[k] = p.getLong();
                    k++;
                }
            }
            return new SnapshotData.Subnet(meta, address, msb, lsb, time);
        }

        /**
         * @param before allocations already read in this section: they too need their 12 bytes after the bitmaps.
         */
        private RoaringBitmap bitmap(final ByteBuffer p, final String name, final long before)
        {
            final int len = p.getInt();
            if (len < 0 || len > p.remaining())
            {
                throw corrupt(name + ": bitmap length " + len + " runs past the section");
            }
            final ByteBuffer slice = p.slice();
            slice.limit(len);
            final RoaringBitmap b = new RoaringBitmap();
            try
            {
                b.deserialize(slice);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw corrupt(name + ": bitmap does not decode");
            }
            if (b.serializedSizeInBytes() != len)
            {
                throw corrupt(name + ": bitmap length does not match its content");
            }
            p.position(p.position() + len);
            // a run container claims up to 65,536 entries in 6 bytes: trust the cardinality only once the bytes
            // that must follow (12 per allocation, then the 8-byte count) are there
            final long room = Math.max(0, p.remaining() - 8) / ALLOCATION_BYTES - before;
            if (b.getLongCardinality() > room)
            {
                throw corrupt(name + ": bitmap claims " + b.getLongCardinality() + " allocations but the section " +
                    "has room for " + Math.max(0, room));
            }
            return b;
        }

        private List<byte[]> readRandom(final ByteBuffer p, final String name)
        {
            final int n = p.getInt();
            if (n < 1 || (long)n * CipherRandom.STATE_LENGTH != p.remaining())
            {
                throw corrupt(name + ": generator count " + n + " does not match its length " + (p.remaining() + 4));
            }
            final List<byte[]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final byte[] state = new byte[CipherRandom.STATE_LENGTH];
                p.get(state);
                try
                {
                    CipherRandom.fromState(state);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw corrupt(name + ": generator " + i + ": " + ex.getMessage());
                }
                out.add(state);
            }
            return out;
        }

        private List<PrefixPoolImage> readPools(final ByteBuffer p, final String name)
        {
            final int n = p.getInt();
            if (n < 0 || n > p.remaining() / MIN_POOL_BYTES)
            {
                throw corrupt(name + ": pool count " + n + " runs past the section");
            }
            final List<PrefixPoolImage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final PrefixPoolImage meta = readPool(p, what -> corrupt(name + ": " + what));
                final String id = meta.id;
                final int nc = p.getInt();
                if (nc < 0 || nc > p.remaining() / MIN_CHILD_BYTES)
                {
                    throw corrupt(name + ": pool " + id + " child count " + nc + " runs past the section");
                }
                final List<Cidr> children = new ArrayList<>(nc);
                final List<String> tenants = new ArrayList<>(nc);
                for (int k = 0; k < nc; k++)
                {
                    children.add(readCidr(p, what -> corrupt(name + ": " + what)));
                    tenants.add(utf(p));
                }
                out.add(new PrefixPoolImage(id, meta.v6, meta.min, meta.def, meta.max, meta.quota, meta.prefixes,
                    children, tenants));
            }
            return out;
        }
    }

    /**
     * Interns owners into dense indexes in first-seen order, without boxing: open addressing over the two halves
     * of the UUID, growing by doubling.
     */
    private static final class OwnerDictionary
    {
        private int[] slots = new int[1024];     // index + 1, 0 = empty
        private long[] msb = new long[512];
        private long[] lsb = new long[512];
        private int size;

        private static int hash(final long m, final long l)
        {
            long h = m * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
            return (int)(h ^ (h >>> 32));
        }

        int indexOf(final long m, final long l)
        {
            int mask = slots.length - 1;
            int i = hash(m, l) & mask;
            while (slots[i] != 0)
            {
                final int idx = slots[i] - 1;
                if (msb[idx] == m && lsb[idx] == l)
                {
                    return idx;
                }
                i = (i + 1) & mask;
            }
            if (size == msb.length)
            {
                msb = java.util.Arrays.copyOf(msb, size * 2);
                lsb = java.util.Arrays.copyOf(lsb, size * 2);
            }
            msb[size] = m;
            lsb[size] = l;
            slots[i] = ++size;
            if (size * 2 > slots.length)
            {
                slots = new int[slots.length * 2];
                mask = slots.length - 1;
                for (int k = 0; k < size; k++)
                {
                    int j = hash(msb[k], lsb[k]) & mask;
                    while (slots[j] != 0)
                    {
                        j = (j + 1) & mask;
                    }
                    slots[j] = k + 1;
                }
            }
            return size - 1;
        }

        byte[] bytes()
        {
            final ByteBuffer b = ByteBuffer.allocate(4 + 16 * size).putInt(size);
            for (int k = 0; k < size; k++)
            {
                b.putLong(msb[k]).putLong(lsb[k]);
            }
            return b.array();
        }
    }

    /**
     * Counts bytes on their way out.
     */
    private static final class CountingStream extends OutputStream
    {
        private final OutputStream out;
        long count;

        CountingStream(final OutputStream out)
        {
            this.out = out;
        }

        @Override
        public void write(final int b) throws IOException
        {
            out.write(b);
            count++;
        }

        @Override
        public void write(final byte[] b, final int off, final int len) throws IOException
        {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException
        {
            out.flush();
        }
    }
}
