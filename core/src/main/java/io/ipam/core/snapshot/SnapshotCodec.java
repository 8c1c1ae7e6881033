package io.ipam.core.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.file.AtomicFile;

/**
 * Snapshot files as specified in {@code docs/snapshot-format.md} (the document wins over this code): capture on
 * the writer's thread, write and read anywhere. Writing ({@link SnapshotWriter}) goes through an
 * {@link AtomicFile}: beside the target, synced, renamed into place, owner-only. Reading ({@link SnapshotReader},
 * {@link SectionReader}) checks every length against the file, every CRC32C before the bytes it covers are
 * interpreted, and every rule again when the state is rebuilt; a damaged file is refused with
 * {@code STORE_CORRUPT} and a message naming the section and offset. The format's constants live here.
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
    static final int ROUTERS = 7;
    static final int END = 0x7FFF;

    private SnapshotCodec()
    {
    }

    /**
     * Capture the engine's state; runs on the writer thread and copies no record (the image holds the record
     * pages, copied by the engine before it next writes them) but the small state.
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
        final LifecycleImage lifecycle;

        Image(final EngineImage image, final long takenAtMs, final LifecycleImage lifecycle)
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
        // version 5 straight from the image: no per-allocation UUID arrays, owners renumbered through an array
        return write(ColumnWriter.prepare(image.image, image.takenAtMs, image.lifecycle), file);
    }

    private static SnapshotInfo write(final ColumnWriter.Prepared prepared, final Path file)
    {
        try (AtomicFile target = AtomicFile.prepare(file, true, "snapshot"))
        {
            final long bytes;
            try
            {
                bytes = ColumnWriter.write(prepared, target.openChannel(true));
            }
            catch (final IOException | UncheckedIOException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex, ex);
            }
            target.commit();
            return new SnapshotInfo(file, bytes, SnapshotData.FORMAT_VERSION, prepared.subnetCount(),
                prepared.allocations, Instant.ofEpochMilli(prepared.takenAtMs));
        }
    }

    /**
     * @param type a section type.
     * @return its name, for messages.
     */
    static String section(final int type)
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
            case ROUTERS:
                return "ROUTERS";
            case END:
                return "END";
            default:
                return "unknown section type " + type;
        }
    }

    /**
     * Write snapshot data to a file, atomically and owner-only (the file holds owners and the generator's state).
     *
     * @param data the data.
     * @param file target; a symbolic link there is refused.
     * @return what was written.
     * @throws IpamException {@code STORE_IO} when the file cannot be written (a previous file is left as it was).
     */
    public static SnapshotInfo write(final SnapshotData data, final Path file)
    {
        if (data.formatVersion >= SnapshotData.FORMAT_VERSION_5)
        {
            return write(ColumnWriter.prepare(data), file);
        }
        try (AtomicFile target = AtomicFile.prepare(file, true, "snapshot"))
        {
            final long bytes;
            try
            {
                bytes = writeTo(data, target.open(true));
            }
            catch (final IOException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex,
                    ex);
            }
            target.commit();
            return new SnapshotInfo(file, bytes, data.formatVersion, data.subnets.size(), data.allocationCount(),
                Instant.ofEpochMilli(data.takenAtMs));
        }
    }

    /**
     * Write snapshot data to a stream.
     *
     * @param data the data.
     * @param out  the stream (flushed, not closed).
     * @return bytes written.
     * @throws IOException on write failure.
     */
    public static long writeTo(final SnapshotData data, final OutputStream out) throws IOException
    {
        return SnapshotWriter.writeTo(data, out);
    }

    /**
     * Read and check a snapshot file completely.
     *
     * @param file the file.
     * @return its data.
     * @throws IpamException {@code STORE_IO} if it cannot be read, {@code STORE_CORRUPT} if it is damaged.
     */
    public static SnapshotData read(final Path file)
    {
        return SnapshotReader.read(file);
    }
}
