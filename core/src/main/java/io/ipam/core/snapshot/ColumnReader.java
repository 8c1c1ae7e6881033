package io.ipam.core.snapshot;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.ipam.core.IpamException;
import io.ipam.core.engine.EngineImage.SubnetImage;

/**
 * Decodes a version 5 ALLOCATIONS section ({@code docs/snapshot-format.md}, "ALLOCATIONS (type 3), version 5")
 * once its framing and CRC have been checked: the allocation count against the bytes left before anything is sized
 * from it, chunk keys and offsets ascending and inside the subnet, each container's cardinality against its
 * content, then the owner and time columns in bulk (each owner index checked against the dictionary, which is read
 * once: no owner is built or hashed per allocation).
 */
final class ColumnReader
{
    /** Bytes of an allocation at least: its owner index and time (a bitmap container holds 65,536 in 8 KiB). */
    private static final int MIN_ALLOCATION_BYTES = 12;
    /** Bytes of a chunk's key and cardinality. */
    /** The least a chunk takes: its key, its cardinality and one array value (docs/snapshot-format.md). */
    private static final int CHUNK_MIN_BYTES = 8 + 4 + 2;

    private final Function<String, IpamException> corrupt;

    ColumnReader(final Function<String, IpamException> corrupt)
    {
        this.corrupt = corrupt;
    }

    SnapshotData.Subnet read(final ByteBuffer p, final String name, final List<SubnetImage> metas,
        final Map<String, Integer> index, final long[][] owners)
    {
        final String id = SettingsCodec.utf(p);
        final Integer idx = index.get(id);
        if (idx == null)
        {
            throw corrupt.apply(name + ": allocations for subnet " + id + " which the SUBNETS section lacks");
        }
        final SubnetImage meta = metas.get(idx);
        final int kind = p.get() & 0xFF;
        final boolean wide = SettingsCodec.isWide(meta.cidr);
        if (kind != SubnetColumns.KIND_CHUNKS && kind != SubnetColumns.KIND_OFFSETS)
        {
            throw corrupt.apply(name + ": unknown bitmap kind " + kind);
        }
        if (wide && kind == SubnetColumns.KIND_CHUNKS)
        {
            throw corrupt.apply(name + ": chunks (kind 3) for the wide subnet " + meta.cidr);
        }
        final long count = p.getLong();
        final long perAllocation = kind == SubnetColumns.KIND_CHUNKS ? MIN_ALLOCATION_BYTES : (wide ? 28 : 20);
        if (count < 1 || count > p.remaining() / perAllocation)
        {
            throw corrupt.apply(name + ": allocation count " + count + " does not fit the " + p.remaining() +
                " bytes left");
        }
        final int n = (int)count;
        // offsets inside the subnet: host bits of a subnet that is not wide are at most 64
        final int hostBits = meta.cidr.address().bits() - meta.cidr.prefixLength();
        final long[] address = new long[n];
        final long[] hi = wide ? new long[n] : null;
        final long base = meta.cidr.address().lo();
        if (kind == SubnetColumns.KIND_CHUNKS)
        {
            chunks(p, name, meta, hostBits, base, address);
        }
        else if (wide)
        {
            final int hostHighBits = 64 - meta.cidr.prefixLength();
            final long networkHi = meta.cidr.address().hi();
            long previousHigh = 0;
            long previousLow = 0;
            for (int i = 0; i < n; i++)
            {
                final long high = p.getLong();
                final long low = p.getLong();
                if (high >>> hostHighBits != 0)
                {
                    throw corrupt.apply(name + ": an offset lies outside " + meta.cidr);
                }
                if (i > 0 && (Long.compareUnsigned(high, previousHigh) < 0 ||
                    high == previousHigh && Long.compareUnsigned(low, previousLow) <= 0))
                {
                    throw corrupt.apply(name + ": offsets are not in ascending order");
                }
                previousHigh = high;
                previousLow = low;
                hi[i] = networkHi | high;
                address[i] = low;
            }
        }
        else
        {
            long previous = 0;
            for (int i = 0; i < n; i++)
            {
                final long offset = p.getLong();
                if (hostBits < 64 && offset >>> hostBits != 0)
                {
                    throw corrupt.apply(name + ": offset " + Long.toUnsignedString(offset) + " lies outside " +
                        meta.cidr);
                }
                if (i > 0 && Long.compareUnsigned(offset, previous) <= 0)
                {
                    throw corrupt.apply(name + ": offsets are not in ascending order");
                }
                previous = offset;
                address[i] = base + offset;
            }
        }
        if (p.remaining() != 12L * n)
        {
            throw corrupt.apply(name + ": the owner and time columns of " + n + " allocations take " + 12L * n +
                " bytes, the section has " + p.remaining() + " left");
        }
        final int[] owner = new int[n];
        p.asIntBuffer().get(owner);
        p.position(p.position() + 4 * n);
        final long[] time = new long[n];
        p.asLongBuffer().get(time);
        p.position(p.position() + 8 * n);
        final long[] msb = new long[n];
        final long[] lsb = new long[n];
        final long[] dictMsb = owners[0];
        final long[] dictLsb = owners[1];
        for (int i = 0; i < n; i++)
        {
            final int o = owner[i];
            if (o < 0 || o >= dictMsb.length)
            {
                throw corrupt.apply(name + ": owner index " + o + " out of range");
            }
            msb[i] = dictMsb[o];
            lsb[i] = dictLsb[o];
        }
        return new SnapshotData.Subnet(meta, hi, address, msb, lsb, time, null);
    }

    /**
     * Kind 3: chunks of 2^16 offsets, each an array or a bitmap container; fills every address.
     */
    private void chunks(final ByteBuffer p, final String name, final SubnetImage meta, final int hostBits,
        final long base, final long[] address)
    {
        final int n = address.length;
        final int chunks = p.getInt();
        if (chunks < 1 || chunks > n || (long)chunks * CHUNK_MIN_BYTES > p.remaining())
        {
            throw corrupt.apply(name + ": chunk count " + chunks + " does not fit " + n + " allocations");
        }
        final long maxKey = hostBits <= 16 ? 0 : hostBits >= 64 ? (1L << 48) - 1 : (1L << (hostBits - 16)) - 1;
        final int lowBits = Math.min(16, hostBits);
        int k = 0;
        long previous = -1;
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            final long key = p.getLong();
            final int card = p.getInt();
            if (key < 0 || key > maxKey)
            {
                throw corrupt.apply(name + ": chunk " + Long.toUnsignedString(key) + " lies outside " + meta.cidr);
            }
            if (key <= previous)
            {
                throw corrupt.apply(name + ": chunks are not in ascending order");
            }
            previous = key;
            if (card < 1 || card > 1 << 16 || card > n - k)
            {
                throw corrupt.apply(name + ": chunk cardinality " + card + " (" + (n - k) +
                    " allocations left to place)");
            }
            final long high = base + (key << 16);
            if (card <= SubnetColumns.ARRAY_MAX)
            {
                if (2L * card > p.remaining())
                {
                    throw corrupt.apply(name + ": an array container runs past the section");
                }
                int last = -1;
                for (int i = 0; i < card; i++)
                {
                    final int low = p.getShort() & 0xFFFF;
                    if (low <= last)
                    {
                        throw corrupt.apply(name + ": an array container is not in ascending order");
                    }
                    if (low >>> lowBits != 0)
                    {
                        throw corrupt.apply(name + ": offset " + low + " lies outside " + meta.cidr);
                    }
                    last = low;
                    address[k++] = high + low;
                }
            }
            else
            {
                if (8L * SubnetColumns.BITMAP_WORDS > p.remaining())
                {
                    throw corrupt.apply(name + ": a bitmap container runs past the section");
                }
                final int from = k;
                for (int w = 0; w < SubnetColumns.BITMAP_WORDS; w++)
                {
                    long word = p.getLong();
                    if (word != 0 && lowBits < 16 && (w << 6) >>> lowBits != 0)
                    {
                        throw corrupt.apply(name + ": a bitmap container sets offsets outside " + meta.cidr);
                    }
                    while (word != 0)
                    {
                        if (k - from == card)
                        {
                            throw corrupt.apply(name + ": a bitmap container holds more than its " + card +
                                " allocations");
                        }
                        address[k++] = high + (w << 6) + Long.numberOfTrailingZeros(word);
                        word &= word - 1;
                    }
                }
                if (k - from != card)
                {
                    throw corrupt.apply(name + ": a bitmap container holds " + (k - from) + " allocations, not " +
                        card);
                }
            }
        }
        if (k != n)
        {
            throw corrupt.apply(name + ": chunks hold " + k + " allocations, " + n + " declared");
        }
    }
}
