package io.ipam.persistence;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.ChangeSink;

/**
 * The change feed kept on disk: append-only segment files in {@code changes/} of the store directory, each
 * memory-mapped, records checksummed; whole old segments are deleted once the newer ones hold the retention.
 * The format is written down in {@code docs/durable-store.md}. Written on the writer's thread only; readers
 * ({@link #read}, the command line) need no lock: a record is visible only once its length word is written, after
 * its payload, and every record carries a CRC.
 */
final class ChangeJournal implements ChangeSink, AutoCloseable
{
    /** The directory inside a store. */
    static final String DIR = "changes";
    static final String SUFFIX = ".seg";
    static final byte[] MAGIC = "IPAMCHG1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = 16;
    /** Bytes per segment; smaller in tests that roll segments. */
    static int segmentBytes = 8 << 20;
    private static final int MAX_RECORD = 4 + 4 + 8 + 8 + 3 + 32 + 16 + 2 * (1 + 255);

    /** One change as read back. */
    static final class Entry
    {
        long sequence;
        long timeMs;
        int kind;
        String tenant;
        String subnetId;
        int family;
        long hi;
        long lo;
        int prefixLen;
        long ownerMsb;
        long ownerLsb;
    }

    private final Path dir;
    private final long retention;
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch = new byte[MAX_RECORD];
    private FileChannel channel;
    private MappedByteBuffer segment;
    private long segmentFirst;
    private long lastSequence;

    private ChangeJournal(final Path dir, final long retention)
    {
        this.dir = dir;
        this.retention = retention;
    }

    /**
     * Open the journal of a store, creating its directory when absent, and read back what it holds.
     *
     * @param storeDir  the store directory.
     * @param retention changes to keep at least.
     * @param into      receives every change kept, oldest first.
     * @return the journal, positioned after its last change.
     */
    static ChangeJournal open(final Path storeDir, final long retention, final Consumer<Entry> into)
    {
        final Path dir = storeDir.resolve(DIR);
        final ChangeJournal journal = new ChangeJournal(dir, retention);
        try
        {
            if (Files.isSymbolicLink(dir))
            {
                throw new IpamException(ErrorCode.STORE_IO, dir + " is a symbolic link; refusing to follow it");
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
            {
                Files.createDirectories(dir, ownerOnly("rwx------"));
            }
            final long[] last = {0};
            final int[] end = {HEADER};
            final Path tail = scan(dir, e ->
            {
                last[0] = e.sequence;
                into.accept(e);
            }, end);
            journal.lastSequence = last[0];
            if (tail != null)
            {
                journal.map(tail, false);
                journal.segmentFirst = firstOf(tail);
                // a torn record at the end (a crash while appending) is cleared, so appends follow the last whole one
                for (int p = end[0]; p < journal.segment.limit(); p += 8)
                {
                    if (journal.segment.getLong(p) == 0)
                    {
                        break;
                    }
                    journal.segment.putLong(p, 0);
                }
                journal.segment.position(end[0]);
            }
            return journal;
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot open the change journal in " + dir + ": " + ex, ex);
        }
    }

    /**
     * Read every change a store's journal holds, without opening or locking the store (the command line).
     *
     * @param storeDir the store directory.
     * @param into     receives each change, oldest first.
     * @return the last sequence read, 0 if none.
     */
    static long read(final Path storeDir, final Consumer<Entry> into)
    {
        final Path dir = storeDir.resolve(DIR);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return 0;
        }
        final long[] last = {0};
        try
        {
            scan(dir, e ->
            {
                last[0] = e.sequence;
                into.accept(e);
            }, new int[1]);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read the change journal in " + dir + ": " + ex, ex);
        }
        return last[0];
    }

    private static List<Path> segments(final Path dir) throws IOException
    {
        final List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir))
        {
            files.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(firstOf(a), firstOf(b)));
        return out;
    }

    private static long firstOf(final Path segment)
    {
        final String name = segment.getFileName().toString();
        try
        {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        }
        catch (final NumberFormatException ex)
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, "change journal file " + segment + " has a foreign name");
        }
    }

    /**
     * Read all segments in order; a torn record at the very end of the last segment (a crash while appending) ends
     * the journal, anything else out of order is STORE_CORRUPT.
     *
     * @param end receives the byte after the last whole record of the last segment.
     * @return the last segment, or null if there is none.
     */
    private static Path scan(final Path dir, final Consumer<Entry> into, final int[] end)
        throws IOException
    {
        final List<Path> segments = segments(dir);
        long expected = -1;
        final CRC32C crc = new CRC32C();
        final byte[] payload = new byte[MAX_RECORD];
        for (int s = 0; s < segments.size(); s++)
        {
            final Path file = segments.get(s);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
            {
                final long size = ch.size();
                if (size < HEADER || size > (1L << 30))
                {
                    throw corrupt(file, "has " + size + " bytes");
                }
                final MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
                m.order(ByteOrder.LITTLE_ENDIAN);
                final byte[] magic = new byte[MAGIC.length];
                m.get(magic);
                if (!Arrays.equals(magic, MAGIC))
                {
                    throw corrupt(file, "is not a change journal segment");
                }
                final long first = m.getLong();
                if (first != firstOf(file) || first < 1 || (expected != -1 && first != expected))
                {
                    throw corrupt(file, "starts at change " + first + ", expected " + (expected == -1 ?
                        firstOf(file) : expected));
                }
                expected = first;
                end[0] = HEADER;
                while (m.remaining() >= 8)
                {
                    final int at = m.position();
                    final int length = m.getInt();
                    if (length == 0)
                    {
                        break;
                    }
                    final int sum = m.getInt();
                    if (length < 0 || length > MAX_RECORD || length > m.remaining())
                    {
                        if (s == segments.size() - 1)
                        {
                            break; // torn tail
                        }
                        throw corrupt(file, "has a damaged record at byte " + at);
                    }
                    m.get(payload, 0, length);
                    crc.reset();
                    crc.update(payload, 0, length);
                    if ((int)crc.getValue() != sum)
                    {
                        if (s == segments.size() - 1)
                        {
                            break;
                        }
                        throw corrupt(file, "has a record with a bad checksum at byte " + at);
                    }
                    final Entry e = decode(payload, length, file);
                    if (e.sequence != expected)
                    {
                        throw corrupt(file, "holds change " + e.sequence + " where " + expected + " belongs");
                    }
                    expected++;
                    into.accept(e);
                    end[0] = m.position();
                }
            }
        }
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    private static IpamException corrupt(final Path file, final String what)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, "change journal file " + file + " " + what);
    }

    private static Entry decode(final byte[] b, final int length, final Path file)
    {
        final ByteBuffer in = ByteBuffer.wrap(b, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        try
        {
            final Entry e = new Entry();
            e.sequence = in.getLong();
            e.timeMs = in.getLong();
            e.kind = in.get() & 0xFF;
            e.family = in.get() & 0xFF;
            e.prefixLen = in.get();
            e.hi = in.getLong();
            e.lo = in.getLong();
            e.ownerMsb = in.getLong();
            e.ownerLsb = in.getLong();
            e.tenant = string(in);
            e.subnetId = string(in);
            if (e.kind >= ChangeKind.values().length || (e.family != 0 && e.family != 4 && e.family != 6))
            {
                throw corrupt(file, "holds change " + e.sequence + " of an unknown kind or family");
            }
            return e;
        }
        catch (final BufferUnderflowException ex)
        {
            throw corrupt(file, "holds a record shorter than its fields");
        }
    }

    private static String string(final ByteBuffer in)
    {
        final int n = in.get() & 0xFF;
        if (n == 0xFF)
        {
            return null;
        }
        final byte[] bytes = new byte[n];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static FileAttribute<?>[] ownerOnly(final String mode)
    {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix") ?
            new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))} :
            new FileAttribute<?>[0];
    }

    private void map(final Path file, final boolean create) throws IOException
    {
        // a new segment is created, never opened through a link (CREATE_NEW), and readable by its owner only: it
        // holds addresses, owners and tenants
        final FileChannel opened = create ?
            FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), ownerOnly("rw-------")) :
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        final MappedByteBuffer mapped;
        try
        {
            mapped = opened.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
        }
        catch (final IOException | RuntimeException ex)
        {
            opened.close();
            throw ex;
        }
        // the old segment is closed only once the new one is mapped: channel and segment always go together
        if (channel != null)
        {
            channel.close();
        }
        channel = opened;
        segment = mapped;
        segment.order(ByteOrder.LITTLE_ENDIAN);
    }

    private void roll(final long first) throws IOException
    {
        final Path file = dir.resolve(String.format("%020d", first) + SUFFIX);
        map(file, true);
        segment.put(MAGIC).putLong(first);
        segmentFirst = first;
        dropOld();
    }

    /**
     * Delete whole segments whose changes all lie before the newest {@code retention}.
     */
    private void dropOld() throws IOException
    {
        final List<Path> all = segments(dir);
        for (int i = 0; i + 1 < all.size(); i++)
        {
            final long nextFirst = firstOf(all.get(i + 1));
            if (lastSequence + 1 - nextFirst >= retention)
            {
                Files.deleteIfExists(all.get(i));
            }
        }
    }

    @Override
    public void onChange(final long sequence, final long timeMs, final int kind, final String tenant,
        final String subnetId, final int family, final long hi, final long lo, final int prefixLen,
        final long ownerMsb, final long ownerLsb)
    {
        try
        {
            final ByteBuffer p = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
            p.putLong(sequence).putLong(timeMs).put((byte)kind).put((byte)family).put((byte)prefixLen)
                .putLong(hi).putLong(lo).putLong(ownerMsb).putLong(ownerLsb);
            putString(p, tenant);
            putString(p, subnetId);
            final int length = p.position();
            if (segment == null || segment.remaining() < 8 + length + 4)
            {
                roll(sequence);
            }
            crc.reset();
            crc.update(scratch, 0, length);
            final int at = segment.position();
            segment.putInt(at + 4, (int)crc.getValue());
            segment.put(at + 8, scratch, 0, length);
            segment.putInt(at, length); // last: a reader sees the record only once it is whole
            segment.position(at + 8 + length);
            lastSequence = sequence;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot append to the change journal in " + dir + ": " + ex,
                ex);
        }
    }

    private static void putString(final ByteBuffer p, final String s)
    {
        if (s == null)
        {
            p.put((byte)0xFF);
            return;
        }
        final byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        p.put((byte)Math.min(bytes.length, 254)).put(bytes, 0, Math.min(bytes.length, 254));
    }

    /**
     * Make the current segment durable.
     *
     * @throws IOException if the device fails.
     */
    void force() throws IOException
    {
        if (segment != null)
        {
            segment.force();
        }
    }

    @Override
    public void close() throws IOException
    {
        if (channel != null)
        {
            segment.force();
            channel.close();
            channel = null;
            segment = null;
        }
    }
}
