package io.ipam.client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;

import io.grpc.StatusRuntimeException;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.proto.v1.IpamServiceGrpc.IpamServiceBlockingStub;
import io.ipam.proto.v1.SnapshotChunk;
import io.ipam.proto.v1.SnapshotRequest;

/**
 * {@link GrpcIpam#snapshot(Path)}: the server's snapshot stream into a local file, written beside it as
 * {@code FILE.part}, its length checked against the byte count the server sent last, fsynced and renamed into place.
 * A stream that fails or ends short leaves no file behind. Stateless.
 */
final class SnapshotDownload
{
    /** A snapshot may be large: its stream gets this many call timeouts. */
    static final int TIMEOUTS = 10;

    private SnapshotDownload()
    {
    }

    /**
     * @param connection the client's connection.
     * @param file       the local target file.
     * @return what was written; {@link SnapshotInfo#file()} is the local file.
     */
    static SnapshotInfo download(final Connection connection, final Path file)
    {
        final Path target = file.toAbsolutePath();
        final Path tmp = target.resolveSibling(target.getFileName() + ".part");
        final IpamServiceBlockingStub stub = connection.stub(TIMEOUTS);
        io.ipam.proto.v1.SnapshotInfo info = null;   // the core's SnapshotInfo is the answer's type
        long written = 0;
        try (OutputStream out = Files.newOutputStream(tmp))
        {
            final Iterator<SnapshotChunk> chunks = stub.snapshot(SnapshotRequest.getDefaultInstance());
            while (chunks.hasNext())
            {
                final SnapshotChunk chunk = chunks.next();
                chunk.getData().writeTo(out);
                written += chunk.getData().size();
                if (chunk.hasInfo())
                {
                    info = chunk.getInfo();
                }
            }
        }
        catch (final StatusRuntimeException ex)
        {
            deleteQuietly(tmp);
            throw StatusCodes.toIpamException(ex);
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex.getMessage());
        }
        if (info == null || info.getBytes() != written)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_CORRUPT, "snapshot stream ended early: " + written + " bytes");
        }
        try
        {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                ch.force(true);
            }
            try
            {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex.getMessage());
        }
        return ProtoMapping.fromProto(file, info);
    }

    private static void deleteQuietly(final Path p)
    {
        try
        {
            Files.deleteIfExists(p);
        }
        catch (final IOException ignored)
        {
            // the partial file is named .part; nothing else to do
        }
    }
}
