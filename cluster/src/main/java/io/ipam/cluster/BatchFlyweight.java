package io.ipam.cluster;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A client's batch of commands on the cluster's ingress, written by {@link ClusterTransport} and read by
 * {@link IpamClusteredService} through this class only (little-endian, as {@link ClusterProtocol} draws it):
 * <pre>
 *   0: kind (int, {@link ClusterProtocol#BATCH})   4: command count (int)
 *   8: client id (long)                           16: acknowledged up to (long)
 *  24: per command: sequence (long), type (int), length (int), then the command's bytes
 * </pre>
 * Reading checks every entry against the batch's end: {@link #next()} is false for a batch cut short, and says
 * which ({@link #cutShort()}, {@link #overrun()}).
 */
final class BatchFlyweight
{
    private static final int COUNT_OFFSET = 4;
    private static final int CLIENT_ID_OFFSET = 8;
    private static final int ACKED_OFFSET = 16;
    /** Bytes before the first command of a batch. */
    static final int HEADER_LENGTH = 24;
    /** Bytes before each command's own bytes: sequence, type, length. */
    static final int ENTRY_HEADER_LENGTH = 16;

    private DirectBuffer buffer;
    private int offset;
    private int end;
    private int at;
    private int index;
    private long sequence;
    private int type;
    private int commandOffset;
    private int commandLength;
    private boolean overrun;

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
     * @param out      the batch's buffer.
     * @param count    commands in it.
     * @param clientId the client.
     * @param acked    every sequence at or below this was answered and read.
     */
    static void header(final MutableDirectBuffer out, final int count, final long clientId, final long acked)
    {
        out.putInt(0, ClusterProtocol.BATCH);
        out.putInt(COUNT_OFFSET, count);
        out.putLong(CLIENT_ID_OFFSET, clientId);
        out.putLong(ACKED_OFFSET, acked);
    }

    // reading

    /**
     * @param buffer the message.
     * @param offset where it starts.
     * @param length its length.
     * @return true if it is a batch (then the commands are read with {@link #next()}).
     */
    boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.end = offset + length;
        this.at = offset + HEADER_LENGTH;
        this.index = 0;
        this.overrun = false;
        return length >= HEADER_LENGTH && buffer.getInt(offset) == ClusterProtocol.BATCH;
    }

    int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET);
    }

    long clientId()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET);
    }

    long acked()
    {
        return buffer.getLong(offset + ACKED_OFFSET);
    }

    /**
     * Move to the next command.
     *
     * @return false when all were read, or the batch ends before the next one does.
     */
    boolean next()
    {
        if (index >= count() || ENTRY_HEADER_LENGTH > end - at)
        {
            return false;
        }
        sequence = buffer.getLong(at);
        type = buffer.getInt(at + 8);
        commandLength = buffer.getInt(at + 12);
        commandOffset = at + ENTRY_HEADER_LENGTH;
        // compared as a difference: a length near 2^31 must not wrap around past the end
        if (commandLength < 0 || commandLength > end - commandOffset)
        {
            overrun = true;
            return false;
        }
        at = commandOffset + commandLength;
        index++;
        return true;
    }

    /**
     * @return commands read so far.
     */
    int index()
    {
        return index;
    }

    /**
     * @return true if the batch ended before all its commands did.
     */
    boolean cutShort()
    {
        return index < count() && !overrun;
    }

    /**
     * @return true if a command claimed bytes past the batch's end.
     */
    boolean overrun()
    {
        return overrun;
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
}
