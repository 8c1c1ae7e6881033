package io.ipam.core.protocol;

/**
 * The header every command starts with. Little-endian, as Agrona buffers write.
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
 * command time is the clock reading taken at the edge, the only time the engine ever sees.
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
}
