package io.ipam.cluster;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import java.nio.charset.StandardCharsets;

import io.aeron.Aeron;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.Header;
import io.aeron.security.AuthenticationException;
import io.aeron.security.CredentialsSupplier;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the facade's commands to an ipam cluster. Callers put their slot on a queue and wait; one agent thread
 * numbers the commands (1, 2, 3, ...), packs whatever is waiting into one batch message, sends it to the leader,
 * and matches the answers back to the slots by number. Every command stays in the agent's window until answered:
 * after a leader change, a reconnect, or when an answer is overdue, everything unanswered is sent again, and the
 * cluster answers a command it already applied from its memory of this client ({@link ClientTable}) instead of
 * applying it twice. A caller waits at most the request timeout; a command it gave up on is still sent until the
 * cluster answers it (its slot is freed then).
 */
final class ClusterTransport implements CommandTransport, EgressListener
{
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTransport.class);
    private static final int MASK = ClusterProtocol.WINDOW - 1;
    /** Slots callers can hold: the window, so a command never waits for a number behind the window. */
    private static final int SLOTS = ClusterProtocol.WINDOW;
    private static final int BATCH_BYTES = 48 * 1024;
    private static final long KEEP_ALIVE_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long HELLO_AGAIN_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ClusterIpam.Context ctx;
    private final long timeoutNs;
    private final long resendAfterNs;
    private final ArrayBlockingQueue<Reply> free = new ArrayBlockingQueue<>(SLOTS);
    private final ManyToOneConcurrentArrayQueue<Reply> submitted = new ManyToOneConcurrentArrayQueue<>(SLOTS);
    private final long clientId;
    private final byte[] credentials;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Thread agent;
    private volatile boolean closed;
    private volatile int leader = -1;
    /** This incarnation's epoch from its WELCOME; 0 until then (and after the cluster forgot it). */
    private volatile long epoch;
    /** The principal's tenant from the WELCOME, null for the administrator. */
    private volatile String tenant;
    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong resends = new AtomicLong();
    /** Per slot: who is told of the answer of an asynchronous command (null: a caller waits in the slot). */
    private final AtomicReferenceArray<Consumer<Reply>> callbacks = new AtomicReferenceArray<>(SLOTS);

    // agent thread only
    private final Reply[] window = new Reply[ClusterProtocol.WINDOW];
    private final long[] windowSeq = new long[ClusterProtocol.WINDOW];
    private final long[] sentAtNs = new long[ClusterProtocol.WINDOW];
    private final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(BATCH_BYTES + 4096);
    private final RepliesFlyweight replies = new RepliesFlyweight();
    private AeronCluster cluster;
    private long nextSeq = 1;
    private long oldest = 1;
    private long sendCursor = 1;
    private long lastSendNs;
    private boolean resendAll;
    private long lastHelloNs;
    private final Wire wire = new Wire();

    ClusterTransport(final ClusterIpam.Context ctx)
    {
        this.ctx = ctx;
        this.timeoutNs = ctx.requestTimeout().toNanos();
        this.resendAfterNs = ctx.resendAfter().toNanos();
        this.clientId = ctx.clientId();
        this.credentials = ClusterCredentials.credentials(clientId, ctx.token());
        ClusterProtocol.checkEgress(ctx.egressChannel());
        for (int i = 0; i < SLOTS; i++)
        {
            free.add(new Reply(i));
        }
        MediaDriver embedded = null;
        String dir = ctx.aeronDirectoryName();
        if (dir == null)
        {
            embedded = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(ClusterNode.idle().get())
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .errorHandler(t -> LOG.debug("client media driver: {}", t.toString())));
            dir = embedded.aeronDirectoryName();
        }
        driver = embedded;
        try
        {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir)
                .errorHandler(t -> LOG.debug("client: {}", t.toString())));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
        agent = new Thread(this::run, "ipam-cluster-client");
        agent.setDaemon(true);
        // the first connection is made before the constructor returns, so a wrong address fails at once
        IpamException failed = connect();
        if (failed == null)
        {
            failed = hello();
        }
        if (failed != null)
        {
            CloseHelper.quietCloseAll(cluster, aeron, driver);
            throw failed;
        }
        agent.start();
    }

    /**
     * The first HELLO, on the caller's thread before the agent starts: the constructor returns once this client
     * incarnation has its epoch and knows its tenant.
     */
    private IpamException hello()
    {
        final long deadline = System.nanoTime() + ctx.connectTimeout().toNanos();
        long sentAt = 0;
        while (epoch == 0)
        {
            final long now = System.nanoTime();
            if (now - deadline > 0)
            {
                return new IpamException(ErrorCode.OVERLOADED, "the ipam cluster at " + ctx.ingressEndpoints() +
                    " did not welcome this client within " + ctx.connectTimeout().toMillis() + " ms");
            }
            if (sentAt == 0 || now - sentAt > HELLO_AGAIN_NS)
            {
                if (cluster.offer(batch, 0, BatchFlyweight.hello(batch)) > 0)
                {
                    sentAt = now;
                }
            }
            if (cluster.pollEgress() == 0)
            {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            if (cluster.isClosed())
            {
                return new IpamException(ErrorCode.OVERLOADED, "the ipam cluster closed this client's session " +
                    "before welcoming it");
            }
        }
        return null;
    }

    /**
     * @return the tenant this client's credential acts for, or null for the administrator.
     */
    String tenant()
    {
        return tenant;
    }

    /**
     * @return this incarnation's epoch (tests).
     */
    long epoch()
    {
        return epoch;
    }

    /**
     * @return the leader's member id as last heard, or -1.
     */
    int leader()
    {
        return leader;
    }

    /**
     * @return leader changes and reconnections seen.
     */
    long leaderChanges()
    {
        return leaderChanges.get();
    }

    /**
     * @return times unanswered commands were sent again.
     */
    long resends()
    {
        return resends.get();
    }

    private IpamException connect()
    {
        CloseHelper.quietClose(cluster);
        cluster = null;
        try
        {
            cluster = AeronCluster.connect(new AeronCluster.Context()
                .aeron(aeron)
                .ownsAeronClient(false)
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ctx.ingressEndpoints())
                .egressChannel(ctx.egressChannel())
                .messageTimeoutNs(ctx.connectTimeout().toNanos())
                .egressListener(this)
                .credentialsSupplier(new CredentialsSupplier()
                {
                    @Override
                    public byte[] encodedCredentials()
                    {
                        return credentials;
                    }

                    @Override
                    public byte[] onChallenge(final byte[] encodedChallenge)
                    {
                        return credentials;
                    }
                })
                .errorHandler(t -> LOG.debug("cluster client: {}", t.toString())));
            leader = cluster.leaderMemberId();
            return null;
        }
        catch (final AuthenticationException ex)
        {
            return new IpamException(ErrorCode.FORBIDDEN, "the ipam cluster at " + ctx.ingressEndpoints() +
                " refused this client's credentials (no token, or one its members do not know)", ex);
        }
        catch (final RuntimeException ex)
        {
            return new IpamException(ErrorCode.OVERLOADED, "cannot reach the ipam cluster at " +
                ctx.ingressEndpoints() + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public Reply acquire()
    {
        checkOpen();
        Reply r = free.poll();
        if (r == null)
        {
            try
            {
                r = free.poll(timeoutNs, TimeUnit.NANOSECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IpamException(ErrorCode.OVERLOADED, "interrupted while waiting for a request slot");
            }
            if (r == null)
            {
                throw new IpamException(ErrorCode.OVERLOADED, SLOTS + " requests to the cluster are in flight and " +
                    "none finished within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; not applied");
            }
        }
        r.reset();
        return r;
    }

    @Override
    public void release(final Reply r)
    {
        free.add(r);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    /**
     * A command about to be sent: refused (and its slot given back) once closed, else its header stamped.
     */
    private void prepare(final Reply r)
    {
        if (closed)
        {
            release(r);
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
        if (r.commandLength > ClusterProtocol.MAX_COMMAND_BYTES)
        {
            final int length = r.commandLength;
            release(r);
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "a command of " + length + " bytes is larger than a " +
                "cluster carries (" + ClusterProtocol.MAX_COMMAND_BYTES + "); not sent");
        }
        r.stampHeader();
    }

    @Override
    public void execute(final Reply r)
    {
        prepare(r);
        if (!submitted.offer(r)) // cannot happen: the queue holds every slot
        {
            release(r);
            throw new IpamException(ErrorCode.OVERLOADED, "the request queue is full; not applied");
        }
        final long start = System.nanoTime();
        int spins = 0;
        while (!r.isAnswered())
        {
            if (closed || System.nanoTime() - start - timeoutNs > 0)
            {
                if (!r.abandon())
                {
                    return; // answered in the meantime
                }
                if (closed)
                {
                    throw new IpamException(ErrorCode.CLOSED, "ipam closed before the cluster answered; the " +
                        "request may have been applied");
                }
                throw new IpamException(ErrorCode.OVERLOADED, "the cluster did not answer within " +
                    TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms (leader " + leader + "); the request may " +
                    "still be applied");
            }
            if (++spins < 50)
            {
                Thread.onSpinWait();
            }
            else
            {
                // the agent unparks this thread when it answers: the bound only re-checks the timeout and closing
                r.parkUntilAnswered(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    @Override
    public void executeAsync(final Reply r, final Consumer<Reply> onAnswer)
    {
        prepare(r);
        callbacks.set(r.slot, onAnswer);
        if (!submitted.offer(r)) // cannot happen: the queue holds every slot
        {
            callbacks.set(r.slot, null);
            release(r);
            throw new IpamException(ErrorCode.OVERLOADED, "the request queue is full; not applied");
        }
    }

    /**
     * Hand an answered slot to whoever waits for it: the asynchronous caller's callback, or the blocked caller
     * (or back to the pool if that caller gave up).
     */
    private void deliver(final Reply r)
    {
        final Consumer<Reply> callback = callbacks.getAndSet(r.slot, null);
        if (callback != null)
        {
            try
            {
                callback.accept(r);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("an answer's callback failed: {}", ex.toString());
            }
        }
        else if (!r.answerAndWake())
        {
            free.add(r); // the caller gave up; the slot comes back now that the answer is in
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // the agent
    // ----------------------------------------------------------------------------------------------------------

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(20, 50, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MICROSECONDS.toNanos(200));
        while (!closed)
        {
            int work = 0;
            try
            {
                if (cluster == null || cluster.isClosed())
                {
                    leaderChanges.incrementAndGet();
                    final IpamException failed = connect();
                    if (failed != null)
                    {
                        LOG.debug("reconnect failed: {}", failed.getMessage());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                        continue;
                    }
                    resendAll = true;
                }
                work += cluster.pollEgress();
                if (cluster.isClosed())
                {
                    continue;
                }
                work += take();
                final long now = System.nanoTime();
                if (epoch == 0)
                {
                    // forgotten by the cluster: a new incarnation's HELLO before anything else is sent
                    if (now - lastHelloNs > HELLO_AGAIN_NS && cluster.offer(batch, 0, BatchFlyweight.hello(batch)) > 0)
                    {
                        lastHelloNs = now;
                    }
                    idle.idle(work);
                    continue;
                }
                if (!resendAll && oldest < sendCursor && now - sentAtNs[(int)(oldest & MASK)] > resendAfterNs)
                {
                    resendAll = true; // an answer is overdue: lost with a leader, or never sent by it
                }
                if (resendAll)
                {
                    resendAll = false;
                    if (oldest < sendCursor)
                    {
                        resends.incrementAndGet();
                    }
                    sendCursor = oldest;
                }
                work += send(now);
                if (now - lastSendNs > KEEP_ALIVE_NS)
                {
                    if (cluster.sendKeepAlive())
                    {
                        lastSendNs = now;
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("cluster client agent: {}", ex.toString());
                CloseHelper.quietClose(cluster);
                cluster = null;
            }
            idle.idle(work);
        }
        CloseHelper.quietClose(cluster);
        // answer what is left with CLOSED
        for (int i = 0; i < window.length; i++)
        {
            final Reply r = window[i];
            if (r != null)
            {
                window[i] = null;
                closedAnswer(r);
            }
        }
        Reply r;
        while ((r = submitted.poll()) != null)
        {
            closedAnswer(r);
        }
    }

    private void closedAnswer(final Reply r)
    {
        r.code = ErrorCode.CLOSED.resultCode();
        r.payloadLength = 0;
        deliver(r);
    }

    /**
     * Number the waiting commands that fit in the window.
     */
    private int take()
    {
        int n = 0;
        while (nextSeq - oldest < ClusterProtocol.WINDOW)
        {
            final Reply r = submitted.poll();
            if (r == null)
            {
                break;
            }
            final long seq = nextSeq++;
            final int i = (int)(seq & MASK);
            window[i] = r;
            windowSeq[i] = seq;
            n++;
        }
        return n;
    }

    /**
     * Send the numbered commands from the cursor on, in batches, as far as the publication takes them.
     */
    private int send(final long now)
    {
        int work = 0;
        while (sendCursor < nextSeq)
        {
            int at = BatchFlyweight.HEADER_LENGTH;
            int count = 0;
            long seq = sendCursor;
            for (; seq < nextSeq; seq++)
            {
                final int i = (int)(seq & MASK);
                final Reply r = window[i];
                if (r == null || windowSeq[i] != seq)
                {
                    continue; // answered
                }
                final int length = r.commandLength;
                if (count > 0 && at + BatchFlyweight.entryLength(length) > BATCH_BYTES)
                {
                    break;
                }
                at = BatchFlyweight.append(batch, at, seq, r.type, r.command, length);
                count++;
            }
            if (count == 0)
            {
                sendCursor = seq;
                break;
            }
            BatchFlyweight.header(batch, count, epoch, oldest - 1);
            final long result = cluster.offer(batch, 0, at);
            if (result < 0)
            {
                break; // back-pressure, or no leader yet: the same commands go on the next turn
            }
            for (long s = sendCursor; s < seq; s++)
            {
                sentAtNs[(int)(s & MASK)] = now;
            }
            sendCursor = seq;
            lastSendNs = now;
            work++;
        }
        return work;
    }

    @Override
    public void onMessage(final long clusterSessionId, final long timestamp, final DirectBuffer buffer,
        final int offset, final int length, final Header header)
    {
        if (length >= Egress.WELCOME_FIXED_LENGTH && buffer.getInt(offset) == ClusterProtocol.WELCOME)
        {
            welcome(buffer, offset, length);
            return;
        }
        if (length >= Egress.FORGOTTEN_LENGTH && buffer.getInt(offset) == ClusterProtocol.FORGOTTEN)
        {
            if (buffer.getLong(offset + 8) == epoch && epoch != 0)
            {
                forgotten();
            }
            return;
        }
        if (!replies.wrap(buffer, offset, length))
        {
            return;
        }
        while (replies.next())
        {
            final long seq = replies.sequence();
            final int i = (int)(seq & MASK);
            final Reply r = window[i];
            if (r != null && windowSeq[i] == seq && seq >= oldest)
            {
                replies.copyTo(r);
                window[i] = null;
                deliver(r);
            }
        }
        while (oldest < nextSeq && window[(int)(oldest & MASK)] == null)
        {
            oldest++;
        }
        if (sendCursor < oldest)
        {
            sendCursor = oldest;
        }
    }

    private void welcome(final DirectBuffer buffer, final int offset, final int length)
    {
        if (epoch != 0)
        {
            return; // a late WELCOME to a HELLO sent again: the first one counts
        }
        final int tenantLength = buffer.getInt(offset + 28);
        if (tenantLength > length - Egress.WELCOME_FIXED_LENGTH)
        {
            return;
        }
        if (tenantLength >= 0)
        {
            final byte[] t = new byte[tenantLength];
            buffer.getBytes(offset + Egress.WELCOME_FIXED_LENGTH, t);
            tenant = new String(t, StandardCharsets.UTF_8);
        }
        epoch = buffer.getLong(offset + 8);
    }

    /**
     * The cluster no longer knows this incarnation: every command in the window fails (each may have been applied),
     * and a new incarnation begins with a HELLO.
     */
    private void forgotten()
    {
        LOG.warn("the ipam cluster forgot client {} (epoch {}); its unanswered commands fail, a new epoch follows",
            clientId, epoch);
        for (long s = oldest; s < nextSeq; s++)
        {
            final int i = (int)(s & MASK);
            final Reply r = window[i];
            if (r != null && windowSeq[i] == s)
            {
                window[i] = null;
                r.error(ErrorCode.LIMIT_EXCEEDED, "the ipam cluster forgot this client (it drops the client seen " +
                    "longest ago past its caps, and one silent for an hour): this command may have been applied", wire);
                deliver(r);
            }
        }
        epoch = 0;
        nextSeq = 1;
        oldest = 1;
        sendCursor = 1;
    }

    @Override
    public void onNewLeader(final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
        final String ingressEndpoints)
    {
        leader = leaderMemberId;
        leaderChanges.incrementAndGet();
        resendAll = true; // what the old leader had not committed is gone: send every unanswered command again
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            agent.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        CloseHelper.quietCloseAll(aeron, driver);
    }
}
