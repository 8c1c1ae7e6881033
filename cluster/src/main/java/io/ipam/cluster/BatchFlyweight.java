package io.ipam.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A client's message on the cluster's ingress, written by {@link ClusterTransport} and read by
 * {@link IpamClusteredService} through this class only (little-endian, as {@code docs/cluster.md} draws it):
 * <pre>
 *   BATCH:  0: kind (int, {@link ClusterProtocol#BATCH})   4: command count (int)
 *           8: epoch (long)                               16: acknowledged up to (long)
 *          24: per command: sequence (long), type (int), length (int), then the command's bytes
 *   HELLO:  0: kind (int, {@link ClusterProtocol#HELLO})   4: 0 (int); 8 bytes in all
 * </pre>
 * A message nobody vouches for is read here: the whole message's framing is checked before a single command is looked
 * at, with arithmetic that cannot overflow (a length is compared with the bytes left, never added to an offset first),
 * so a hostile count or length is refused, not followed. Nothing is allocated. A message that does not check out is
 * refused whole, the same on every member (it is the log's bytes). One instance per thread; {@link #wrap} then, if it
 * answered {@link #OK}, the commands in order with {@link #next()}.
 */
final class BatchFlyweight
{
    /** The message checked out. */
    static final int OK = 0;
    /** Shorter than its kind's header. */
    static final int SHORT = 1;
    /** A kind this member does not know. */
    static final int UNKNOWN_KIND = 2;
    /** A command count below 0 or above the window. */
    static final int BAD_COUNT = 3;
    /** An entry whose header or bytes run past the message's end. */
    static final int PAST_END = 4;
    /** A command longer than {@link ClusterProtocol#MAX_COMMAND_BYTES} or shorter than 0. */
    static final int BAD_LENGTH = 5;
    /** Bytes left over after the last command. */
    static final int TRAILING = 6;


    private static final int COUNT_OFFSET = 4;
    private static final int EPOCH_OFFSET = 8;
    private static final int ACKED_OFFSET = 16;
    /** Bytes before the first command of a batch. */
    static final int HEADER_LENGTH = 24;
    /** Bytes before each command's own bytes: sequence, type, length. */
    static final int ENTRY_HEADER_LENGTH = 16;
    /** Bytes of a HELLO. */
    static final int HELLO_LENGTH = 8;

    // writing

    /**
     * Put one command after the others.
     *
     * @param out     the batch's buffer.
     * @param at      where the entry starts (first: {@link #HEADER_LENGTH}).
     * @param seq     the command's sequence.
     * @param type    its type.
     * @param command its bytes.
     * @param length  how many.
     * @return where the next entry starts.
     */
    static int append(final MutableDirectBuffer out, final int at, final long seq, final int type,
        final DirectBuffer command, final int length)
    {
        out.putLong(at, seq);
        out.putInt(at + 8, type);
        out.putInt(at + 12, length);
        out.putBytes(at + ENTRY_HEADER_LENGTH, command, 0, length);
        return at + ENTRY_HEADER_LENGTH + length;
    }

    /**
     * @param length a command's length.
     * @return the bytes its entry takes.
     */
    static int entryLength(final int length)
    {
        return ENTRY_HEADER_LENGTH + length;
    }

    /**
     * Write the batch's header once its commands are in.
     *
     * @param out   the batch's buffer.
     * @param count commands in it.
     * @param epoch the client's epoch (from its WELCOME).
     * @param acked every sequence at or below this was answered and read.
     */
    static void header(final MutableDirectBuffer out, final int count, final long epoch, final long acked)
    {
        out.putInt(0, ClusterProtocol.BATCH);
        out.putInt(COUNT_OFFSET, count);
        out.putLong(EPOCH_OFFSET, epoch);
        out.putLong(ACKED_OFFSET, acked);
    }

    /**
     * Write a HELLO.
     *
     * @return its length.
     */
    static int hello(final MutableDirectBuffer out)
    {
        out.putInt(0, ClusterProtocol.HELLO);
        out.putInt(COUNT_OFFSET, 0);
        return HELLO_LENGTH;
    }

    // reading

    private DirectBuffer buffer;
    private int offset;
    private int end;
    private int kind;
    private int count;
    private int at;
    private int index;
    private long sequence;
    private int type;
    private int commandOffset;
    private int commandLength;

    /**
     * Check a message's framing.
     *
     * @param buffer the message.
     * @param offset where it starts.
     * @param length its bytes (as the log delivered them: 0 or more).
     * @return {@link #OK}, or why it is refused.
     */
    int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.end = offset + length; // the log's own offsets: cannot overflow
        this.kind = 0;
        this.count = 0;
        this.index = 0;
        if (length < 4)
        {
            return SHORT;
        }
        kind = buffer.getInt(offset);
        if (kind == ClusterProtocol.HELLO)
        {
            return length == HELLO_LENGTH ? OK : length < HELLO_LENGTH ? SHORT : TRAILING;
        }
        if (kind != ClusterProtocol.BATCH)
        {
            return UNKNOWN_KIND;
        }
        if (length < HEADER_LENGTH)
        {
            return SHORT;
        }
        final int n = buffer.getInt(offset + COUNT_OFFSET);
        if (n < 0 || n > ClusterProtocol.WINDOW ||
            n > (length - HEADER_LENGTH) / ENTRY_HEADER_LENGTH)
        {
            return BAD_COUNT;
        }
        int p = offset + HEADER_LENGTH;
        for (int i = 0; i < n; i++)
        {
            if (end - p < ENTRY_HEADER_LENGTH)
            {
                return PAST_END;
            }
            final int len = buffer.getInt(p + 12);
            if (len < 0 || len > ClusterProtocol.MAX_COMMAND_BYTES)
            {
                return BAD_LENGTH;
            }
            p += ENTRY_HEADER_LENGTH;
            if (len > end - p)
            {
                return PAST_END;
            }
            p += len;
        }
        if (p != end)
        {
            return TRAILING;
        }
        count = n;
        at = offset + HEADER_LENGTH;
        return OK;
    }

    /**
     * @param why a code from {@link #wrap}.
     * @return its words, for a log line.
     */
    static String reason(final int why)
    {
        switch (why)
        {
            case OK:
                return "ok";
            case SHORT:
                return "shorter than its header";
            case UNKNOWN_KIND:
                return "of an unknown kind";
            case BAD_COUNT:
                return "with a command count out of range";
            case PAST_END:
                return "with a command running past its end";
            case BAD_LENGTH:
                return "with a command length out of range";
            case TRAILING:
                return "with bytes after its last command";
            default:
                return "refused (" + why + ")";
        }
    }

    int kind()
    {
        return kind;
    }

    /**
     * @return the batch's command count.
     */
    int count()
    {
        return count;
    }

    /**
     * @return the epoch the batch names (its client's incarnation).
     */
    long epoch()
    {
        return buffer.getLong(offset + EPOCH_OFFSET);
    }

    /**
     * @return the batch's acknowledged mark.
     */
    long acked()
    {
        return buffer.getLong(offset + ACKED_OFFSET);
    }

    /**
     * Step to the next command.
     *
     * @return false after the last.
     */
    boolean next()
    {
        if (index >= count)
        {
            return false;
        }
        sequence = buffer.getLong(at);
        type = buffer.getInt(at + 8);
        commandLength = buffer.getInt(at + 12);
        commandOffset = at + ENTRY_HEADER_LENGTH;
        at = commandOffset + commandLength;
        index++;
        return true;
    }

    long sequence()
    {
        return sequence;
    }

    int type()
    {
        return type;
    }

    int commandOffset()
    {
        return commandOffset;
    }

    int commandLength()
    {
        return commandLength;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }
}
