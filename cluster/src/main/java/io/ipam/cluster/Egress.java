package io.ipam.cluster;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.aeron.Publication;
import io.aeron.cluster.service.ClientSession;
import io.ipam.core.protocol.Reply;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a member sends a client: answers (packed into messages of up to {@link #FLUSH_BYTES}, a large one alone),
 * WELCOME and FORGOTTEN ({@code docs/cluster.md}). Only the leader's sends reach anyone (followers' are mocked by
 * Aeron Cluster). Sending never throws into the apply path: an answer that cannot be sent (back-pressure past
 * {@link #GIVE_UP_NS}, a closed session, a publication that refuses the length) is dropped here, and the client sends
 * its command again and is answered from its kept answers. Service thread only.
 */
final class Egress
{
    /** An egress message is sent once it holds this much; larger answers go on their own. */
    static final int FLUSH_BYTES = 60 * 1024;
    /** WELCOME: kind, reserved, epoch, largest command, largest answer, window, tenant (int length, bytes). */
    static final int WELCOME_FIXED_LENGTH = 32;
    /** FORGOTTEN: kind, reserved, epoch. */
    static final int FORGOTTEN_LENGTH = 16;
    private static final long GIVE_UP_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final Logger LOG = LoggerFactory.getLogger(Egress.class);

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(FLUSH_BYTES + 4096);
    private final IdleStrategy idle;
    private ClientSession session;
    private int length;
    private int count;
    private long dropped;

    Egress(final IdleStrategy idle)
    {
        this.idle = idle;
    }

    /**
     * Start the answers to a batch of this session.
     */
    void begin(final ClientSession session)
    {
        this.session = session;
        length = RepliesFlyweight.HEADER_LENGTH;
        count = 0;
    }

    /**
     * Add a fresh answer.
     */
    void answer(final long sequence, final Reply r)
    {
        room(RepliesFlyweight.answerLength(r.payloadLength));
        length = RepliesFlyweight.putAnswer(buffer, length, sequence, r);
        count++;
    }

    /**
     * Add a kept answer.
     */
    void kept(final ClientTable.Client client, final long sequence)
    {
        room(client.answerLength(sequence));
        length = client.encodeAnswer(sequence, buffer, length);
        count++;
    }

    /**
     * Send what is left of the batch's answers.
     */
    void end()
    {
        if (count > 0)
        {
            RepliesFlyweight.header(buffer, count);
            offer(length);
        }
        count = 0;
        length = RepliesFlyweight.HEADER_LENGTH;
    }

    private void room(final int next)
    {
        if (count > 0 && length + next > FLUSH_BYTES)
        {
            end();
        }
    }

    /**
     * Tell a session its client's epoch and its principal's tenant.
     */
    void welcome(final ClientSession session, final long epoch, final String tenantOrNull)
    {
        this.session = session;
        buffer.putInt(0, ClusterProtocol.WELCOME);
        buffer.putInt(4, 0);
        buffer.putLong(8, epoch);
        buffer.putInt(16, ClusterProtocol.MAX_COMMAND_BYTES);
        buffer.putInt(20, ClusterProtocol.MAX_ANSWER_BYTES);
        buffer.putInt(24, ClusterProtocol.WINDOW);
        if (tenantOrNull == null)
        {
            buffer.putInt(28, -1);
            offer(WELCOME_FIXED_LENGTH);
            return;
        }
        final byte[] tenant = tenantOrNull.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(28, tenant.length);
        buffer.putBytes(WELCOME_FIXED_LENGTH, tenant);
        offer(WELCOME_FIXED_LENGTH + tenant.length);
    }

    /**
     * Tell a session its client's epoch is no longer known (it says HELLO again).
     */
    void forgotten(final ClientSession session, final long epoch)
    {
        this.session = session;
        buffer.putInt(0, ClusterProtocol.FORGOTTEN);
        buffer.putInt(4, 0);
        buffer.putLong(8, epoch);
        offer(FORGOTTEN_LENGTH);
    }

    /**
     * @return messages that could not be sent (their clients send again).
     */
    long dropped()
    {
        return dropped;
    }

    private void offer(final int bytes)
    {
        final long deadline = System.nanoTime() + GIVE_UP_NS;
        idle.reset();
        try
        {
            long result;
            while ((result = session.offer(buffer, 0, bytes)) < 0)
            {
                if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                    result == Publication.MAX_POSITION_EXCEEDED || System.nanoTime() - deadline > 0)
                {
                    dropped++;
                    LOG.debug("a message to session {} not sent: {}", session.id(), result);
                    return;
                }
                idle.idle();
            }
        }
        catch (final RuntimeException ex)
        {
            // a client whose egress cannot carry this length (its own channel's term): its loss, not the log's
            dropped++;
            LOG.debug("a message of {} bytes to session {} not sent: {}", bytes, session.id(), ex.toString());
        }
    }
}
