package io.ipam.core.snapshot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.LifecycleImage;

/**
 * Writes format version 5 ({@code docs/snapshot-format.md}): every section's length is known before a byte is
 * written, so each section has its place in the file and the ALLOCATIONS sections are encoded in parallel, each
 * through its own buffer, straight into a {@link FileChannel} at its position (or one after another into a stream).
 * The bytes depend on the state alone: a replay and a restore of the same state write the same file.
 */
final class ColumnWriter
{
    /** Largest buffer a section is encoded through. */
    private static final int BUFFER = 1 << 20;

    private ColumnWriter()
    {
    }

    /**
     * A version 5 file ready to write: the small sections as bytes, the allocations as columns.
     */
    static final class Prepared
    {
        final long takenAtMs;
        final List<SubnetColumns> subnets;
        final byte[] subnetsPayload;
        final byte[] ownersPayload;
        final byte[] poolsPayload;
        final byte[] randomPayload;
        final byte[] lifecyclePayload;
        final byte[] routersPayload;
        final long allocations;

        Prepared(final long takenAtMs, final List<SubnetColumns> subnets, final SnapshotWriter.OwnerDictionary owners,
            final List<PrefixPoolImage> pools, final List<byte[]> random, final LifecycleImage lifecycle)
        {
            this.takenAtMs = takenAtMs;
            this.subnets = subnets;
            long n = 0;
            final Set<String> wide = new HashSet<>();
            for (final SubnetColumns c : subnets)
            {
                n += c.n;
                if (c.wide)
                {
                    wide.add(c.meta.id);
                }
            }
            this.allocations = n;
            try
            {
                this.subnetsPayload = SnapshotWriter.subnetsPayload(subnets);
                this.ownersPayload = owners.bytes();
                this.poolsPayload = SnapshotWriter.prefixPayload(pools);
                this.randomPayload = random.isEmpty() ? null : SnapshotWriter.randomPayload(random);
                this.lifecyclePayload = SnapshotWriter.lifecyclePayload(
                    lifecycle == null ? new LifecycleImage() : lifecycle, wide);
                this.routersPayload = SnapshotWriter.routersPayload(subnets);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);   // into byte arrays: cannot happen
            }
        }

        int subnetCount()
        {
            return subnets.size();
        }
    }

    /**
     * @param data ordered data (read back from a file, or a test's).
     * @return it prepared for version 5.
     */
    static Prepared prepare(final SnapshotData data)
    {
        final SnapshotWriter.OwnerDictionary owners = new SnapshotWriter.OwnerDictionary();
        return new Prepared(data.takenAtMs, SubnetColumns.of(data, owners), owners, data.prefixPools,
            data.randomStates, data.lifecycle);
    }

    /**
     * @param image     a captured image, unordered.
     * @param takenAtMs its time.
     * @param lifecycle its lifecycle state.
     * @return it prepared for version 5, without building per-allocation UUID arrays.
     */
    static Prepared prepare(final EngineImage image, final long takenAtMs, final LifecycleImage lifecycle)
    {
        final SnapshotWriter.OwnerDictionary owners = new SnapshotWriter.OwnerDictionary();
        return new Prepared(takenAtMs, SubnetColumns.of(image, owners), owners, image.prefixPools,
            image.randomState == null ? List.of() : List.of(image.randomState), lifecycle);
    }

    /** Where encoded bytes go. */
    private interface Target
    {
        void write(ByteBuffer bytes, long position) throws IOException;
    }

    /**
     * Write to a file channel, the ALLOCATIONS sections in parallel at their positions.
     *
     * @return bytes written.
     */
    static long write(final Prepared p, final FileChannel channel) throws IOException
    {
        final Target target = (bytes, position) ->
        {
            long at = position;
            while (bytes.hasRemaining())
            {
                at += channel.write(bytes, at);
            }
        };
        return write(p, target, true);
    }

    /**
     * Write to a channel in order.
     *
     * @return bytes written.
     */
    static long writeTo(final Prepared p, final WritableByteChannel channel) throws IOException
    {
        final Target target = (bytes, position) ->
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
        };
        return write(p, target, false);
    }

    private static long write(final Prepared p, final Target target, final boolean parallel) throws IOException
    {
        final List<SubnetColumns> held = new ArrayList<>();
        for (final SubnetColumns c : p.subnets)
        {
            if (c.n > 0)
            {
                held.add(c);
            }
        }
        final ByteBuffer header = ByteBuffer.allocate(SnapshotCodec.HEADER_LENGTH);
        header.put(SnapshotCodec.MAGIC).putInt(SnapshotData.FORMAT_VERSION).putInt(0).putLong(p.takenAtMs)
            .putInt(p.subnetCount()).putInt(0).putLong(p.allocations);
        final CRC32C hc = new CRC32C();
        hc.update(header.array(), 0, SnapshotCodec.HEADER_LENGTH - 4);
        header.putInt((int)hc.getValue()).flip();
        long at = 0;
        target.write(header, at);
        at += SnapshotCodec.HEADER_LENGTH;
        int sections = 0;
        at = small(target, at, SnapshotCodec.SUBNETS, p.subnetsPayload);
        at = small(target, at, SnapshotCodec.OWNERS, p.ownersPayload);
        sections += 2;
        final long[] positions = new long[held.size()];
        for (int k = 0; k < held.size(); k++)
        {
            positions[k] = at;
            at += SnapshotCodec.SECTION_HEADER_LENGTH + held.get(k).payload + 4;
            sections++;
        }
        final IntStream each = IntStream.range(0, held.size());
        (parallel ? each.parallel() : each).forEach(k ->
        {
            try
            {
                allocations(target, positions[k], held.get(k));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        });
        at = small(target, at, SnapshotCodec.PREFIX_POOLS, p.poolsPayload);
        sections++;
        if (p.randomPayload != null)
        {
            at = small(target, at, SnapshotCodec.RANDOM, p.randomPayload);
            sections++;
        }
        at = small(target, at, SnapshotCodec.LIFECYCLE, p.lifecyclePayload);
        sections++;
        if (p.routersPayload != null)
        {
            at = small(target, at, SnapshotCodec.ROUTERS, p.routersPayload);
            sections++;
        }
        final ByteBuffer end = ByteBuffer.allocate(12).putInt(sections).putLong(p.allocations);
        return small(target, at, SnapshotCodec.END, end.array());
    }

    private static long small(final Target target, final long at, final int type, final byte[] payload)
        throws IOException
    {
        final ByteBuffer b = ByteBuffer.allocate(SnapshotCodec.SECTION_HEADER_LENGTH + payload.length + 4);
        b.putShort((short)type).putShort((short)0).putLong(payload.length).put(payload);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int)crc.getValue()).flip();
        target.write(b, at);
        return at + b.capacity();
    }

    /**
     * Encode one subnet's ALLOCATIONS section through a buffer of its own.
     */
    private static void allocations(final Target target, final long position, final SubnetColumns c)
        throws IOException
    {
        final Section out = new Section(target, position, (int)Math.max(c.id.length + 64,
            Math.min(BUFFER, SnapshotCodec.SECTION_HEADER_LENGTH + c.payload + 4)));
        final ByteBuffer b = out.buf;
        b.putShort((short)SnapshotCodec.ALLOCATIONS).putShort((short)0).putLong(c.payload);
        out.need(c.id.length + 1 + 8 + 4);
        b.put(c.id).put((byte)c.kind).putLong(c.n);
        final int n = c.n;
        if (c.kind == SubnetColumns.KIND_CHUNKS)
        {
            b.putInt(c.chunks);
            final long[] words = new long[SubnetColumns.BITMAP_WORDS];
            int i = 0;
            while (i < n)
            {
                final long key = c.offset[i] >>> 16;
                int j = i + 1;
                while (j < n && c.offset[j] >>> 16 == key)
                {
                    j++;
                }
                final int card = j - i;
                out.need(12);
                b.putLong(key).putInt(card);
                if (card <= SubnetColumns.ARRAY_MAX)
                {
                    out.need(2 * card);
                    for (int k = i; k < j; k++)
                    {
                        b.putShort((short)c.offset[k]);
                    }
                }
                else
                {
                    Arrays.fill(words, 0);
                    for (int k = i; k < j; k++)
                    {
                        final int low = (int)c.offset[k] & 0xFFFF;
                        words[low >>> 6] |= 1L << low;
                    }
                    out.need(8 * SubnetColumns.BITMAP_WORDS);
                    for (final long w : words)
                    {
                        b.putLong(w);
                    }
                }
                i = j;
            }
        }
        else
        {
            final int width = c.wide ? 16 : 8;
            int i = 0;
            while (i < n)
            {
                final int m = Math.min(n - i, out.room(width));
                for (int k = i; k < i + m; k++)
                {
                    if (c.wide)
                    {
                        b.putLong(c.offsetHi[k]);
                    }
                    b.putLong(c.offset[k]);
                }
                i += m;
            }
        }
        int i = 0;
        while (i < n)
        {
            final int m = Math.min(n - i, out.room(4));
            for (int k = i; k < i + m; k++)
            {
                b.putInt(c.owner[k]);
            }
            i += m;
        }
        i = 0;
        while (i < n)
        {
            final int m = Math.min(n - i, out.room(8));
            for (int k = i; k < i + m; k++)
            {
                b.putLong(c.time[k]);
            }
            i += m;
        }
        out.finish(SnapshotCodec.SECTION_HEADER_LENGTH + c.payload);
    }

    /**
     * One section on its way out: a buffer, the running CRC32C, the file position.
     */
    private static final class Section
    {
        final ByteBuffer buf;
        private final Target target;
        private final CRC32C crc = new CRC32C();
        private long position;
        private long covered;

        Section(final Target target, final long position, final int size)
        {
            this.target = target;
            this.position = position;
            this.buf = ByteBuffer.allocate(Math.max(size, 8 * SubnetColumns.BITMAP_WORDS + 16));
        }

        /** Make room for n bytes (n at most the buffer's size). */
        void need(final int n) throws IOException
        {
            if (buf.remaining() < n)
            {
                drain();
            }
        }

        /** @return how many items of a width fit now (draining first when none does). */
        int room(final int width) throws IOException
        {
            if (buf.remaining() < width)
            {
                drain();
            }
            return buf.remaining() / width;
        }

        private void drain() throws IOException
        {
            buf.flip();
            crc.update(buf.array(), 0, buf.limit());
            covered += buf.limit();
            target.write(buf, position);
            position += buf.limit();
            buf.clear();
        }

        /** Drain, check the length the header declared, and write the CRC. */
        void finish(final long expected) throws IOException
        {
            drain();
            if (covered != expected)
            {
                throw new IllegalStateException("section encoded " + covered + " bytes, declared " + expected);
            }
            buf.putInt((int)crc.getValue()).flip();
            target.write(buf, position);
        }
    }
}
