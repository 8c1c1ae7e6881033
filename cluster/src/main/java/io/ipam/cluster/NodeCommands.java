package io.ipam.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.writer.WriterExecutor;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's own commands, applied by every member at the same log position: {@link ClusterProtocol#NODE_SNAPSHOT}
 * writes an ipam snapshot file of the member's state to {@code DIR/snapshots/NAME},
 * {@link ClusterProtocol#NODE_MARK} creates the empty file {@code DIR/marks/NAME}. Administrator sessions only
 * ({@link TenantGuard}). Service thread only.
 */
final class NodeCommands
{
    private static final Logger LOG = LoggerFactory.getLogger(NodeCommands.class);

    private final Path nodeDir;
    private final NodeCommandFlyweight node = new NodeCommandFlyweight();
    private final Wire wire = new Wire();

    NodeCommands(final Path nodeDir)
    {
        this.nodeDir = nodeDir;
    }

    /**
     * Write the member's state as an ipam snapshot file.
     */
    void snapshot(final WriterExecutor writer, final int memberId, final Reply r, final DirectBuffer buffer,
        final int command, final int length, final long timestamp)
    {
        final String name = fileName(r, buffer, command, length);
        if (name == null)
        {
            return;
        }
        final SnapshotCodec.Image image = writer.captureBetweenCommands(timestamp); // the feed's sequence with it
        try
        {
            final Path dir = nodeDir.resolve("snapshots");
            Files.createDirectories(dir);
            final SnapshotInfo info = SnapshotCodec.write(image, dir.resolve(name));
            r.code = 0;
            r.value = info.allocations();
            r.timeMs = timestamp;
            node.snapshotAnswer(r, info.bytes(), info.subnets());
        }
        catch (final IOException | IpamException ex)
        {
            // the same state is on every node; a disk that refuses the file is this node's problem only
            LOG.error("node snapshot {} failed", name, ex);
            r.error(ErrorCode.STORE_IO, "snapshot " + name + " failed on node " + memberId + ": " + ex.getMessage(),
                wire);
        }
    }

    /**
     * Create the mark file; the answer's value is the member's count of applied commands.
     */
    void mark(final int memberId, final long applied, final Reply r, final DirectBuffer buffer, final int command,
        final int length)
    {
        final String name = fileName(r, buffer, command, length);
        if (name == null)
        {
            return;
        }
        try
        {
            final Path dir = nodeDir.resolve("marks");
            Files.createDirectories(dir);
            if (!Files.exists(dir.resolve(name)))
            {
                Files.createFile(dir.resolve(name));
            }
            r.code = 0;
            r.value = applied;
        }
        catch (final IOException ex)
        {
            r.error(ErrorCode.STORE_IO, "mark " + name + " failed on node " + memberId + ": " + ex.getMessage(), wire);
        }
    }

    /**
     * The file name a node command carries, or null with the error answered.
     */
    private String fileName(final Reply r, final DirectBuffer buffer, final int command, final int length)
    {
        final String name;
        try
        {
            name = node.name(buffer, command, length);
        }
        catch (final IpamException ex)
        {
            r.error(ErrorCode.MALFORMED, "a node command whose file name does not parse", wire);
            return null;
        }
        if (name == null || !name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"))
        {
            r.error(ErrorCode.MALFORMED, "file name must be 1-128 of [A-Za-z0-9._-], not starting with a dot", wire);
            return null;
        }
        return name;
    }
}
