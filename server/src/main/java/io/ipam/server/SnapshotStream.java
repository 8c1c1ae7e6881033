package io.ipam.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.ipam.client.ProtoMapping;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.proto.v1.SnapshotChunk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code Snapshot} call: the caller's allocator writes its snapshot to a file staged in the server's temporary
 * directory (never a path a client names), which is then streamed in chunks of at most {@link #CHUNK_BYTES} as the
 * client reads (flow control: never more than it asks for); the last chunk carries the {@code SnapshotInfo}. The
 * staged file is deleted when the stream ends, fails or is cancelled. One instance per call; its methods run under
 * its lock (gRPC's ready and cancel callbacks come from different threads).
 */
final class SnapshotStream
{
    /** Snapshot bytes per streamed message. */
    static final int CHUNK_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);

    private final ServerCallStreamObserver<SnapshotChunk> call;
    private final Path file;
    private final InputStream in;
    private final SnapshotInfo info;
    private final byte[] buffer = new byte[CHUNK_BYTES];
    private long sent;
    private boolean done;

    private SnapshotStream(final ServerCallStreamObserver<SnapshotChunk> call, final Path file, final InputStream in,
        final SnapshotInfo info)
    {
        this.call = call;
        this.file = file;
        this.in = in;
        this.info = info;
    }

    /**
     * Stage the snapshot and start streaming it; a failure to stage it closes the call with its status.
     *
     * @param ipam the caller's allocator.
     * @param call the call.
     */
    static void start(final Ipam ipam, final ServerCallStreamObserver<SnapshotChunk> call)
    {
        final Path tmp;
        final SnapshotInfo info;
        final InputStream in;
        try
        {
            tmp = Files.createTempFile("ipam-serve-", ".snap");
            try
            {
                info = ipam.snapshot(tmp);
                in = Files.newInputStream(tmp);
            }
            catch (final IOException | RuntimeException ex)
            {
                Files.deleteIfExists(tmp);
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            call.onError(Responses.status(new IpamException(ErrorCode.STORE_IO, "cannot stage the snapshot: " +
                ex.getMessage())));
            return;
        }
        catch (final RuntimeException ex)
        {
            call.onError(Responses.status(ex));
            return;
        }
        final SnapshotStream stream = new SnapshotStream(call, tmp, in, info);
        call.setOnCancelHandler(stream::cleanUp);
        call.setOnReadyHandler(stream::pump);
        stream.pump();
    }

    private synchronized void pump()
    {
        try
        {
            while (!done && call.isReady())
            {
                final int n = in.readNBytes(buffer, 0, buffer.length);
                sent += n;
                final boolean last = n < buffer.length || sent == info.bytes();
                final SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder()
                    .setData(ByteString.copyFrom(buffer, 0, n));
                if (last)
                {
                    chunk.setInfo(ProtoMapping.toProto(info));
                }
                call.onNext(chunk.build());
                if (last)
                {
                    done = true;
                    cleanUp();
                    call.onCompleted();
                }
            }
        }
        catch (final IOException ex)
        {
            done = true;
            cleanUp();
            call.onError(Responses.status(new IpamException(ErrorCode.STORE_IO, "cannot read the staged snapshot")));
        }
    }

    private synchronized void cleanUp()
    {
        done = true;
        try
        {
            in.close();
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot delete staged snapshot {}", file);
        }
    }
}
