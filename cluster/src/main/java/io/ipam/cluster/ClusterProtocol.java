package io.ipam.cluster;

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
 *  |                     client id (64 bits)                       |
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
 * </pre>
 * A client numbers its commands 1, 2, 3, ... and never has more than {@link #WINDOW} unanswered: the service keeps
 * the answer to every command above the client's acknowledged mark, so a command sent again after a leader change
 * is answered from there and never applied twice.
 */
public final class ClusterProtocol
{
    /** Ingress kind: a batch of commands. */
    public static final int BATCH = 1;
    /** Egress kind: answers. */
    public static final int REPLIES = 2;

    /**
     * Most commands a client may have unanswered; a command further than this above the client's acknowledged mark
     * is refused ({@code OVERLOADED}, not applied). A power of two.
     */
    public static final int WINDOW = 8192;

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
}
