package io.ipam.core.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage;

/**
 * Reads one snapshot file and checks it completely ({@code docs/snapshot-format.md}, "Checks a reader makes"): the
 * header, then each section's framing, length and CRC32C before its payload is decoded ({@link SectionReader}),
 * the order of the sections, and the counts of the header and the END section against what the file holds. Every
 * failure is {@code STORE_CORRUPT} naming the file, the section and its offset.
 */
final class SnapshotReader
{
    private final Path file;
    private final InputStream in;
    private final long size;
    private long position;
    private final SectionReader decoder = new SectionReader(this::corrupt);
    private final ColumnReader columns = new ColumnReader(this::corrupt);

    /**
     * Read and check a snapshot file completely.
     *
     * @param file the file.
     * @return its data.
     * @throws IpamException {@code STORE_IO} if it cannot be read, {@code STORE_CORRUPT} if it is damaged.
     */
    static SnapshotData read(final Path file)
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
            return new SnapshotReader(file, in, size).read();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read snapshot " + file + ": " + ex.getMessage());
        }
    }

    private SnapshotReader(final Path file, final InputStream in, final long size)
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

    /**
     * Mark a subnet's router allocations (the ROUTERS section): each must be one of its allocations.
     */
    private SnapshotData.Subnet withRouters(final SnapshotData.Subnet s, final List<long[]> marked)
    {
        final boolean[] router = new boolean[s.size()];
        final boolean wide = s.addressHi != null;
        int at = 0;
        for (final long[] m : marked)
        {
            final long hi = wide ? m[0] : s.meta.cidr.address().hi();
            // ascending, like the allocations: a forward search
            while (at < s.size() && (s.hi(at) != hi || s.address[at] != m[1]) &&
                (s.hi(at) == hi ? Long.compareUnsigned(s.address[at], m[1]) < 0 : Long.compareUnsigned(s.hi(at), hi) < 0))
            {
                at++;
            }
            if (at == s.size() || s.hi(at) != hi || s.address[at] != m[1] || router[at])
            {
                throw corrupt("ROUTERS section: a router address of subnet " + s.meta.id + " is not one of its " +
                    "allocations, or is out of order");
            }
            router[at] = true;
        }
        return new SnapshotData.Subnet(s.meta, s.addressHi, s.address, s.ownerMsb, s.ownerLsb, s.timeMs, router);
    }

    private SnapshotData read() throws IOException
    {
        if (size < SnapshotCodec.HEADER_LENGTH)
        {
            throw corrupt("it is " + size + " bytes long, shorter than the " + SnapshotCodec.HEADER_LENGTH +
                "-byte header");
        }
        final byte[] header = readFully(SnapshotCodec.HEADER_LENGTH, "header");
        for (int i = 0; i < SnapshotCodec.MAGIC.length; i++)
        {
            if (header[i] != SnapshotCodec.MAGIC[i])
            {
                throw corrupt("it does not start with the IPAMSNAP magic (not an ipam snapshot)");
            }
        }
        final ByteBuffer hb = ByteBuffer.wrap(header);
        final int version = hb.getInt(8);
        final CRC32C crc = new CRC32C();
        crc.update(header, 0, SnapshotCodec.HEADER_LENGTH - 4);
        if ((int)crc.getValue() != hb.getInt(SnapshotCodec.HEADER_LENGTH - 4))
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
        final long body = size - SnapshotCodec.HEADER_LENGTH;
        if (subnetCount < 0 || subnetCount > body / SectionReader.MIN_SUBNET_BYTES)
        {
            throw corrupt("header subnet count " + (subnetCount & 0xFFFF_FFFFL) + " cannot fit in the " + body +
                " bytes after the header");
        }
        if (allocationCount < 0 || allocationCount > body / SectionReader.ALLOCATION_BYTES)
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
        LifecycleImage lifecycle = null;
        Map<String, List<long[]>> routers = null;
        final Set<String> wide = new HashSet<>();
        final Set<String> seenAllocations = new HashSet<>();
        int sections = 0;
        int expectedType = SnapshotCodec.SUBNETS;
        while (true)
        {
            final long sectionOffset = position;
            if (size - position < SnapshotCodec.SECTION_HEADER_LENGTH + 4)
            {
                throw corrupt("no end marker: the file stops at offset " + position + " (truncated?)");
            }
            final byte[] sh = readFully(SnapshotCodec.SECTION_HEADER_LENGTH, "section header");
            final ByteBuffer shb = ByteBuffer.wrap(sh);
            final int type = shb.getShort(0) & 0xFFFF;
            final long length = shb.getLong(4);
            final String name = SnapshotCodec.section(type) + " section at offset " + sectionOffset;
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
                if (type == SnapshotCodec.END)
                {
                    if (expectedType != SnapshotCodec.END)
                    {
                        throw corrupt(name + ": end marker before the " + SnapshotCodec.section(expectedType) +
                            " section");
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
                if (type == SnapshotCodec.SUBNETS && expectedType == SnapshotCodec.SUBNETS)
                {
                    metas = decoder.readSubnets(p, name, subnetCount);
                    for (int i = 0; i < metas.size(); i++)
                    {
                        if (subnetIndex.put(metas.get(i).id, i) != null)
                        {
                            throw corrupt(name + ": subnet " + metas.get(i).id + " appears twice");
                        }
                        if (SettingsCodec.isWide(metas.get(i).cidr))
                        {
                            if (version < SnapshotData.FORMAT_VERSION_4)
                            {
                                throw corrupt(name + ": subnet " + metas.get(i).id + " (" + metas.get(i).cidr +
                                    ") is shorter than /64, which format version " + version + " cannot hold");
                            }
                            wide.add(metas.get(i).id);
                        }
                    }
                    expectedType = SnapshotCodec.OWNERS;
                }
                else if (type == SnapshotCodec.OWNERS && expectedType == SnapshotCodec.OWNERS)
                {
                    owners = decoder.readOwners(p, name);
                    expectedType = SnapshotCodec.ALLOCATIONS;
                }
                else if (type == SnapshotCodec.ALLOCATIONS && expectedType == SnapshotCodec.ALLOCATIONS)
                {
                    final SnapshotData.Subnet s = version >= SnapshotData.FORMAT_VERSION_5 ?
                        columns.read(p, name, metas, subnetIndex, owners) :
                        decoder.readAllocations(p, name, metas, subnetIndex, owners);
                    if (!seenAllocations.add(s.meta.id))
                    {
                        throw corrupt(name + ": allocations of subnet " + s.meta.id + " appear twice");
                    }
                    filled[subnetIndex.get(s.meta.id)] = s;
                }
                else if (type == SnapshotCodec.PREFIX_POOLS && expectedType == SnapshotCodec.ALLOCATIONS)
                {
                    pools = decoder.readPools(p, name);
                    expectedType = SnapshotCodec.END;
                }
                else if (type == SnapshotCodec.RANDOM && expectedType == SnapshotCodec.END && randomStates == null &&
                    lifecycle == null && version >= SnapshotData.FORMAT_VERSION_2)
                {
                    randomStates = decoder.readRandom(p, name);
                }
                else if (type == SnapshotCodec.LIFECYCLE && expectedType == SnapshotCodec.END && lifecycle == null &&
                    routers == null && version >= SnapshotData.FORMAT_VERSION_3)
                {
                    lifecycle = decoder.readLifecycle(p, name, subnetIndex, wide);
                }
                else if (type == SnapshotCodec.ROUTERS && expectedType == SnapshotCodec.END && lifecycle != null &&
                    routers == null && version >= SnapshotData.FORMAT_VERSION_4)
                {
                    routers = decoder.readRouters(p, name, subnetIndex, wide);
                }
                else
                {
                    throw corrupt(name + ": unexpected here (expected " + SnapshotCodec.section(expectedType) + ")");
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
            SnapshotData.Subnet s = filled[i] != null ? filled[i] :
                new SnapshotData.Subnet(metas.get(i), new long[0], new long[0], new long[0], new long[0]);
            final List<long[]> marked = routers == null ? null : routers.get(metas.get(i).id);
            if (marked != null)
            {
                s = withRouters(s, marked);
            }
            subnets.add(s);
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
}
