package io.ipam.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import io.ipam.core.addr.AddressCodec;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.engine.LifecycleImage.KeyImage;
import io.ipam.core.random.CipherRandom;
import org.roaringbitmap.RoaringBitmap;
import org.roaringbitmap.RoaringBitmapWriter;

/**
 * Writes snapshot data to a stream, section by section, as {@code docs/snapshot-format.md} lays them out: the
 * header, the owner dictionary, a bitmap and an owner index and time per allocation, every section followed by its
 * CRC32C. Versions 1 to 4 are written here (the legacy writing, {@link SnapshotData#inLegacyFormat()}); version 5
 * by {@link ColumnWriter}, whose small sections are the ones built here. Runs off the writer's thread; the bytes
 * depend on the data alone.
 */
final class SnapshotWriter
{
    private SnapshotWriter()
    {
    }

    /**
     * Write snapshot data to a stream.
     *
     * @param data the data.
     * @param raw  the stream.
     * @return bytes written.
     * @throws IOException on write failure.
     */
    static long writeTo(final SnapshotData data, final OutputStream raw) throws IOException
    {
        if (data.formatVersion >= SnapshotData.FORMAT_VERSION_5)
        {
            final long bytes = ColumnWriter.writeTo(ColumnWriter.prepare(data), Channels.newChannel(raw));
            raw.flush();
            return bytes;
        }
        final CountingStream counting = new CountingStream(raw);
        final DataOutputStream out = new DataOutputStream(counting);

        final ByteArrayOutputStream header = new ByteArrayOutputStream(SnapshotCodec.HEADER_LENGTH);
        final DataOutputStream h = new DataOutputStream(header);
        h.write(SnapshotCodec.MAGIC);
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
        writeSection(out, SnapshotCodec.SUBNETS, subnetsPayload(data.subnets));
        sections++;
        writeSection(out, SnapshotCodec.OWNERS, owners.bytes());
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
        writeSection(out, SnapshotCodec.PREFIX_POOLS, prefixPayload(data.prefixPools));
        sections++;
        if (data.formatVersion >= 2 && !data.randomStates.isEmpty())
        {
            writeSection(out, SnapshotCodec.RANDOM, randomPayload(data.randomStates));
            sections++;
        }
        if (data.formatVersion >= 3)
        {
            writeSection(out, SnapshotCodec.LIFECYCLE, lifecyclePayload(data.lifecycle, wideIds(data)));
            sections++;
        }
        final byte[] routers = routersPayload(data.subnets);
        if (routers != null)
        {
            if (data.formatVersion < 4)
            {
                throw new IllegalStateException("router allocations need format version 4");
            }
            writeSection(out, SnapshotCodec.ROUTERS, routers);
            sections++;
        }
        final ByteArrayOutputStream end = new ByteArrayOutputStream(12);
        final DataOutputStream e = new DataOutputStream(end);
        e.writeInt(sections);
        e.writeLong(data.allocationCount());
        writeSection(out, SnapshotCodec.END, end.toByteArray());
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
        return ByteBuffer.allocate(SnapshotCodec.SECTION_HEADER_LENGTH).putShort((short)type).putShort((short)0)
            .putLong(length).array();
    }

    /**
     * What the SUBNETS and ROUTERS sections take from a subnet: the legacy writer's {@link SnapshotData.Subnet} and
     * version 5's {@link SubnetColumns} both present their allocations through it, in ascending address order.
     */
    interface SectionSubnet
    {
        /** @return the subnet's settings. */
        SubnetImage meta();

        /** @return its allocations. */
        int size();

        /** @return true if allocation i is a router's. */
        boolean router(int i);

        /** @return allocation i's address, high 64 bits. */
        long hi(int i);

        /** @return allocation i's address value, low 64 bits. */
        long lo(int i);
    }

    /**
     * @return the SUBNETS payload: each subnet's settings and allocation count.
     */
    static byte[] subnetsPayload(final List<? extends SectionSubnet> subnets) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        d.writeInt(subnets.size());
        for (final SectionSubnet s : subnets)
        {
            SettingsCodec.writeSubnet(d, s.meta());
            d.writeLong(s.size());
        }
        return bytes.toByteArray();
    }

    private static void writeAllocations(final DataOutputStream out, final SnapshotData.Subnet s, final int[] owners)
        throws IOException
    {
        final ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(prefix);
        d.writeUTF(s.meta.id);
        if (SettingsCodec.isWide(s.meta.cidr))
        {
            // kind 2 (version 4): buckets of the offset's high 96 bits, each a portable bitmap of the low 32 bits
            d.writeByte(2);
            final ByteArrayOutputStream bucketBytes = new ByteArrayOutputStream();
            final DataOutputStream bd = new DataOutputStream(bucketBytes);
            final long hostMask = (1L << (64 - s.meta.cidr.prefixLength())) - 1;
            int buckets = 0;
            int i = 0;
            while (i < s.size())
            {
                final long high = s.hi(i) & hostMask;
                final long mid = s.address[i] >>> 32;
                final RoaringBitmapWriter<RoaringBitmap> w = RoaringBitmapWriter.writer().get();
                while (i < s.size() && (s.hi(i) & hostMask) == high && s.address[i] >>> 32 == mid)
                {
                    w.add((int)s.address[i]);
                    i++;
                }
                final RoaringBitmap bitmap = w.get();
                bitmap.runOptimize();
                bd.writeLong(high);
                bd.writeInt((int)mid);
                bd.writeInt(bitmap.serializedSizeInBytes());
                bitmap.serialize(bd);
                buckets++;
            }
            d.writeInt(buckets);
            bucketBytes.writeTo(d);
        }
        else if (SnapshotData.isSmall(s.meta.cidr))
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
        final byte[] sh = sectionHeader(SnapshotCodec.ALLOCATIONS, length);
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

    /**
     * @return the ids of the wide subnets, whose LIFECYCLE addresses are written whole.
     */
    private static Set<String> wideIds(final SnapshotData data)
    {
        final Set<String> ids = new HashSet<>();
        for (final SnapshotData.Subnet s : data.subnets)
        {
            if (SettingsCodec.isWide(s.meta.cidr))
            {
                ids.add(s.meta.id);
            }
        }
        return ids;
    }

    /**
     * @return the ROUTERS section's payload, or null when no allocation is a router's.
     */
    static byte[] routersPayload(final List<? extends SectionSubnet> subnets) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        int marked = 0;
        d.writeInt(0);
        for (final SectionSubnet s : subnets)
        {
            int n = 0;
            for (int i = 0; i < s.size(); i++)
            {
                n += s.router(i) ? 1 : 0;
            }
            if (n == 0)
            {
                continue;
            }
            marked++;
            d.writeUTF(s.meta().id);
            d.writeInt(n);
            final boolean wide = SettingsCodec.isWide(s.meta().cidr);
            for (int i = 0; i < s.size(); i++)
            {
                if (s.router(i))
                {
                    if (wide)
                    {
                        d.writeLong(s.hi(i));
                    }
                    d.writeLong(s.lo(i));
                }
            }
        }
        if (marked == 0)
        {
            return null;
        }
        final byte[] payload = bytes.toByteArray();
        ByteBuffer.wrap(payload).putInt(0, marked);
        return payload;
    }

    static byte[] lifecyclePayload(final LifecycleImage l, final Set<String> wide) throws IOException
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
        // canonical order, so replicas with equal state write equal bytes whatever their subnet handles and lease
        // heap layout: subnets by id; cooling addresses in their queue order (oldest first, as freed); leases by
        // end, then address
        writePairs(d, new TreeMap<>(l.cooling), wide);
        final TreeMap<String, List<long[]>> leases = new TreeMap<>();
        for (final Map.Entry<String, List<long[]>> e : l.leases.entrySet())
        {
            final List<long[]> sorted = new ArrayList<>(e.getValue());
            sorted.sort(SnapshotWriter::leaseOrder);
            leases.put(e.getKey(), sorted);
        }
        writePairs(d, leases, wide);
        d.writeInt(l.keys.size());
        for (final KeyImage k : l.keys)
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
                if (wide.contains(k.linkSubnets.get(i)))
                {
                    d.writeLong(k.linkAddressHi.get(i));
                }
                d.writeLong(k.linkAddresses.get(i));
            }
        }
        d.flush();
        return bytes.toByteArray();
    }

    /**
     * Leases by end, then address (the high bits first in a wide subnet), unsigned.
     */
    private static int leaseOrder(final long[] a, final long[] b)
    {
        int c = Long.compare(a[1], b[1]);
        if (c == 0 && a.length > 2)
        {
            c = Long.compareUnsigned(a[2], b[2]);
        }
        return c != 0 ? c : Long.compareUnsigned(a[0], b[0]);
    }

    private static void writePairs(final DataOutputStream d, final Map<String, List<long[]>> bySubnet,
        final Set<String> wide) throws IOException
    {
        d.writeInt(bySubnet.size());
        for (final Map.Entry<String, List<long[]>> e : bySubnet.entrySet())
        {
            d.writeUTF(e.getKey());
            d.writeInt(e.getValue().size());
            final boolean whole = wide.contains(e.getKey());
            for (final long[] pair : e.getValue())
            {
                if (whole)
                {
                    // a wide subnet's address with its high bits (version 4)
                    d.writeLong(pair[2]);
                }
                d.writeLong(pair[0]);
                d.writeLong(pair[1]);
            }
        }
    }

    static byte[] randomPayload(final List<byte[]> states)
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

    static byte[] prefixPayload(final List<PrefixPoolImage> pools) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        final AddressCodec.Sink children = AddressCodec.sink(d);
        d.writeInt(pools.size());
        for (final PrefixPoolImage p : pools)
        {
            SettingsCodec.writePool(d, p);
            d.writeInt(p.children.size());
            for (int i = 0; i < p.children.size(); i++)
            {
                AddressCodec.putCidr(children, p.children.get(i));
                d.writeUTF(p.tenants.get(i));
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Interns owners into dense indexes in first-seen order, without boxing: open addressing over the two halves
     * of the UUID, growing by doubling.
     */
    static final class OwnerDictionary
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
                msb = Arrays.copyOf(msb, size * 2);
                lsb = Arrays.copyOf(lsb, size * 2);
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
