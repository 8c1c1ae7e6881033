package io.ipam.core.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The header every command starts with, written and read only here. Little-endian, as Agrona buffers write.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Correlation Id (64)                       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Reply Slot (32)                          |
 *  +---------------------------------------------------------------+
 *  |                       Reserved (32)                           |
 *  +---------------------------------------------------------------+
 *  |                    Command Time, ms (64)                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                          Body ...                            ...
 * </pre>
 * The correlation id and reply slot route the answer back to the caller and mean nothing to replay; the
 * command time is the clock reading taken at the edge, the only time the engine ever sees. A command whose body
 * is empty ({@link MessageTypes#CAPTURE}) is this header alone.
 */
public final class CommandHeader
{
    /** Offset of the correlation id. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Offset of the reply slot index. */
    public static final int REPLY_SLOT_OFFSET = 8;
    /** Offset of the reserved word (written 0). */
    public static final int RESERVED_OFFSET = 12;
    /** Offset of the command time in epoch milliseconds. */
    public static final int TIME_OFFSET = 16;
    /** Length of the header; the body starts here. */
    public static final int LENGTH = 24;

    private CommandHeader()
    {
    }

    /**
     * Begin a command at an offset: routing fields 0, the command time.
     *
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param timeMs the command time.
     * @return where the body starts.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final long timeMs)
    {
        buffer.putLong(offset + CORRELATION_ID_OFFSET, 0);
        buffer.putInt(offset + REPLY_SLOT_OFFSET, 0);
        buffer.putInt(offset + RESERVED_OFFSET, 0);
        buffer.putLong(offset + TIME_OFFSET, timeMs);
        return offset + LENGTH;
    }

    /**
     * Write the routing part of a command about to be sent.
     *
     * @param buffer        the buffer.
     * @param offset        where the command starts.
     * @param correlationId its correlation id.
     * @param replySlot     the reply slot its answer goes to.
     */
    public static void stamp(final MutableDirectBuffer buffer, final int offset, final long correlationId,
        final int replySlot)
    {
        buffer.putLong(offset + CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(offset + REPLY_SLOT_OFFSET, replySlot);
        buffer.putInt(offset + RESERVED_OFFSET, 0);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @return its time.
     */
    public static long timeMs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + TIME_OFFSET);
    }

    /**
     * Replace a command's time (a replicated log stamps its own).
     *
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param timeMs the time.
     */
    public static void timeMs(final MutableDirectBuffer buffer, final int offset, final long timeMs)
    {
        buffer.putLong(offset + TIME_OFFSET, timeMs);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @return the reply slot its answer goes to.
     */
    public static int replySlot(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + REPLY_SLOT_OFFSET);
    }
}
