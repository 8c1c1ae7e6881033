package io.ipam.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What a snapshot call wrote. Immutable.
 */
public final class SnapshotInfo
{
    private final Path file;
    private final long bytes;
    private final int formatVersion;
    private final int subnets;
    private final long allocations;
    private final Instant takenAt;

    /**
     * @param file          the snapshot file.
     * @param bytes         its size.
     * @param formatVersion the format version written.
     * @param subnets       number of subnets in it.
     * @param allocations   number of address allocations in it.
     * @param takenAt       the point in time it captures.
     */
    public SnapshotInfo(
        final Path file,
        final long bytes,
        final int formatVersion,
        final int subnets,
        final long allocations,
        final Instant takenAt)
    {
        this.file = Objects.requireNonNull(file);
        this.bytes = bytes;
        this.formatVersion = formatVersion;
        this.subnets = subnets;
        this.allocations = allocations;
        this.takenAt = Objects.requireNonNull(takenAt);
    }

    /**
     * @return the snapshot file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return the file size in bytes.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * @return the format version.
     */
    public int formatVersion()
    {
        return formatVersion;
    }

    /**
     * @return number of subnets.
     */
    public int subnets()
    {
        return subnets;
    }

    /**
     * @return number of address allocations.
     */
    public long allocations()
    {
        return allocations;
    }

    /**
     * @return the instant the state was captured.
     */
    public Instant takenAt()
    {
        return takenAt;
    }

    @Override
    public String toString()
    {
        return "SnapshotInfo{file=" + file + ", bytes=" + bytes + ", formatVersion=" + formatVersion +
            ", subnets=" + subnets + ", allocations=" + allocations + ", takenAt=" + takenAt + '}';
    }
}
