package io.ipam.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.core.writer.WriterExecutor;

/**
 * The service's part of a cluster snapshot ({@code docs/cluster.md}, "Snapshots"): a header ({@code IPCS}, version
 * 2), the client table ({@link ClientTable#writeTo}), the count of commands applied, each subnet's handle and the next
 * handle, then the ipam snapshot format of the engine. Every member writes the same bytes at the same log position.
 */
final class ClusterSnapshot
{
    /** First bytes of a cluster snapshot: "IPCS". */
    static final int MAGIC = 0x49504353;
    /** Version 2: the client table of issue 24 (epochs, bounded rings); version 1 is not read. */
    static final int VERSION = 2;

    private ClusterSnapshot()
    {
    }

    /**
     * @param clients the client table.
     * @param applied commands applied.
     * @param writer  the writer (the state is captured with its role).
     * @param timeMs  the log time of the snapshot.
     * @return the snapshot's bytes.
     */
    static byte[] encode(final ClientTable clients, final long applied, final WriterExecutor writer,
        final long timeMs)
    {
        final int[][] handles = new int[1][];
        final int[] next = new int[1];
        // with the change feed's last sequence: a member restored from this continues the numbering of the others
        final SnapshotData data = writer.captureBetweenCommands(timeMs).data();
        writer.withRole(e ->
        {
            handles[0] = new int[data.subnets.size()];
            for (int i = 0; i < handles[0].length; i++)
            {
                handles[0][i] = e.handle(data.subnets.get(i).meta.id);
            }
            next[0] = e.nextHandle();
        });
        try
        {
            final ByteArrayOutputStream all = new ByteArrayOutputStream(1 << 16);
            final DataOutputStream out = new DataOutputStream(all);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            clients.writeTo(out);
            out.writeLong(applied);
            // commands name subnets by handle: a restored replica must number them as this one does
            out.writeInt(next[0]);
            out.writeInt(handles[0].length);
            for (int i = 0; i < handles[0].length; i++)
            {
                out.writeUTF(data.subnets.get(i).meta.id);
                out.writeInt(handles[0][i]);
            }
            final ByteArrayOutputStream state = new ByteArrayOutputStream(1 << 16);
            SnapshotCodec.writeTo(data, state);
            out.writeLong(state.size());
            state.writeTo(out);
            out.flush();
            return all.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot encode the snapshot", ex);
        }
    }

    /**
     * Restore the client table and the engine from a snapshot's bytes.
     *
     * @param bytes   what {@link #encode} wrote.
     * @param clients the table to fill.
     * @param engine  an empty engine to fill.
     * @param nodeDir the member's directory (the ipam snapshot is checked through a file in it).
     * @return the count of commands applied.
     */
    static long decode(final byte[] bytes, final ClientTable clients, final AllocatorEngine engine,
        final Path nodeDir)
    {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes)))
        {
            if (in.readInt() != MAGIC)
            {
                throw new IllegalStateException("the cluster snapshot is not ipam's");
            }
            final int version = in.readInt();
            if (version != VERSION)
            {
                throw new IllegalStateException("cluster snapshot version " + version + " is not known here");
            }
            clients.readFrom(in);
            final long applied = in.readLong();
            final int next = in.readInt();
            final int count = in.readInt();
            if (count < 0)
            {
                throw new IOException(count + " subnet handles");
            }
            final Map<String, Integer> handles = new HashMap<>();
            for (int i = 0; i < count; i++)
            {
                handles.put(in.readUTF(), in.readInt());
            }
            final long stateLength = in.readLong();
            if (stateLength < 0 || stateLength > in.available())
            {
                throw new IOException("an ipam snapshot of " + stateLength + " bytes in " + in.available());
            }
            final SnapshotData data = readState(in, (int)stateLength, nodeDir);
            for (final SnapshotData.Subnet s : data.subnets)
            {
                if (!handles.containsKey(s.meta.id))
                {
                    throw new IllegalStateException("the cluster snapshot has no handle for subnet " + s.meta.id);
                }
            }
            // every subnet at the handle it had on the member that took the snapshot
            data.restoreInto(engine, handles::get);
            engine.nextHandle(next);
            return applied;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("the cluster snapshot is damaged: " + ex, ex);
        }
    }

    /**
     * The ipam snapshot inside: read through a file, the one way {@link SnapshotCodec} reads and checks one.
     */
    private static SnapshotData readState(final DataInputStream in, final int length, final Path nodeDir)
        throws IOException
    {
        final Path dir = nodeDir.resolve("snapshots");
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".restore-", ".ipam");
        try
        {
            final byte[] state = new byte[length];
            in.readFully(state);
            Files.write(tmp, state);
            return SnapshotCodec.read(tmp);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }
}
