package io.ipam.client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Iterator;

import io.grpc.StatusRuntimeException;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.file.AtomicFile;
import io.ipam.proto.v1.IpamServiceGrpc.IpamServiceBlockingStub;
import io.ipam.proto.v1.SnapshotChunk;
import io.ipam.proto.v1.SnapshotRequest;

/**
 * {@link GrpcIpam#snapshot(Path)}: the server's snapshot stream into a local file, an {@link AtomicFile} (written
 * beside it, owner-only since a snapshot names every owner, never through a link), its length checked against the
 * byte count the server sent last, then synced and put in place. A stream that fails or ends short leaves the target
 * as it was and no temporary file behind. Stateless.
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
     * @param file       the local target file (replaced if it exists).
     * @return what was written; {@link SnapshotInfo#file()} is the local file.
     */
    static SnapshotInfo download(final Connection connection, final Path file)
    {
        final IpamServiceBlockingStub stub = connection.stub(TIMEOUTS);
        try (AtomicFile target = AtomicFile.prepare(file, true, "snapshot"))
        {
            io.ipam.proto.v1.SnapshotInfo info = null;   // the core's SnapshotInfo is the answer's type
            long written = 0;
            try (OutputStream out = target.open(true))
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
                throw StatusCodes.toIpamException(ex);
            }
            catch (final IOException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex.getMessage());
            }
            if (info == null || info.getBytes() != written)
            {
                throw new IpamException(ErrorCode.STORE_CORRUPT, "snapshot stream ended early: " + written + " bytes");
            }
            target.commit();
            return ProtoMapping.fromProto(file, info);
        }
    }
}
