package io.ipam.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.TickFlyweight;
import io.ipam.core.protocol.Wire;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.core.writer.WriterExecutor;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ipam's engine as an Aeron Cluster service: every node applies the same log of batches of protocol commands
 * ({@link ClusterProtocol}) in the same order through the same writer and {@code CommandAdapter} as a local
 * allocator, so every node holds the same state. Nothing from outside the log reaches the engine: each command's
 * time is replaced by the log's timestamp for its batch, and randomness is the engine's keyed generator (a key
 * shared by the members, its position part of the state). Commands a client sends again are answered from
 * {@link ClientSessions} and never applied twice. Snapshots are the ipam snapshot format plus the client table.
 * <p>
 * Only the leader's answers reach clients (followers' session offers are mocked by the cluster). Service thread only.
 */
public final class IpamClusteredService implements ClusteredService
{
    /** First bytes of a cluster snapshot: "IPCS". */
    static final int SNAPSHOT_MAGIC = 0x49504353;
    /** Version of the cluster snapshot wrapper. */
    static final int SNAPSHOT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(IpamClusteredService.class);
    private static final int SNAPSHOT_CHUNK = 32 * 1024;
    /** An egress message is sent once it holds this much; large answers go on their own. */
    private static final int EGRESS_FLUSH_BYTES = 60 * 1024;
    private static final long OFFER_GIVE_UP_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final IpamConfig config;
    private final Path nodeDir;
    private final ClientSessions sessions = new ClientSessions();
    private final ExpandableArrayBuffer egress = new ExpandableArrayBuffer(EGRESS_FLUSH_BYTES + 4096);
    private final Wire wire = new Wire();
    private final BatchFlyweight batch = new BatchFlyweight();
    private final NodeCommandFlyweight node = new NodeCommandFlyweight();
    private Cluster cluster;
    private IdleStrategy idle;
    private AllocatorEngine engine;
    private WriterExecutor writer;
    private long applied;
    private int egressLength;
    private int egressCount;
    private boolean tickScheduled;

    /** Correlation id of the lifecycle timer (the only timer this service schedules). */
    static final long TICK_TIMER = 1;
    /** Cluster time between lifecycle ticks, and between steps while due work is left. */
    static final long TICK_INTERVAL_MS = 250;
    private static final long TICK_AGAIN_MS = 1;
    private static final int TICK_BUDGET = 256;

    /**
     * @param config  limits and the random source: every member must use the same (the key above all).
     * @param nodeDir this node's directory; {@link ClusterProtocol#NODE_SNAPSHOT} files go to its
     *                {@code snapshots/}.
     */
    public IpamClusteredService(final IpamConfig config, final Path nodeDir)
    {
        this.config = config;
        this.nodeDir = nodeDir;
    }

    /**
     * @return commands applied since start (tests, counters).
     */
    public long applied()
    {
        return applied;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        engine = Allocators.newMemoryEngine(config);
        if (snapshotImage != null)
        {
            loadSnapshot(snapshotImage);
        }
        writer = new WriterExecutor(engine, config, null);
        writeRole(cluster.role());
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        // a client's answers outlive its session: it may come back on a new one and send again
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        if (!tickScheduled)
        {
            scheduleTick(timestamp + TICK_INTERVAL_MS);
        }
        if (!batch.wrap(buffer, offset, length))
        {
            LOG.warn("ignored a message of {} bytes that is not a batch from session {}", length, session.id());
            return;
        }
        final ClientSessions.Client client = sessions.client(batch.clientId(), timestamp);
        client.ack(batch.acked());
        egressLength = RepliesFlyweight.HEADER_LENGTH;
        egressCount = 0;
        while (batch.next())
        {
            final long sequence = batch.sequence();
            if (client.seen(sequence))
            {
                if (!client.hasAnswer(sequence))
                {
                    continue; // answered and acknowledged: the client has it
                }
            }
            else if (!client.fits(sequence))
            {
                final Reply r = writer.acquire();
                r.error(ErrorCode.OVERLOADED, "command " + sequence + " is more than " + ClusterProtocol.WINDOW +
                    " above the last one acknowledged; not applied", wire);
                room(session, RepliesFlyweight.answerLength(r.payloadLength));
                egressLength = RepliesFlyweight.putAnswer(egress, egressLength, sequence, r);
                egressCount++;
                writer.release(r);
                continue;
            }
            else
            {
                apply(client, sequence, batch.type(), buffer, batch.commandOffset(), batch.commandLength(), timestamp);
            }
            room(session, client.answerLength(sequence));
            egressLength = client.encodeAnswer(sequence, egress, egressLength);
            egressCount++;
        }
        if (batch.cutShort())
        {
            LOG.warn("a batch from client {} is cut short after {} of {} commands", client.id, batch.index(),
                batch.count());
        }
        else if (batch.overrun())
        {
            LOG.warn("a command of client {} claims {} bytes past the batch's end", client.id, batch.commandLength());
        }
        if (egressCount > 0)
        {
            send(session, egressLength, egressCount);
        }
    }

    /**
     * Send what the egress message holds if the next answer would take it past the flush size.
     */
    private void room(final ClientSession session, final int next)
    {
        if (egressCount > 0 && egressLength + next > EGRESS_FLUSH_BYTES)
        {
            send(session, egressLength, egressCount);
            egressLength = RepliesFlyweight.HEADER_LENGTH;
            egressCount = 0;
        }
    }

    private void apply(final ClientSessions.Client client, final long sequence, final int type,
        final DirectBuffer buffer, final int command, final int commandLength, final long timestamp)
    {
        final Reply r = writer.acquire();
        try
        {
            if (commandLength < CommandHeader.LENGTH)
            {
                r.error(ErrorCode.MALFORMED, "a command of " + commandLength + " bytes is shorter than " +
                    "its header", wire);
            }
            else if (type == MessageTypes.CAPTURE)
            {
                r.error(ErrorCode.FORBIDDEN, "CAPTURE is not served by a cluster: ClusterIpam.snapshot " +
                    "writes a snapshot file on every node", wire);
            }
            else if (type == ClusterProtocol.NODE_SNAPSHOT)
            {
                nodeSnapshot(r, buffer, command, commandLength, timestamp);
            }
            else if (type == ClusterProtocol.NODE_MARK)
            {
                nodeMark(r, buffer, command, commandLength);
            }
            else
            {
                r.type = type;
                r.commandLength = commandLength;
                r.command.putBytes(0, buffer, command, commandLength);
                // time from the log, never from the client's clock or this node's
                CommandHeader.timeMs(r.command, 0, timestamp);
                writer.execute(r);
                applied++;
            }
            client.remember(sequence, r);
        }
        finally
        {
            writer.release(r);
        }
    }

    private void nodeSnapshot(final Reply r, final DirectBuffer buffer, final int command, final int length,
        final long timestamp)
    {
        final String name = fileName(r, buffer, command, length);
        if (name == null)
        {
            return;
        }
        final SnapshotCodec.Image[] image = new SnapshotCodec.Image[1];
        writer.withRole(e -> image[0] = SnapshotCodec.capture(e, timestamp));
        try
        {
            final Path dir = nodeDir.resolve("snapshots");
            Files.createDirectories(dir);
            final SnapshotInfo info = SnapshotCodec.write(image[0], dir.resolve(name));
            r.code = 0;
            r.value = info.allocations();
            r.timeMs = timestamp;
            node.snapshotAnswer(r, info.bytes(), info.subnets());
        }
        catch (final IOException | IpamException ex)
        {
            // the same state is on every node; a disk that refuses the file is this node's problem only
            LOG.error("node snapshot {} failed", name, ex);
            r.error(ErrorCode.STORE_IO, "snapshot " + name + " failed on node " + cluster.memberId() +
                ": " + ex.getMessage(), wire);
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
            r.error(ErrorCode.MALFORMED, "file name must be 1-128 of [A-Za-z0-9._-], not starting with a " +
                "dot", wire);
            return null;
        }
        return name;
    }

    private void nodeMark(final Reply r, final DirectBuffer buffer, final int command, final int length)
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
            r.error(ErrorCode.STORE_IO, "mark " + name + " failed on node " + cluster.memberId() + ": " +
                ex.getMessage(), wire);
        }
    }

    private void send(final ClientSession session, final int length, final int answers)
    {
        RepliesFlyweight.header(egress, answers);
        final long deadline = System.nanoTime() + OFFER_GIVE_UP_NS;
        idle.reset();
        long result;
        while ((result = session.offer(egress, 0, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED || System.nanoTime() - deadline > 0)
            {
                // the client sends again what stays unanswered; the answers are kept for it
                LOG.debug("answers to session {} not sent: {}", session.id(), result);
                return;
            }
            idle.idle();
        }
    }

    /**
     * The lifecycle tick of a cluster (SPEC 9: expiry at least once per second of clock time, also when no client
     * calls): a timer in the log, so every member applies the same {@code TICK} at the same log time. It is
     * scheduled with the first command a member applies after it starts, and again after each tick: sooner while
     * due work is left (a million leases due at once are expired a bounded step at a time).
     */
    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (correlationId != TICK_TIMER)
        {
            return;
        }
        final Reply r = writer.acquire();
        boolean more = false;
        try
        {
            r.type = MessageTypes.TICK;
            CommandHeader.encode(r.command, 0, timestamp);
            r.commandLength = TickFlyweight.encode(wire.writeTo(r.command, CommandHeader.LENGTH), TICK_BUDGET)
                .position();
            writer.execute(r);
            more = r.code >= 0 && r.value == 1;
        }
        finally
        {
            writer.release(r);
        }
        scheduleTick(timestamp + (more ? TICK_AGAIN_MS : TICK_INTERVAL_MS));
    }

    private void scheduleTick(final long deadline)
    {
        while (!cluster.scheduleTimer(TICK_TIMER, deadline))
        {
            idle.idle();
        }
        tickScheduled = true;
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final SnapshotData[] data = new SnapshotData[1];
        final int[][] handles = new int[1][];
        final int[] next = new int[1];
        writer.withRole(e ->
        {
            data[0] = SnapshotCodec.capture(e, cluster.time()).data();
            handles[0] = new int[data[0].subnets.size()];
            for (int i = 0; i < handles[0].length; i++)
            {
                handles[0][i] = e.handle(data[0].subnets.get(i).meta.id);
            }
            next[0] = e.nextHandle();
        });
        final byte[] bytes;
        try
        {
            final ByteArrayOutputStream all = new ByteArrayOutputStream(1 << 16);
            final DataOutputStream out = new DataOutputStream(all);
            out.writeInt(SNAPSHOT_MAGIC);
            out.writeInt(SNAPSHOT_VERSION);
            sessions.writeTo(out);
            out.writeLong(applied);
            // commands name subnets by handle: a restored replica must number them as this one does
            out.writeInt(next[0]);
            out.writeInt(handles[0].length);
            for (int i = 0; i < handles[0].length; i++)
            {
                out.writeUTF(data[0].subnets.get(i).meta.id);
                out.writeInt(handles[0][i]);
            }
            final ByteArrayOutputStream state = new ByteArrayOutputStream(1 << 16);
            SnapshotCodec.writeTo(data[0], state);
            out.writeLong(state.size());
            state.writeTo(out);
            out.flush();
            bytes = all.toByteArray();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot encode the snapshot", ex);
        }
        final UnsafeBuffer chunk = new UnsafeBuffer(bytes);
        for (int at = 0; at < bytes.length; at += SNAPSHOT_CHUNK)
        {
            final int n = Math.min(SNAPSHOT_CHUNK, bytes.length - at);
            idle.reset();
            long result;
            while ((result = snapshotPublication.offer(chunk, at, n)) < 0)
            {
                if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                {
                    throw new IllegalStateException("snapshot publication failed: " + result);
                }
                idle.idle();
            }
        }
        LOG.info("snapshot of {} bytes taken at log position {}", bytes.length, cluster.logPosition());
    }

    private void loadSnapshot(final Image image)
    {
        final ByteArrayOutputStream all = new ByteArrayOutputStream(1 << 16);
        final byte[] copy = new byte[SNAPSHOT_CHUNK];
        idle.reset();
        while (!image.isEndOfStream())
        {
            final int fragments = image.poll((buffer, offset, length, header) ->
            {
                buffer.getBytes(offset, copy, 0, length);
                all.write(copy, 0, length);
            }, 64);
            if (fragments == 0 && image.isClosed())
            {
                break;
            }
            idle.idle(fragments);
        }
        final byte[] bytes = all.toByteArray();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes)))
        {
            if (in.readInt() != SNAPSHOT_MAGIC)
            {
                throw new IllegalStateException("the cluster snapshot is not ipam's");
            }
            final int version = in.readInt();
            if (version != SNAPSHOT_VERSION)
            {
                throw new IllegalStateException("cluster snapshot version " + version + " is not known here");
            }
            sessions.readFrom(in);
            applied = in.readLong();
            final int next = in.readInt();
            final int count = in.readInt();
            final Map<String, Integer> handles = new HashMap<>();
            for (int i = 0; i < count; i++)
            {
                handles.put(in.readUTF(), in.readInt());
            }
            final long stateLength = in.readLong();
            final SnapshotData data = readState(in, stateLength);
            restore(data, handles, next);
            LOG.info("restored {} allocations and {} clients from a snapshot of {} bytes", data.allocationCount(),
                sessions.size(), bytes.length);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("the cluster snapshot is damaged: " + ex, ex);
        }
    }

    /**
     * Rebuild the engine with every subnet at the handle it had on the member that took the snapshot.
     */
    private void restore(final SnapshotData data, final Map<String, Integer> handles, final int next)
    {
        for (final SnapshotData.Subnet s : data.subnets)
        {
            if (!handles.containsKey(s.meta.id))
            {
                throw new IllegalStateException("the cluster snapshot has no handle for subnet " + s.meta.id);
            }
        }
        data.restoreInto(engine, handles::get);
        engine.nextHandle(next);
    }

    /**
     * The ipam snapshot inside: read through a file, the one way {@link SnapshotCodec} reads and checks one.
     */
    private SnapshotData readState(final InputStream in, final long length) throws IOException
    {
        final Path dir = nodeDir.resolve("snapshots");
        Files.createDirectories(dir);
        final Path tmp = Files.createTempFile(dir, ".restore-", ".ipam");
        try
        {
            final byte[] state = new byte[(int)length];
            new DataInputStream(in).readFully(state);
            Files.write(tmp, state);
            return SnapshotCodec.read(tmp);
        }
        finally
        {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void onNewLeadershipTermEvent(final long leadershipTermId, final long logPosition, final long timestamp,
        final long termBaseLogPosition, final int leaderMemberId, final int logSessionId, final TimeUnit timeUnit,
        final int appVersion)
    {
        if (timeUnit != TimeUnit.MILLISECONDS)
        {
            // the engine's time is epoch milliseconds; another unit would corrupt every allocation's time
            throw new IllegalStateException("ipam needs the cluster's time in milliseconds, not " + timeUnit);
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        LOG.info("node {} is now {}", cluster.memberId(), newRole);
        writeRole(newRole);
    }

    /**
     * The member's role for operators and scripts: {@code DIR/role} holds LEADER, FOLLOWER or CANDIDATE (stale
     * after a crash until the member runs again).
     */
    private void writeRole(final Cluster.Role role)
    {
        try
        {
            final Path tmp = nodeDir.resolve(".role.tmp");
            Files.writeString(tmp, role.name() + "\n");
            Files.move(tmp, nodeDir.resolve("role"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            LOG.warn("cannot write the role file: {}", ex.toString());
        }
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        if (writer != null)
        {
            writer.close();
        }
    }
}
