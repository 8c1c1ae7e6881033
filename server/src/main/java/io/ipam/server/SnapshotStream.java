package io.ipam.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

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
 * staged file is deleted when the stream ends, fails or is cancelled. Staging and reading run on the server's
 * blocking pool, never on a transport thread. One instance per call; its state is guarded by its lock (gRPC's ready
 * and cancel callbacks and the pool come from different threads).
 */
final class SnapshotStream
{
    /** Snapshot bytes per streamed message. */
    static final int CHUNK_BYTES = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);

    private final ServerCallStreamObserver<SnapshotChunk> call;
    private final Executor blocking;
    private final byte[] buffer = new byte[CHUNK_BYTES];
    private Path file;
    private InputStream in;
    private SnapshotInfo info;
    private long sent;
    private boolean done;

    private SnapshotStream(final ServerCallStreamObserver<SnapshotChunk> call, final Executor blocking)
    {
        this.call = call;
        this.blocking = blocking;
    }

    /**
     * Stage the snapshot and stream it, both on {@code blocking} (file work never runs on a transport thread); a
     * failure to stage it closes the call with its status. Called from the handler: the ready and cancel callbacks
     * are registered before it returns, as gRPC requires.
     *
     * @param ipam     the caller's allocator.
     * @param call     the call.
     * @param blocking where file work runs.
     */
    static void start(final Ipam ipam, final ServerCallStreamObserver<SnapshotChunk> call, final Executor blocking)
    {
        final SnapshotStream stream = new SnapshotStream(call, blocking);
        call.setOnCancelHandler(stream::cleanUp);
        call.setOnReadyHandler(stream::schedulePump);
        try
        {
            blocking.execute(() -> stream.stage(ipam));
        }
        catch (final RejectedExecutionException ex)
        {
            call.onError(Responses.status(new IpamException(ErrorCode.CLOSED, "the server is stopping")));
        }
    }

    private void schedulePump()
    {
        try
        {
            blocking.execute(this::pump);
        }
        catch (final RejectedExecutionException ex)
        {
            cleanUp(); // the server is stopping: the call is cancelled with it
        }
    }

    private void stage(final Ipam ipam)
    {
        Path tmp = null;
        try
        {
            tmp = Files.createTempFile("ipam-serve-", ".snap");
            final SnapshotInfo written = ipam.snapshot(tmp);
            final InputStream opened = Files.newInputStream(tmp);
            synchronized (this)
            {
                file = tmp;
                in = opened;
                info = written;
                if (done) // cancelled while staging
                {
                    cleanUp();
                    return;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteQuietly(tmp);
            synchronized (this)
            {
                done = true;
            }
            call.onError(Responses.status(ex instanceof IOException ? new IpamException(ErrorCode.STORE_IO,
                "cannot stage the snapshot: " + ex.getMessage()) : ex));
            return;
        }
        pump();
    }

    private static void deleteQuietly(final Path tmp)
    {
        try
        {
            if (tmp != null)
            {
                Files.deleteIfExists(tmp);
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot delete staged snapshot {}", tmp);
        }
    }

    private synchronized void pump()
    {
        try
        {
            while (!done && in != null && call.isReady())
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
            if (in != null)
            {
                in.close();
            }
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot close staged snapshot {}", file);
        }
        deleteQuietly(file);
    }
}
