package io.ipam.cluster;

import io.aeron.ChannelUri;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.agrona.SystemUtil;

/**
 * The envelope around ipam's protocol commands on the cluster's ingress and egress (little-endian, Agrona
 * buffers); the commands inside are the bytes {@code docs/command-log.md} defines, unchanged. Written down in
 * {@code docs/cluster.md}, which wins over this class. The layouts are written and read only by
 * {@link BatchFlyweight} and {@link RepliesFlyweight}.
 * <pre>
 * Ingress: one batch of a client's commands
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                         kind (1: BATCH)                       |
 *  +---------------------------------------------------------------+
 *  |                         command count                         |
 *  +---------------------------------------------------------------+
 *  |          epoch (64 bits): the client incarnation's            |
 *  +---------------------------------------------------------------+
 *  |        acknowledged up to: every sequence &lt;= this answered    |
 *  +---------------------------------------------------------------+
 *  | per command: sequence (64 bits), type (32), length (32), bytes |
 *  +---------------------------------------------------------------+
 *
 * Egress: answers to one batch
 *  +---------------------------------------------------------------+
 *  |                        kind (2: REPLIES)                      |
 *  +---------------------------------------------------------------+
 *  |                          answer count                         |
 *  +---------------------------------------------------------------+
 *  | per answer: sequence (64), code (32), payload length (32),     |
 *  |   value (64), owner high (64), owner low (64), time (64),      |
 *  |   payload bytes                                                |
 *  +---------------------------------------------------------------+
 * HELLO (ingress, 8 bytes: kind 3, 0) starts a client incarnation; WELCOME (egress kind 4) gives its epoch, its
 * principal's tenant and the limits; FORGOTTEN (egress kind 5) says the members dropped that epoch.
 * </pre>
 * Who a client is comes from its session's principal ({@link ClusterCredentials}), never from a message. A client
 * numbers its commands 1, 2, 3, ... within its epoch and never has more than {@link #WINDOW} unanswered: the service
 * keeps the answer to every command above the client's acknowledged mark ({@link ClientTable}), so a command sent
 * again after a leader change is answered from there and never applied twice.
 */
public final class ClusterProtocol
{
    /** Ingress kind: a batch of commands. */
    public static final int BATCH = 1;
    /** Egress kind: answers. */
    public static final int REPLIES = 2;
    /** Ingress kind: a client incarnation's first message; answered {@link #WELCOME}. */
    public static final int HELLO = 3;
    /** Egress kind: the answer to {@link #HELLO}: the client's epoch, its principal's tenant, the limits. */
    public static final int WELCOME = 4;
    /** Egress kind: the cluster no longer knows this client's epoch; it says HELLO again. */
    public static final int FORGOTTEN = 5;

    /**
     * Largest ingress batch message: Aeron's largest message for the cluster's 16 MiB log and ingress terms (2 MiB)
     * less room for the session headers Aeron Cluster adds. A constant of the protocol, never read from a publication,
     * so every member and every client decide alike.
     */
    public static final int MAX_BATCH_BYTES = 2 * 1024 * 1024 - 64 * 1024;
    /** Largest command (a command alone in its batch); a client refuses a larger one with LIMIT_EXCEEDED. */
    public static final int MAX_COMMAND_BYTES = MAX_BATCH_BYTES - BatchFlyweight.HEADER_LENGTH -
        BatchFlyweight.ENTRY_HEADER_LENGTH;
    /**
     * Largest answer payload (an answer goes alone in its egress message when large); a member pages ({@code changes})
     * or refuses with LIMIT_EXCEEDED an answer that would be larger, the same on every member (the answer is
     * replicated state). A client's egress channel must carry it: its term at least 16 MiB.
     */
    public static final int MAX_ANSWER_BYTES = MAX_BATCH_BYTES;
    /** Bytes a port or bulk answer takes per item at most; a member refuses a maxBulk whose answer would not fit. */
    public static final int MAX_ANSWER_BYTES_PER_ITEM = 24;

    /**
     * Most commands a client may have unanswered; a command further than this above the client's acknowledged mark
     * is refused ({@code OVERLOADED}, not applied). A power of two.
     */
    public static final int WINDOW = 8192;

    /** The smallest egress term that carries the largest answer. */
    static final long MIN_EGRESS_TERM = 16L * 1024 * 1024;

    /**
     * Cluster-level command (never a {@code MessageTypes} id): every node writes a snapshot file of its state, at the
     * same log position, into its own {@code snapshots/} directory. Body after the 24-byte header: the file name as a
     * protocol string. Answer: code 0, value the number of allocations, payload the bytes written (long) and the
     * subnet count (int).
     */
    public static final int NODE_SNAPSHOT = 1001;

    /**
     * Cluster-level command: every member, when it applies it, creates the empty file {@code DIR/marks/NAME}: a
     * cheap way to see how far each member has applied the log (a member that is catching up writes it late). Body
     * as {@link #NODE_SNAPSHOT}'s. Answer: code 0, value the member's count of applied commands.
     */
    public static final int NODE_MARK = 1002;

    private ClusterProtocol()
    {
    }

    /**
     * Answers must fit the client's own egress: a term under 16 MiB cannot carry the largest answer.
     */
    static void checkEgress(final String channel)
    {
        final String term;
        try
        {
            term = ChannelUri.parse(channel).get("term-length");
        }
        catch (final RuntimeException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, "egress channel " + channel + " does not parse: " +
                ex.getMessage());
        }
        if (term != null)
        {
            final long bytes;
            try
            {
                bytes = SystemUtil.parseSize("term-length", term);
            }
            catch (final RuntimeException ex)
            {
                throw new IpamException(ErrorCode.MALFORMED, "egress term-length " + term + " does not parse");
            }
            if (bytes < MIN_EGRESS_TERM)
            {
                throw new IpamException(ErrorCode.MALFORMED, "egress term-length " + term + " is under 16m: the " +
                    "cluster's largest answer (" + ClusterProtocol.MAX_ANSWER_BYTES + " bytes) would not reach it");
            }
        }
    }
}
