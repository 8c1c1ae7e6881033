package io.ipam.core.writer;

import java.io.File;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The allocator's counters, as Agrona counters in a memory-mapped file (like Aeron's CnC file) so that another
 * process can read them live, or on the heap when no directory is configured. Written by the agent and the
 * facade; read by anyone.
 * <pre>
 * File {@code ipam-counters.dat}:
 *   0: magic (int, 0x49504D43 "IPMC")    4: version (int, 1)
 *   8: metadata length (int)           12: values length (int)
 *  16: pid (long)                      24: start time, epoch ms (long)
 *  32..63: reserved
 *  64: counters metadata (metadata length bytes), then counter values (values length bytes)
 * </pre>
 */
public final class IpamCounters implements AutoCloseable
{
    /** File name inside the counters directory. */
    public static final String FILE = "ipam-counters.dat";
    static final int MAGIC = 0x49504D43;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 64;
    static final int MAX_COUNTERS = 64;
    static final int VALUES_LENGTH = MAX_COUNTERS * CountersReader.COUNTER_LENGTH;
    static final int META_LENGTH = MAX_COUNTERS * CountersReader.METADATA_LENGTH;
    /** Type id of all ipam counters. */
    public static final int TYPE_ID = 7001;

    private final MappedByteBuffer mapped;
    private final CountersManager manager;
    /** Requests taken by the writer. */
    public final AtomicCounter requests;
    /** Addresses allocated. */
    public final AtomicCounter allocations;
    /** Addresses released. */
    public final AtomicCounter releases;
    /** Times a caller found the ring full. */
    public final AtomicCounter backPressure;
    /** Requests waiting in the ring at the end of the last duty cycle. */
    public final AtomicCounter queueDepth;
    /** Faults caught by the writer's error handler. */
    public final AtomicCounter writerErrors;
    private final AtomicCounter[] failures = new AtomicCounter[ErrorCode.values().length + 1];

    private IpamCounters(final MappedByteBuffer mapped, final AtomicBuffer meta, final AtomicBuffer values)
    {
        this.mapped = mapped;
        this.manager = new CountersManager(meta, values);
        requests = manager.newCounter("requests", TYPE_ID);
        allocations = manager.newCounter("allocations", TYPE_ID);
        releases = manager.newCounter("releases", TYPE_ID);
        backPressure = manager.newCounter("back-pressure events", TYPE_ID);
        queueDepth = manager.newCounter("queue depth", TYPE_ID);
        writerErrors = manager.newCounter("writer errors", TYPE_ID);
        for (final ErrorCode code : ErrorCode.values())
        {
            failures[code.value()] = manager.newCounter("failures " + code.name(), TYPE_ID);
        }
    }

    /**
     * @param dir directory for the counters file, or null for counters on the heap.
     * @return the counters.
     */
    public static IpamCounters create(final Path dir)
    {
        if (dir == null)
        {
            return new IpamCounters(null,
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(META_LENGTH, 64)),
                new UnsafeBuffer(BufferUtil.allocateDirectAligned(VALUES_LENGTH, 64)));
        }
        try
        {
            Files.createDirectories(dir);
            final File file = dir.resolve(FILE).toFile();
            Files.deleteIfExists(file.toPath());
            final MappedByteBuffer mapped = IoUtil.mapNewFile(file, HEADER_LENGTH + META_LENGTH + VALUES_LENGTH);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            header.putInt(8, META_LENGTH);
            header.putInt(12, VALUES_LENGTH);
            header.putLong(16, ProcessHandle.current().pid());
            header.putLong(24, System.currentTimeMillis());
            header.putInt(4, VERSION);
            header.putIntVolatile(0, MAGIC);
            return new IpamCounters(mapped, new UnsafeBuffer(mapped, HEADER_LENGTH, META_LENGTH),
                new UnsafeBuffer(mapped, HEADER_LENGTH + META_LENGTH, VALUES_LENGTH));
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot create counters file in " + dir + ": " + ex, ex);
        }
    }

    /**
     * @param code an error code.
     * @return the counter of failures with that code.
     */
    public AtomicCounter failures(final ErrorCode code)
    {
        return failures[code.value()];
    }

    /**
     * Count a failed request by its negative code.
     *
     * @param rc a negative result code.
     */
    public void failed(final int rc)
    {
        final ErrorCode code = ErrorCode.ofResultCode(rc);
        if (code != null)
        {
            failures[code.value()].incrementRelease();
        }
    }

    /**
     * @return label to value of every counter, in allocation order.
     */
    public Map<String, Long> snapshot()
    {
        final Map<String, Long> out = new LinkedHashMap<>();
        manager.forEach((id, label) -> out.put(label, manager.getCounterValue(id)));
        return out;
    }

    /**
     * Read the counters file of a running (or finished) process.
     *
     * @param dir the counters directory.
     * @return label to value, plus "pid" and "start time ms".
     */
    public static Map<String, Long> read(final Path dir)
    {
        final File file = dir.resolve(FILE).toFile();
        if (!file.exists())
        {
            throw new IpamException(ErrorCode.STORE_IO, "no counters file " + file + " (is the process running " +
                "with countersDir set to " + dir + "?)");
        }
        if (file.length() < HEADER_LENGTH)
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, "counters file " + file + " is truncated");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "ipam counters");
        try
        {
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (header.getIntVolatile(0) != MAGIC || header.getInt(4) != VERSION)
            {
                throw new IpamException(ErrorCode.STORE_CORRUPT, file + " is not an ipam counters file");
            }
            final int metaLength = header.getInt(8);
            final int valuesLength = header.getInt(12);
            if (metaLength != META_LENGTH || valuesLength != VALUES_LENGTH ||
                file.length() < (long)HEADER_LENGTH + metaLength + valuesLength)
            {
                throw new IpamException(ErrorCode.STORE_CORRUPT, "counters file " + file + " has a bad layout");
            }
            final CountersReader reader = new CountersReader(new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength));
            final Map<String, Long> out = new LinkedHashMap<>();
            out.put("pid", header.getLong(16));
            out.put("start time ms", header.getLong(24));
            reader.forEach((id, label) -> out.put(label, reader.getCounterValue(id)));
            return out;
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    @Override
    public void close()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
    }
}
