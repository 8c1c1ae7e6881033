package io.ipam.cluster;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Several {@link IpamClusteredService}s in this thread, without Aeron, fed the same log entries in the same order:
 * member 0 plays the leader (its client sessions send for real, and refuse a message larger than an Aeron
 * publication of the cluster's 16 MiB terms carries, as Aeron does, by throwing), the others followers (their
 * sessions' sends are mocked, as Aeron Cluster mocks them). A throw out of a member's {@code onSessionMessage} is
 * recorded and the member goes on, as Aeron's service agent does. Tests compare the members' node snapshot files:
 * equal bytes, equal state. Tests only.
 */
final class ServiceHarness implements AutoCloseable
{
    /** Aeron's largest message for a 16 MiB term (term / 8). */
    static final int MAX_MESSAGE = 2 * 1024 * 1024;
    /** What Aeron Cluster puts before a session's egress message. */
    static final int SESSION_HEADER = 32;

    final Path root;
    final IpamClusteredService[] members;
    final List<String> thrown = new ArrayList<>();
    /** Every message the leader's sessions sent, in order. */
    final List<byte[]> leaderEgress = new ArrayList<>();
    private long nowMs = System.currentTimeMillis();

    ServiceHarness(final int size) throws IOException
    {
        root = Files.createTempDirectory("ipam-service-harness");
        members = new IpamClusteredService[size];
        final byte[] key = new byte[32];
        final IpamConfig config = IpamConfig.builder().randomSource(() -> RandomSource.keyed(key, 0)).build();
        for (int i = 0; i < size; i++)
        {
            members[i] = new IpamClusteredService(config, root.resolve("node-" + i));
            Files.createDirectories(root.resolve("node-" + i));
            members[i].onStart(cluster(i), null);
        }
    }

    /**
     * @param ms log time to stamp the next entries with.
     */
    void time(final long ms)
    {
        nowMs = ms;
    }

    long time()
    {
        return nowMs;
    }

    private Cluster cluster(final int member)
    {
        return (Cluster)Proxy.newProxyInstance(Cluster.class.getClassLoader(), new Class<?>[] {Cluster.class},
            (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "memberId":
                        return member;
                    case "role":
                        return member == 0 ? Cluster.Role.LEADER : Cluster.Role.FOLLOWER;
                    case "time":
                        return nowMs;
                    case "timeUnit":
                        return TimeUnit.MILLISECONDS;
                    case "logPosition":
                        return 0L;
                    case "scheduleTimer":
                    case "cancelTimer":
                        return true;
                    case "idleStrategy":
                        return NoOpIdleStrategy.INSTANCE;
                    case "toString":
                        return "harness member " + member;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    /**
     * @param member    which member's view of the session.
     * @param id        the session id.
     * @param principal what the authenticator bound to it (empty: none).
     * @return the session as that member sees it.
     */
    ClientSession session(final int member, final long id, final byte[] principal)
    {
        return (ClientSession)Proxy.newProxyInstance(ClientSession.class.getClassLoader(),
            new Class<?>[] {ClientSession.class}, (proxy, method, args) ->
            {
                switch (method.getName())
                {
                    case "id":
                        return id;
                    case "encodedPrincipal":
                        return principal;
                    case "responseStreamId":
                        return 102;
                    case "responseChannel":
                        return "aeron:udp?endpoint=localhost:0";
                    case "isClosing":
                        return false;
                    case "close":
                        return null;
                    case "offer":
                        if (member != 0)
                        {
                            return ClientSession.MOCKED_OFFER;
                        }
                        final DirectBuffer b = (DirectBuffer)args[0];
                        final int length = (Integer)args[2];
                        if (length + SESSION_HEADER > MAX_MESSAGE)
                        {
                            throw new IllegalArgumentException("message exceeds maxMessageLength of " + MAX_MESSAGE +
                                ", length=" + (length + SESSION_HEADER));
                        }
                        final byte[] copy = new byte[length];
                        b.getBytes((Integer)args[1], copy);
                        leaderEgress.add(copy);
                        return 1L;
                    case "toString":
                        return "session " + id;
                    case "hashCode":
                        return Long.hashCode(id);
                    case "equals":
                        return proxy == args[0];
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }

    /**
     * Apply one log entry (a session message) on every member, as the log would.
     */
    void deliver(final long sessionId, final byte[] principal, final DirectBuffer buffer, final int offset,
        final int length)
    {
        for (int i = 0; i < members.length; i++)
        {
            try
            {
                members[i].onSessionMessage(session(i, sessionId, principal), nowMs, buffer, offset, length, null);
            }
            catch (final Throwable t) // what Aeron's agent would catch, report and go on after
            {
                thrown.add("member " + i + ": " + t);
            }
        }
    }

    /**
     * @return each member's node snapshot file bytes, taken at this log position.
     */
    List<byte[]> snapshots(final String name) throws IOException
    {
        final ExpandableArrayBuffer command = new ExpandableArrayBuffer(256);
        command.putLong(CommandHeader.TIME_OFFSET, nowMs);
        final int length = new Wire().writeTo(command, CommandHeader.LENGTH).putString(name).position();
        final Client c = new Client(Long.MAX_VALUE - 7, 1_000_000L, "*");
        c.batch.add(new Client.Entry(ClusterProtocol.NODE_SNAPSHOT, command, length));
        c.flush();
        final List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < members.length; i++)
        {
            out.add(Files.readAllBytes(root.resolve("node-" + i).resolve("snapshots").resolve(name)));
        }
        return out;
    }

    /**
     * A client of the harness: an {@link Ipam} over a transport that numbers commands and delivers them in batches
     * (one per blocking call; asynchronous and captured commands wait for {@link #flush()}).
     */
    final class Client implements CommandTransport
    {
        record Entry(int type, DirectBuffer bytes, int length)
        {
        }

        final long clientId;
        final long sessionId;
        final byte[] principal;
        final String tenant;
        long epoch;
        final List<Entry> batch = new ArrayList<>();
        private final List<Reply> waiting = new ArrayList<>();
        private final List<Consumer<Reply>> callbacks = new ArrayList<>();
        private final List<Long> sequences = new ArrayList<>();
        private final ExpandableArrayBuffer message = new ExpandableArrayBuffer(1 << 16);
        private long nextSeq = 1;
        private long acked;
        private int slots;
        private List<Reply> last = List.of();
        boolean capturing;

        /**
         * A client whose session the authenticator bound to a principal, welcomed (its HELLO answered).
         *
         * @param tenantOrStar its principal's tenant, or {@code *}.
         */
        Client(final long clientId, final long sessionId, final String tenantOrStar)
        {
            this.clientId = clientId;
            this.sessionId = sessionId;
            this.tenant = "*".equals(tenantOrStar) ? null : tenantOrStar;
            this.principal = ClusterCredentials.principal(clientId, tenantOrStar);
            hello();
        }

        /**
         * Say HELLO on this client's session; the WELCOME's epoch numbers the commands from then on.
         */
        void hello()
        {
            final int before = leaderEgress.size();
            deliver(sessionId, principal, message, 0, BatchFlyweight.hello(message));
            for (int m = before; m < leaderEgress.size(); m++)
            {
                final UnsafeBuffer b = new UnsafeBuffer(leaderEgress.get(m));
                if (b.getInt(0) == ClusterProtocol.WELCOME)
                {
                    epoch = b.getLong(8);
                    nextSeq = 1;
                    acked = 0;
                }
            }
        }

        /**
         * @return the slots of the last batch's commands, in order, as answered (code Integer.MIN_VALUE: no answer).
         */
        List<Reply> lastBatch()
        {
            return last;
        }

        Ipam ipam()
        {
            final Ipam root = Allocators.remote(IpamConfig.defaults(), this);
            return tenant == null ? root : root.forTenant(tenant);
        }

        /**
         * Send what is queued as one batch; answer each command from the leader's egress (no answer: OVERLOADED).
         */
        void flush()
        {
            synchronized (ServiceHarness.this)
            {
                flushLocked();
            }
        }

        private void flushLocked()
        {
            int at = BatchFlyweight.HEADER_LENGTH;
            final List<Long> sent = new ArrayList<>();
            for (final Entry e : batch)
            {
                final long seq = nextSeq++;
                sent.add(seq);
                message.putLong(at, seq);
                message.putInt(at + 8, e.type);
                message.putInt(at + 12, e.length);
                message.putBytes(at + BatchFlyweight.ENTRY_HEADER_LENGTH, e.bytes, 0, e.length);
                at += BatchFlyweight.ENTRY_HEADER_LENGTH + e.length;
            }
            BatchFlyweight.header(message, batch.size(), epoch, acked);
            batch.clear();
            final int before = leaderEgress.size();
            deliver(sessionId, principal, message, 0, at);
            final List<Reply> replies = new ArrayList<>(waiting);
            last = replies;
            final List<Consumer<Reply>> tell = new ArrayList<>(callbacks);
            waiting.clear();
            callbacks.clear();
            for (int k = 0; k < sent.size(); k++)
            {
                final long seq = sent.get(k);
                final Reply r = k < replies.size() ? replies.get(k) : null;
                final boolean answered = answer(seq, before, r);
                if (r != null && tell.get(k) != null && answered)
                {
                    tell.get(k).accept(r);
                }
            }
            acked = nextSeq - 1;
        }

        private boolean answer(final long seq, final int from, final Reply r)
        {
            for (int m = from; m < leaderEgress.size(); m++)
            {
                final UnsafeBuffer b = new UnsafeBuffer(leaderEgress.get(m));
                if (b.getInt(0) != ClusterProtocol.REPLIES)
                {
                    continue;
                }
                final int count = b.getInt(4);
                int at = RepliesFlyweight.HEADER_LENGTH;
                for (int k = 0; k < count; k++)
                {
                    final int payload = b.getInt(at + 12);
                    if (b.getLong(at) == seq)
                    {
                        if (r != null)
                        {
                            r.code = b.getInt(at + 8);
                            r.value = b.getLong(at + 16);
                            r.ownerMsb = b.getLong(at + 24);
                            r.ownerLsb = b.getLong(at + 32);
                            r.timeMs = b.getLong(at + 40);
                            r.payloadLength = payload;
                            r.payload.putBytes(0, b, at + RepliesFlyweight.ANSWER_HEADER_LENGTH, payload);
                        }
                        return true;
                    }
                    at += RepliesFlyweight.ANSWER_HEADER_LENGTH + payload;
                }
            }
            return false;
        }

        /**
         * Queue a command's bytes as given (a forged one, say) for the next {@link #flush()}.
         *
         * @return the slot its answer will be in (code Integer.MIN_VALUE: none came).
         */
        Reply raw(final int type, final DirectBuffer bytes, final int length)
        {
            synchronized (ServiceHarness.this)
            {
                final Reply r = acquire();
                r.type = type;
                r.commandLength = length;
                r.command.putBytes(0, bytes, 0, length);
                r.code = Integer.MIN_VALUE;
                queue(r, null);
                return r;
            }
        }

        private void queue(final Reply r, final Consumer<Reply> onAnswer)
        {
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[r.commandLength]);
            copy.putBytes(0, r.command, 0, r.commandLength);
            batch.add(new Entry(r.type, copy, r.commandLength));
            waiting.add(r);
            callbacks.add(onAnswer);
        }

        @Override
        public Reply acquire()
        {
            final Reply r = new Reply(slots++ & 0xFFFF);
            r.reset();
            return r;
        }

        @Override
        public void execute(final Reply r)
        {
            synchronized (ServiceHarness.this) // a facade's lifecycle ticker calls from a thread of its own
            {
                executeLocked(r);
            }
        }

        private void executeLocked(final Reply r)
        {
            r.stampHeader();
            r.code = Integer.MIN_VALUE;
            queue(r, null);
            if (capturing)
            {
                throw new IpamException(ErrorCode.OVERLOADED, "captured, sent with the next flush");
            }
            flushLocked();
            if (!answered(r))
            {
                throw new IpamException(ErrorCode.OVERLOADED, "the leader sent no answer");
            }
        }

        private boolean answered(final Reply r)
        {
            return r.code != Integer.MIN_VALUE;
        }

        @Override
        public void executeAsync(final Reply r, final Consumer<Reply> onAnswer)
        {
            synchronized (ServiceHarness.this)
            {
                r.stampHeader();
                r.code = Integer.MIN_VALUE;
                queue(r, onAnswer);
            }
        }

        @Override
        public void release(final Reply r)
        {
        }

        @Override
        public void close()
        {
        }
    }

    /**
     * Write a raw batch's header (tests that forge the envelope).
     *
     * @return where its first command goes.
     */
    static int batch(final MutableDirectBuffer out, final long epoch, final long acked, final int count)
    {
        BatchFlyweight.header(out, count, epoch, acked);
        return BatchFlyweight.HEADER_LENGTH;
    }

    @Override
    public void close() throws IOException
    {
        for (final IpamClusteredService m : members)
        {
            m.onTerminate(null);
        }
        LocalCluster.deleteTree(root);
    }
}
