package io.ipam.core.snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.engine.LifecycleImage.KeyImage;
import io.ipam.core.random.CipherRandom;
import org.roaringbitmap.RoaringBitmap;

/**
 * Decodes the payload of each snapshot section ({@code docs/snapshot-format.md}) once its framing and CRC have been
 * checked: every count against the bytes that remain before anything is sized from it, every offset inside its
 * subnet, every subnet a later section names against the SUBNETS section. A problem is reported through the
 * reader's function, which names the file; a payload cut short throws {@link java.nio.BufferUnderflowException},
 * which the reader reports the same way.
 */
final class SectionReader
{
    /** Fewest bytes a subnet takes in the SUBNETS section: a 1-char id, no tenant, no gateway, no pools. */
    static final int MIN_SUBNET_BYTES = 3 + 1 + AddressCodec.CIDR_BYTES + 1 + 1 + 4 + 8;
    /** Bytes per allocation after an ALLOCATIONS bitmap: owner index and time. */
    static final int ALLOCATION_BYTES = 12;
    /** Fewest bytes a prefix pool takes in the PREFIX_POOLS section. */
    private static final int MIN_POOL_BYTES = 3 + 1 + 3 + 8 + 4 + 4;
    /** Bytes of one prefix pool child (CIDR and a tenant of at least one character). */
    private static final int MIN_CHILD_BYTES = AddressCodec.CIDR_BYTES + 3;
    /** Bytes of one bucket of a kind-1 bitmap at least: high word, length and an empty portable bitmap. */
    private static final int MIN_BUCKET_BYTES = 8 + 8;
    /** Fewest bytes of one key in the LIFECYCLE section: no tenant, 1-char key, empty payload, no links. */
    private static final int MIN_KEY_BYTES = 1 + 3 + 8 + 8 + 4 + 8 + 8 + 4 + 4;

    private final Function<String, IpamException> corrupt;

    /**
     * @param corrupt makes the exception for a problem description (naming the file).
     */
    SectionReader(final Function<String, IpamException> corrupt)
    {
        this.corrupt = corrupt;
    }

    List<SubnetImage> readSubnets(final ByteBuffer p, final String name, final int declared)
    {
        final int n = p.getInt();
        if (n != declared || n < 0 || n > p.remaining() / MIN_SUBNET_BYTES)
        {
            throw corrupt.apply(name + ": subnet count " + n + " does not match the header (" + declared + ")");
        }
        final List<SubnetImage> out = new ArrayList<>(n);
        String previous = null;
        for (int i = 0; i < n; i++)
        {
            final SubnetImage m = SettingsCodec.readSubnet(p, what -> corrupt.apply(name + ": " + what));
            final String id = m.id;
            if (previous != null && previous.compareTo(id) >= 0)
            {
                throw corrupt.apply(name + ": subnets are not in ascending id order at " + id);
            }
            previous = id;
            final long allocated = p.getLong();
            if (allocated < 0)
            {
                throw corrupt.apply(name + ": subnet " + id + " has a negative allocation count");
            }
            out.add(new SubnetImage(-1, id, m.tenant, m.cidr, m.strategy, m.gateway, m.poolFirstHi, m.poolFirst,
                m.poolLastHi, m.poolLast, allocated, 0));
        }
        return out;
    }

    /**
     * @return the owner dictionary: high halves, then low halves.
     */
    long[][] readOwners(final ByteBuffer p, final String name)
    {
        final int n = p.getInt();
        if (n < 0 || (long)n * 16 != p.remaining())
        {
            throw corrupt.apply(name + ": owner count " + n + " does not match its length");
        }
        final long[][] owners = new long[2][n];
        for (int i = 0; i < n; i++)
        {
            owners[0][i] = p.getLong();
            owners[1][i] = p.getLong();
        }
        return owners;
    }

    SnapshotData.Subnet readAllocations(final ByteBuffer p, final String name,
        final List<SubnetImage> metas, final Map<String, Integer> index, final long[][] owners)
    {
        final String id = SettingsCodec.utf(p);
        final Integer idx = index.get(id);
        if (idx == null)
        {
            throw corrupt.apply(name + ": allocations for subnet " + id + " which the SUBNETS section lacks");
        }
        final SubnetImage meta = metas.get(idx);
        final int kind = p.get();
        // offsets must lie inside the subnet: hostBits is at most 64 (IPv6 /64)
        final int hostBits = meta.cidr.address().bits() - meta.cidr.prefixLength();
        final List<long[]> offsets = new ArrayList<>();
        final List<Long> highs = new ArrayList<>();
        long total = 0;
        final boolean wide = SettingsCodec.isWide(meta.cidr);
        if (wide != (kind == 2))
        {
            throw corrupt.apply(name + ": bitmap kind " + kind + " for subnet " + meta.cidr +
                (wide ? " (wide subnets use kind 2)" : ""));
        }
        if (kind == 2)
        {
            final int buckets = p.getInt();
            if (buckets < 0 || buckets > p.remaining() / (MIN_BUCKET_BYTES + 8))
            {
                throw corrupt.apply(name + ": bucket count " + buckets + " runs past the section");
            }
            final int hostHighBits = 64 - meta.cidr.prefixLength();
            long previousHigh = -1;
            long previousMid = -1;
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                final long high = p.getLong();
                final long mid = p.getInt() & 0xFFFF_FFFFL;
                if (high >>> hostHighBits != 0)
                {
                    throw corrupt.apply(name + ": bucket " + Long.toUnsignedString(high) + " lies outside " + meta.cidr);
                }
                if (bucket > 0 && (Long.compareUnsigned(high, previousHigh) < 0 || high == previousHigh &&
                    mid <= previousMid))
                {
                    throw corrupt.apply(name + ": bitmap buckets out of order");
                }
                previousHigh = high;
                previousMid = mid;
                final RoaringBitmap b = bitmap(p, name, total);
                final long[] o = new long[b.getCardinality()];
                final int[] i = {0};
                b.forEach((int v) -> o[i[0]++] = (mid << 32) | (v & 0xFFFF_FFFFL));
                offsets.add(o);
                highs.add(high);
                total += o.length;
            }
        }
        else if (kind == 0)
        {
            if (!SnapshotData.isSmall(meta.cidr))
            {
                throw corrupt.apply(name + ": 32-bit bitmap for a subnet larger than 2^32 addresses");
            }
            final RoaringBitmap b = bitmap(p, name, 0);
            if (hostBits < 32 && !b.isEmpty() && (b.last() & 0xFFFF_FFFFL) >>> hostBits != 0)
            {
                throw corrupt.apply(name + ": allocated offset " + (b.last() & 0xFFFF_FFFFL) + " lies outside " +
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
                throw corrupt.apply(name + ": bucketed bitmap for a subnet of at most 2^32 addresses");
            }
            final int buckets = p.getInt();
            if (buckets < 0 || buckets > p.remaining() / MIN_BUCKET_BYTES)
            {
                throw corrupt.apply(name + ": bucket count " + buckets + " runs past the section");
            }
            long previous = -1;
            for (int bucket = 0; bucket < buckets; bucket++)
            {
                final long h = p.getInt() & 0xFFFF_FFFFL;
                if (h <= previous)
                {
                    throw corrupt.apply(name + ": bitmap buckets out of order");
                }
                previous = h;
                if (hostBits < 64 && h >>> (hostBits - 32) != 0)
                {
                    throw corrupt.apply(name + ": bucket " + h + " lies outside " + meta.cidr);
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
            throw corrupt.apply(name + ": unknown bitmap kind " + kind);
        }
        final long count = p.getLong();
        if (count != total || count * 12 != p.remaining())
        {
            throw corrupt.apply(name + ": " + count + " allocations declared, bitmap holds " + total);
        }
        final int n = (int)count;
        final long[] address = new long[n];
        final long[] msb = new long[n];
        final long[] lsb = new long[n];
        final long[] time = new long[n];
        final long[] hi = wide ? new long[n] : null;
        final long base = meta.cidr.address().lo();
        int k = 0;
        for (int bucket = 0; bucket < offsets.size(); bucket++)
        {
            final long[] o = offsets.get(bucket);
            for (final long off : o)
            {
                address[k] = base + off;
                if (wide)
                {
                    hi[k] = meta.cidr.address().hi() | highs.get(bucket);
                }
                final int owner = p.getInt();
                if (owner < 0 || owner >= owners[0].length)
                {
                    throw corrupt.apply(name + ": owner index " + owner + " out of range");
                }
                msb[k] = owners[0][owner];
                lsb[k] = owners[1][owner];
                time[k] = p.getLong();
                k++;
            }
        }
        return new SnapshotData.Subnet(meta, hi, address, msb, lsb, time, null);
    }

    /**
     * @param before allocations already read in this section: they too need their 12 bytes after the bitmaps.
     */
    private RoaringBitmap bitmap(final ByteBuffer p, final String name, final long before)
    {
        final int len = p.getInt();
        if (len < 0 || len > p.remaining())
        {
            throw corrupt.apply(name + ": bitmap length " + len + " runs past the section");
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
            throw corrupt.apply(name + ": bitmap does not decode");
        }
        if (b.serializedSizeInBytes() != len)
        {
            throw corrupt.apply(name + ": bitmap length does not match its content");
        }
        p.position(p.position() + len);
        // a run container claims up to 65,536 entries in 6 bytes: trust the cardinality only once the bytes
        // that must follow (12 per allocation, then the 8-byte count) are there
        final long room = Math.max(0, p.remaining() - 8) / ALLOCATION_BYTES - before;
        if (b.getLongCardinality() > room)
        {
            throw corrupt.apply(name + ": bitmap claims " + b.getLongCardinality() + " allocations but the section " +
                "has room for " + Math.max(0, room));
        }
        return b;
    }

    List<byte[]> readRandom(final ByteBuffer p, final String name)
    {
        final int n = p.getInt();
        if (n < 1 || (long)n * CipherRandom.STATE_LENGTH != p.remaining())
        {
            throw corrupt.apply(name + ": generator count " + n + " does not match its length " +
                (p.remaining() + 4));
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
                throw corrupt.apply(name + ": generator " + i + ": " + ex.getMessage());
            }
            out.add(state);
        }
        return out;
    }

    List<PrefixPoolImage> readPools(final ByteBuffer p, final String name)
    {
        final AddressCodec.Source in = AddressCodec.source(p);
        final int n = p.getInt();
        if (n < 0 || n > p.remaining() / MIN_POOL_BYTES)
        {
            throw corrupt.apply(name + ": pool count " + n + " runs past the section");
        }
        final List<PrefixPoolImage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final PrefixPoolImage meta = SettingsCodec.readPool(p, what -> corrupt.apply(name + ": " + what));
            final String id = meta.id;
            final int nc = p.getInt();
            if (nc < 0 || nc > p.remaining() / MIN_CHILD_BYTES)
            {
                throw corrupt.apply(name + ": pool " + id + " child count " + nc + " runs past the section");
            }
            final List<Cidr> children = new ArrayList<>(nc);
            final List<String> tenants = new ArrayList<>(nc);
            for (int k = 0; k < nc; k++)
            {
                children.add(AddressCodec.getCidr(in, what -> corrupt.apply(name + ": " + what)));
                tenants.add(SettingsCodec.utf(p));
            }
            out.add(new PrefixPoolImage(id, meta.v6, meta.min, meta.def, meta.max, meta.quota, meta.prefixes,
                children, tenants));
        }
        return out;
    }

    LifecycleImage readLifecycle(final ByteBuffer p, final String name, final Map<String, Integer> subnetIndex,
        final Set<String> wide)
    {
        final LifecycleImage l = new LifecycleImage();
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
            final String id = knownSubnet(SettingsCodec.utf(p), name, subnetIndex);
            if (l.cooldowns.put(id, p.getLong()) != null)
            {
                throw corrupt.apply(name + ": cooldown of subnet " + id + " twice");
            }
        }
        readPairs(p, name, subnetIndex, l.cooling, "cooling", wide);
        readPairs(p, name, subnetIndex, l.leases, "lease", wide);
        final int keys = p.getInt();
        if (keys < 0 || (long)keys * MIN_KEY_BYTES > p.remaining())
        {
            throw corrupt.apply(name + ": key count " + keys + " runs past the section");
        }
        for (int i = 0; i < keys; i++)
        {
            final String tenant = p.get() != 0 ? SettingsCodec.utf(p) : null;
            final String key = SettingsCodec.utf(p);
            final long serial = p.getLong();
            final long fingerprint = p.getLong();
            final int code = p.getInt();
            final long value = p.getLong();
            final long goneAt = p.getLong();
            final int length = p.getInt();
            if (length < 0 || length > p.remaining())
            {
                throw corrupt.apply(name + ": answer of key " + key + " (" + length +
                    " bytes) runs past the section");
            }
            final byte[] payload = new byte[length];
            p.get(payload);
            final KeyImage k = new KeyImage(
                tenant, key, fingerprint, code, value, payload, goneAt, serial);
            final int links = p.getInt();
            if (links < 0 || (long)links * 11 > p.remaining())
            {
                throw corrupt.apply(name + ": link count " + links + " of key " + key + " runs past the section");
            }
            for (int j = 0; j < links; j++)
            {
                final String sid = knownSubnet(SettingsCodec.utf(p), name, subnetIndex);
                k.linkSubnets.add(sid);
                k.linkAddressHi.add(wide.contains(sid) ? p.getLong() : null);
                k.linkAddresses.add(p.getLong());
            }
            l.keys.add(k);
        }
        return l;
    }

    private void readPairs(final ByteBuffer p, final String name, final Map<String, Integer> subnetIndex,
        final Map<String, List<long[]>> into, final String what, final Set<String> wide)
    {
        final int subnets = p.getInt();
        if (subnets < 0 || (long)subnets * 7 > p.remaining())
        {
            throw corrupt.apply(name + ": " + what + " subnet count " + subnets + " runs past the section");
        }
        for (int i = 0; i < subnets; i++)
        {
            final String id = knownSubnet(SettingsCodec.utf(p), name, subnetIndex);
            final int n = p.getInt();
            if (n < 0 || (long)n * 16 > p.remaining())
            {
                throw corrupt.apply(name + ": " + what + " count " + n + " of subnet " + id +
                    " runs past the section");
            }
            final boolean whole = wide.contains(id);
            if ((long)n * (whole ? 24 : 16) > p.remaining())
            {
                throw corrupt.apply(name + ": " + what + " count " + n + " of subnet " + id +
                    " runs past the section");
            }
            final List<long[]> list = new ArrayList<>(n);
            for (int j = 0; j < n; j++)
            {
                if (whole)
                {
                    final long hi = p.getLong();
                    list.add(new long[] {p.getLong(), p.getLong(), hi});
                }
                else
                {
                    list.add(new long[] {p.getLong(), p.getLong()});
                }
            }
            if (into.put(id, list) != null)
            {
                throw corrupt.apply(name + ": " + what + " entries of subnet " + id + " twice");
            }
        }
    }

    /**
     * The ROUTERS section (version 4): per subnet, the addresses of its router allocations.
     *
     * @return subnet id to the addresses, as (high, value) pairs.
     */
    Map<String, List<long[]>> readRouters(final ByteBuffer p, final String name, final Map<String, Integer> index,
        final Set<String> wide)
    {
        final int subnets = p.getInt();
        if (subnets < 1 || (long)subnets * 15 > p.remaining())
        {
            throw corrupt.apply(name + ": subnet count " + subnets + " does not fit the section");
        }
        final Map<String, List<long[]>> out = new LinkedHashMap<>();
        String previous = null;
        for (int i = 0; i < subnets; i++)
        {
            final String id = knownSubnet(SettingsCodec.utf(p), name, index);
            if (previous != null && previous.compareTo(id) >= 0)
            {
                throw corrupt.apply(name + ": subnets are not in ascending id order at " + id);
            }
            previous = id;
            final boolean whole = wide.contains(id);
            final int n = p.getInt();
            if (n < 1 || (long)n * (whole ? 16 : 8) > p.remaining())
            {
                throw corrupt.apply(name + ": router count " + n + " of subnet " + id + " does not fit the section");
            }
            final List<long[]> list = new ArrayList<>(n);
            for (int j = 0; j < n; j++)
            {
                list.add(new long[] {whole ? p.getLong() : 0, p.getLong()});
            }
            out.put(id, list);
        }
        return out;
    }

    private String knownSubnet(final String id, final String name, final Map<String, Integer> subnetIndex)
    {
        if (!subnetIndex.containsKey(id))
        {
            throw corrupt.apply(name + ": names subnet " + id + " which the SUBNETS section lacks");
        }
        return id;
    }
}
