package io.ipam.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.OptionsFlyweight;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.TickFlyweight;
import io.ipam.core.protocol.Wire;
import io.ipam.core.writer.WriterExecutor;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ipam's engine as an Aeron Cluster service: every member applies the same log of client messages
 * ({@link BatchFlyweight}) in the same order through the same writer and {@code CommandAdapter} as a local allocator,
 * so every member holds the same state. Nothing from outside the log reaches the engine: every command's time, the
 * one inside a {@code WITH_OPTIONS} included, is replaced by the log's timestamp for its message, and randomness is
 * the engine's keyed generator (a key shared by the members, its position part of the state). Who sends is the
 * session's principal (bound by {@link TokenAuthenticator}, read from the log), never a field of a message: it decides
 * the client's memory ({@link ClientTable}) and, for a tenant, the view its commands run in ({@link TenantGuard}).
 * Commands a client sends again are answered from its memory and never applied twice. Answers too large for the
 * transport are paged or refused ({@link AnswerLimit}); nothing in the apply path throws because of a transport.
 * <p>
 * Only the leader's answers reach clients (followers' session offers are mocked by the cluster). Service thread only.
 */
public final class IpamClusteredService implements ClusteredService
{
    /** Correlation id of the lifecycle timer (the only timer this service schedules). */
    static final long TICK_TIMER = 1;
    /** Cluster time between lifecycle ticks, and between steps while due work is left. */
    static final long TICK_INTERVAL_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(IpamClusteredService.class);
    private static final int SNAPSHOT_CHUNK = 32 * 1024;
    private static final long TICK_AGAIN_MS = 1;
    private static final int TICK_BUDGET = 256;
    private static final long WARN_EVERY_MS = 10_000;

    private final IpamConfig config;
    private final Path nodeDir;
    private final ClientTable clients;
    private final Long2ObjectHashMap<ClusterCredentials.Principal> principals = new Long2ObjectHashMap<>();
    private final Wire wire = new Wire();
    private final BatchFlyweight batch = new BatchFlyweight();
    private final OptionsFlyweight options = new OptionsFlyweight();
    private final AnswerLimit limit = new AnswerLimit();
    private final NodeCommands node;
    private final TenantGuard guard;
    private Cluster cluster;
    private IdleStrategy idle;
    private Egress egress;
    private AllocatorEngine engine;
    private WriterExecutor writer;
    private long applied;
    private long refusedMessages;
    private long lastWarnMs;
    private boolean tickScheduled;

    /**
     * @param config  limits and the random source: every member must use the same (the key above all).
     * @param nodeDir this node's directory; {@link ClusterProtocol#NODE_SNAPSHOT} files go to its
     *                {@code snapshots/}.
     */
    public IpamClusteredService(final IpamConfig config, final Path nodeDir)
    {
        this(config, nodeDir, ClientTable.DEFAULT_MAX_CLIENTS);
    }

    /**
     * @param config     as {@link #IpamClusteredService(IpamConfig, Path)}.
     * @param nodeDir    as {@link #IpamClusteredService(IpamConfig, Path)}.
     * @param maxClients most clients remembered (the same on every member).
     */
    public IpamClusteredService(final IpamConfig config, final Path nodeDir, final int maxClients)
    {
        if ((long)config.maxBulk() * ClusterProtocol.MAX_ANSWER_BYTES_PER_ITEM + 64 > ClusterProtocol.MAX_ANSWER_BYTES)
        {
            throw new IpamException(ErrorCode.MALFORMED, "maxBulk " + config.maxBulk() + " is too large for a " +
                "cluster: its largest answer would not fit in one (at most " + (ClusterProtocol.MAX_ANSWER_BYTES - 64) /
                ClusterProtocol.MAX_ANSWER_BYTES_PER_ITEM + ")");
        }
        if (maxClients < 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "maxClients must be 1 or more, was " + maxClients);
        }
        this.config = config;
        this.nodeDir = nodeDir;
        this.clients = new ClientTable(maxClients, ClientTable.DEFAULT_MAX_SLOTS, ClientTable.DEFAULT_MAX_KEPT_BYTES);
        this.node = new NodeCommands(nodeDir);
        this.guard = new TenantGuard(new TenantGuard.Tenancy()
        {
            @Override
            public boolean hasHandle(final String tenant, final int handle)
            {
                final String id = engine.subnetId(handle);
                return id != null && tenant.equals(engine.tenantOf(id));
            }

            @Override
            public boolean hasSubnet(final String tenant, final String subnetId)
            {
                return subnetId != null && engine.handle(subnetId) != AllocatorEngine.NO_HANDLE &&
                    tenant.equals(engine.tenantOf(subnetId));
            }
        });
    }

    /**
     * @return commands applied since start (tests, counters).
     */
    public long applied()
    {
        return applied;
    }

    /**
     * @return the clients remembered now (tests, counters).
     */
    int clientCount()
    {
        return clients.size();
    }

    /**
     * @return messages refused whole (bad framing, no principal, a forged epoch) since start.
     */
    long refusedMessages()
    {
        return refusedMessages;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        this.egress = new Egress(idle);
        engine = Allocators.newMemoryEngine(config);
        if (snapshotImage != null)
        {
            final byte[] bytes = readSnapshot(snapshotImage);
            applied = ClusterSnapshot.decode(bytes, clients, engine, nodeDir);
            LOG.info("restored {} clients and {} commands applied from a snapshot of {} bytes", clients.size(),
                applied, bytes.length);
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
        principals.remove(session.id());
    }

    @Override
    public void onSessionMessage(final ClientSession session, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        if (!tickScheduled)
        {
            scheduleTick(timestamp + TICK_INTERVAL_MS);
        }
        final int framing = batch.wrap(buffer, offset, length);
        if (framing != BatchFlyweight.OK)
        {
            refuse(timestamp, "a message of " + length + " bytes " + BatchFlyweight.reason(framing), session);
            return;
        }
        final ClusterCredentials.Principal principal = principal(session);
        if (principal == null)
        {
            refuse(timestamp, "a message from a session with no ipam principal", session);
            return;
        }
        if (batch.kind() == ClusterProtocol.HELLO)
        {
            final ClientTable.Client c = clients.hello(principal.key(), session.id(), timestamp);
            egress.welcome(session, c.epoch, principal.tenantOrNull());
            return;
        }
        final long epoch = batch.epoch();
        final ClientTable.Client client = clients.find(principal.key(), epoch, timestamp);
        if (client == null)
        {
            if (clients.issued(epoch))
            {
                forgotten(session, epoch);
            }
            else
            {
                refuse(timestamp, "a batch naming epoch " + epoch + ", never given out", session);
            }
            return;
        }
        clients.ack(client, batch.acked());
        egress.begin(session);
        while (batch.next())
        {
            final long sequence = batch.sequence();
            if (client.seen(sequence))
            {
                if (client.hasAnswer(sequence))
                {
                    egress.kept(client, sequence);
                }
                continue; // else answered and acknowledged: the client has it
            }
            if (!client.fits(sequence) || !clients.admits(client))
            {
                refuseCommand(sequence, client.fits(sequence) ? "the client holds " + client.keptBytes +
                    " bytes of answers it has not acknowledged" : "command " + sequence + " is more than " +
                    ClusterProtocol.WINDOW + " above the last one acknowledged");
                continue;
            }
            apply(principal, client, sequence, batch.type(), buffer, batch.commandOffset(), batch.commandLength(),
                timestamp);
            egress.kept(client, sequence);
        }
        egress.end();
    }

    /**
     * The principal bound to a session (by the authenticator; in the log's session-open event and Aeron's session
     * snapshot, so the same on every member).
     */
    private ClusterCredentials.Principal principal(final ClientSession session)
    {
        ClusterCredentials.Principal p = principals.get(session.id());
        if (p == null)
        {
            p = ClusterCredentials.readPrincipal(session.encodedPrincipal());
            if (p != null)
            {
                principals.put(session.id(), p);
            }
        }
        return p;
    }

    private void refuse(final long timestamp, final String what, final ClientSession session)
    {
        refusedMessages++;
        if (timestamp - lastWarnMs >= WARN_EVERY_MS)
        {
            lastWarnMs = timestamp;
            LOG.warn("refused {} from session {} ({} refused since start)", what, session.id(), refusedMessages);
        }
    }

    /**
     * Answer every command of a batch whose epoch the members no longer know, then say so.
     */
    private void forgotten(final ClientSession session, final long epoch)
    {
        egress.begin(session);
        while (batch.next())
        {
            final Reply r = writer.acquire();
            try
            {
                r.error(ErrorCode.LIMIT_EXCEEDED, "the cluster forgot this client (the oldest of its clients is " +
                    "dropped past its caps, and one silent for an hour of log time): command " + batch.sequence() +
                    " is not applied now; it may have been applied before", wire);
                egress.answer(batch.sequence(), r);
            }
            finally
            {
                writer.release(r);
            }
        }
        egress.end();
        egress.forgotten(session, epoch);
    }

    private void refuseCommand(final long sequence, final String why)
    {
        final Reply r = writer.acquire();
        try
        {
            r.error(ErrorCode.OVERLOADED, why + "; not applied", wire);
            egress.answer(sequence, r);
        }
        finally
        {
            writer.release(r);
        }
    }

    private void apply(final ClusterCredentials.Principal principal, final ClientTable.Client client,
        final long sequence, final int type, final DirectBuffer buffer, final int command, final int commandLength,
        final long timestamp)
    {
        final Reply r = writer.acquire();
        try
        {
            final String tenant = principal.tenantOrNull();
            if (commandLength < CommandHeader.LENGTH)
            {
                r.error(ErrorCode.MALFORMED, "a command of " + commandLength + " bytes is shorter than its header",
                    wire);
            }
            else if (tenant != null && !guard.check(tenant, type, buffer, command, commandLength))
            {
                r.error(guard.code(), guard.message(), wire);
            }
            else if (type == MessageTypes.CAPTURE)
            {
                r.error(ErrorCode.FORBIDDEN, "CAPTURE is not served by a cluster: ClusterIpam.snapshot writes a " +
                    "snapshot file on every node", wire);
            }
            else if (type == ClusterProtocol.NODE_SNAPSHOT)
            {
                node.snapshot(writer, cluster.memberId(), r, buffer, command, commandLength, timestamp);
            }
            else if (type == ClusterProtocol.NODE_MARK)
            {
                node.mark(cluster.memberId(), applied, r, buffer, command, commandLength);
            }
            else
            {
                r.type = type;
                r.commandLength = commandLength;
                r.command.putBytes(0, buffer, command, commandLength);
                stampTime(type, r, timestamp);
                execute(type, r);
                applied++;
            }
            clients.remember(client, sequence, r);
        }
        finally
        {
            writer.release(r);
        }
    }

    /**
     * Time from the log, never from the client's clock or this member's: on the command, and on the command inside a
     * {@code WITH_OPTIONS}.
     */
    private void stampTime(final int type, final Reply r, final long timestamp)
    {
        CommandHeader.timeMs(r.command, 0, timestamp);
        if (type == MessageTypes.WITH_OPTIONS)
        {
            try
            {
                options.wrap(r.command, 0, r.commandLength);
                if (options.innerLength() >= CommandHeader.LENGTH)
                {
                    CommandHeader.timeMs(r.command, options.innerOffset(), timestamp);
                }
            }
            catch (final IpamException | IndexOutOfBoundsException ex)
            {
                // a body that does not parse: the adapter answers MALFORMED and applies nothing
            }
        }
    }

    /**
     * Apply through the writer, the answer made to fit: a reconcile ({@code RECONCILE}, {@code RECONCILE_SUBNET}) runs
     * as a dry run first, so one whose report would not fit is refused before anything is changed.
     */
    private void execute(final int type, final Reply r)
    {
        if (type == MessageTypes.RECONCILE || type == MessageTypes.RECONCILE_SUBNET)
        {
            final int flag = AnswerLimit.dryRunOffset(type, r.command, r.commandLength);
            if (flag > 0 && r.command.getByte(flag) == 0)
            {
                r.command.putByte(flag, (byte)1);
                writer.execute(r);
                r.command.putByte(flag, (byte)0);
                if (r.code >= 0 && !limit.fits(r))
                {
                    limit.refuseReconcile(type, r);
                    return;
                }
            }
        }
        writer.execute(r);
        limit.fit(type, r);
    }

    /**
     * The lifecycle tick of a cluster (SPEC 9: expiry at least once per second of clock time, also when no client
     * calls): a timer in the log, so every member applies the same {@code TICK} at the same log time. It is
     * scheduled with the first message a member applies after it starts, and again after each tick: sooner while
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
        final byte[] bytes = ClusterSnapshot.encode(clients, applied, writer, cluster.time());
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
        LOG.info("snapshot of {} bytes ({} clients) taken at log position {}", bytes.length, clients.size(),
            cluster.logPosition());
    }

    private byte[] readSnapshot(final Image image)
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
        return all.toByteArray();
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
        try (AtomicFile file = AtomicFile.prepare(nodeDir.resolve("role"), true, "role file"))
        {
            file.open(false).write((role.name() + "\n").getBytes(StandardCharsets.US_ASCII));
            file.commit();
        }
        catch (final IOException | IpamException ex)
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
