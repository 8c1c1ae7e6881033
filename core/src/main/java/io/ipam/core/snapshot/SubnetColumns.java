package io.ipam.core.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.EngineImage.SubnetImage;

/**
 * One subnet's allocations laid out for version 5 ({@code docs/snapshot-format.md}, "ALLOCATIONS (type 3), version
 * 5"): offsets ascending, and per offset an index into the file's owner dictionary and a time; the kind chosen
 * (chunks or offsets, the smaller) and the payload's exact length, known before a byte is written. Built either
 * from ordered {@link SnapshotData} or straight from a captured image (no per-allocation UUID halves, no hashing of
 * owners: the engine's owner ids are renumbered through an array).
 */
final class SubnetColumns implements SnapshotWriter.SectionSubnet
{
    static final int KIND_CHUNKS = 3;
    static final int KIND_OFFSETS = 4;
    /** Largest cardinality of an array container; above it a chunk is a bitmap. */
    static final int ARRAY_MAX = 4096;
    static final int BITMAP_WORDS = 1024;

    final SubnetImage meta;
    final int n;
    final boolean wide;
    /** Offsets ascending (unsigned); a wide subnet's low words, with {@link #offsetHi} the high words. */
    final long[] offset;
    final long[] offsetHi;
    /** Owner dictionary index per offset. */
    final int[] owner;
    /** Allocation time per offset. */
    final long[] time;
    /** Router marks per offset, or null when none is marked. */
    final boolean[] router;
    final byte[] id;
    final int kind;
    final int chunks;
    /** Payload bytes of the subnet's ALLOCATIONS section. */
    final long payload;

    private SubnetColumns(final SubnetImage meta, final long[] offsetHi, final long[] offset, final int[] owner,
        final long[] time, final boolean[] router)
    {
        this.meta = meta;
        this.n = offset.length;
        this.wide = offsetHi != null;
        this.offset = offset;
        this.offsetHi = offsetHi;
        this.owner = owner;
        this.time = time;
        this.router = router;
        this.id = utfBytes(meta.id);
        int c = 0;
        long chunkBytes = 0;
        if (!wide)
        {
            int i = 0;
            while (i < n)
            {
                final long key = offset[i] >>> 16;
                int j = i + 1;
                while (j < n && offset[j] >>> 16 == key)
                {
                    j++;
                }
                c++;
                chunkBytes += 12 + (j - i <= ARRAY_MAX ? 2L * (j - i) : 8L * BITMAP_WORDS);
                i = j;
            }
        }
        final long head = id.length + 1 + 8;
        final long asChunks = head + 4 + chunkBytes;
        final long asOffsets = head + (wide ? 16L : 8L) * n;
        this.kind = !wide && asChunks <= asOffsets ? KIND_CHUNKS : KIND_OFFSETS;
        this.chunks = c;
        this.payload = (kind == KIND_CHUNKS ? asChunks : asOffsets) + 12L * n;
    }

    /**
     * Columns of ordered snapshot data (a file read back, a test's data): owners interned by value into the file's
     * dictionary, numbered in first-seen order over the subnets ascending and their offsets ascending (so the same
     * state gives the same bytes whatever its history).
     */
    static List<SubnetColumns> of(final SnapshotData data, final SnapshotWriter.OwnerDictionary owners)
    {
        final List<SubnetColumns> out = new ArrayList<>(data.subnets.size());
        for (final SnapshotData.Subnet s : data.subnets)
        {
            final int k = s.size();
            final boolean wide = SettingsCodec.isWide(s.meta.cidr);
            final long[] offset = new long[k];
            final long[] offsetHi = wide ? new long[k] : null;
            final long hostMask = wide ? (1L << (64 - s.meta.cidr.prefixLength())) - 1 : 0;
            final int[] owner = new int[k];
            for (int i = 0; i < k; i++)
            {
                if (wide)
                {
                    offsetHi[i] = s.hi(i) & hostMask;
                    offset[i] = s.address[i];
                }
                else
                {
                    offset[i] = s.offset(s.address[i]);
                }
                owner[i] = owners.indexOf(s.ownerMsb[i], s.ownerLsb[i]);
            }
            out.add(new SubnetColumns(s.meta, offsetHi, offset, owner, s.timeMs, s.router));
        }
        return out;
    }

    /**
     * Columns straight from a captured image: records grouped by subnet, each group sorted by offset (radix sort;
     * the groups in parallel), the engine's owner ids renumbered into the file's dictionary through an array (each
     * id looked up once, in the same first-seen order as the data path).
     */
    static List<SubnetColumns> of(final EngineImage image, final SnapshotWriter.OwnerDictionary owners)
    {
        final int[][] byHandle = byHandle(image);
        final int subnets = image.subnets.size();
        final SubnetColumns[] out = new SubnetColumns[subnets];
        IntStream.range(0, subnets).parallel().forEach(k -> out[k] = sorted(image, image.subnets.get(k),
            byHandle[image.subnets.get(k).handle]));
        // owner ids to dictionary indexes, in file order (sequential: first seen, first numbered)
        final int[] renumber = new int[image.ownerMsb.length];
        Arrays.fill(renumber, -1);
        for (final SubnetColumns c : out)
        {
            final int[] o = c.owner;
            for (int i = 0; i < o.length; i++)
            {
                final int id = o[i];
                int d = renumber[id];
                if (d < 0)
                {
                    d = owners.indexOf(image.ownerMsb[id], image.ownerLsb[id]);
                    renumber[id] = d;
                }
                o[i] = d;
            }
        }
        return Arrays.asList(out);
    }

    /**
     * @return per subnet handle, its live records in record order.
     */
    static int[][] byHandle(final EngineImage image)
    {
        int maxHandle = 0;
        for (final SubnetImage s : image.subnets)
        {
            maxHandle = Math.max(maxHandle, s.handle);
        }
        final int[] counts = new int[maxHandle + 1];
        final int records = image.records();
        for (int r = 0; r < records; r++)
        {
            if (image.owner(r) >= 0)
            {
                counts[image.subnet(r)]++;
            }
        }
        final int[][] byHandle = new int[maxHandle + 1][];
        for (final SubnetImage s : image.subnets)
        {
            byHandle[s.handle] = new int[counts[s.handle]];
        }
        final int[] fill = new int[maxHandle + 1];
        for (int r = 0; r < records; r++)
        {
            if (image.owner(r) >= 0)
            {
                final int h = image.subnet(r);
                byHandle[h][fill[h]++] = r;
            }
        }
        return byHandle;
    }

    /**
     * One subnet's records in ascending offset order, with the engine owner ids (renumbered afterwards by
     * {@link #of(EngineImage, SnapshotWriter.OwnerDictionary)}; {@link SnapshotData#of} reads them as they are).
     */
    static SubnetColumns sorted(final EngineImage image, final SubnetImage s, final int[] recs)
    {
        final int k = recs.length;
        final boolean wide = SettingsCodec.isWide(s.cidr);
        final long[] offset;
        final long[] offsetHi;
        final int[] order;
        if (wide)
        {
            final long[] highs = new long[k];
            final long[] lows = new long[k];
            final int[] local = new int[k];
            for (int i = 0; i < k; i++)
            {
                highs[i] = image.addressHi(recs[i]);
                lows[i] = image.address(recs[i]);
                local[i] = i;
            }
            final int[] sorted = SnapshotData.sortWide(local, highs, lows);
            final long hostMask = (1L << (64 - s.cidr.prefixLength())) - 1;
            offset = new long[k];
            offsetHi = new long[k];
            order = new int[k];
            for (int i = 0; i < k; i++)
            {
                offsetHi[i] = highs[sorted[i]] & hostMask;
                offset[i] = lows[sorted[i]];
                order[i] = recs[sorted[i]];
            }
        }
        else
        {
            final long base = s.cidr.address().lo();
            final long[] keys = new long[k];
            for (int i = 0; i < k; i++)
            {
                keys[i] = image.address(recs[i]) - base;
            }
            offsetHi = null;
            order = recs.clone();
            offset = radixSort(keys, order, s.cidr.address().bits() - s.cidr.prefixLength());
        }
        final int[] owner = new int[k];
        final long[] time = new long[k];
        boolean[] router = null;
        for (int i = 0; i < k; i++)
        {
            final int r = order[i];
            owner[i] = image.owner(r);
            time[i] = image.time(r);
            if (image.anyRouter() && image.router(r))
            {
                router = router == null ? new boolean[k] : router;
                router[i] = true;
            }
        }
        return new SubnetColumns(s, offsetHi, offset, owner, time, router);
    }

    /**
     * LSD radix sort of unsigned keys carrying values, 16 bits a pass, only the passes the key width needs.
     *
     * @param keys     the keys (reordered or replaced).
     * @param values   the values, reordered in place to follow the keys.
     * @param keyBits  bits the keys can hold.
     * @return the keys in ascending order.
     */
    static long[] radixSort(final long[] keys, final int[] values, final int keyBits)
    {
        final int n = keys.length;
        long[] k = keys;
        int[] v = values;
        long[] kb = new long[n];
        int[] vb = new int[n];
        final int[] counts = new int[1 << 16];
        for (int shift = 0; shift < Math.min(64, keyBits); shift += 16)
        {
            Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++)
            {
                counts[(int)((k[i] >>> shift) & 0xFFFF)]++;
            }
            if (n == 0 || counts[(int)((k[0] >>> shift) & 0xFFFF)] == n)
            {
                continue;   // one digit for every key here: nothing to reorder
            }
            int sum = 0;
            for (int d = 0; d < counts.length; d++)
            {
                final int c = counts[d];
                counts[d] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++)
            {
                final int d = (int)((k[i] >>> shift) & 0xFFFF);
                final int to = counts[d]++;
                kb[to] = k[i];
                vb[to] = v[i];
            }
            final long[] tk = k;
            k = kb;
            kb = tk;
            final int[] tv = v;
            v = vb;
            vb = tv;
        }
        if (v != values)
        {
            System.arraycopy(v, 0, values, 0, n);
        }
        return k;
    }

    @Override
    public SubnetImage meta()
    {
        return meta;
    }

    @Override
    public int size()
    {
        return n;
    }

    @Override
    public boolean router(final int i)
    {
        return router != null && router[i];
    }

    @Override
    public long hi(final int i)
    {
        return wide ? meta.cidr.address().hi() | offsetHi[i] : meta.cidr.address().hi();
    }

    @Override
    public long lo(final int i)
    {
        return wide ? offset[i] : meta.cidr.address().lo() + offset[i];
    }

    /**
     * @return the bytes {@link DataOutputStream#writeUTF(String)} writes (length first).
     */
    static byte[] utfBytes(final String s)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(2 + s.length());
        try (DataOutputStream d = new DataOutputStream(bytes))
        {
            d.writeUTF(s);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }
}
