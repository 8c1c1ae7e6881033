package io.ipam.core.agent;

/**
 * Layout of the records callers write into the request ring. All fields little-endian (Agrona's default),
 * aligned. The message type id of the ring record says which request it is.
 * <pre>
 * Hot request (types 1-7, {@link io.ipam.core.internal.HotRequest} constants), 48 bytes:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                        Correlation Id                         |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Reply Slot Index                          |
 *  +---------------------------------------------------------------+
 *  |                     Subnet Handle                             |
 *  +---------------------------------------------------------------+
 *  |              Address value (IPv4, or IPv6 low 64 bits)        |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Owner high 64 bits                     |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                        Owner low 64 bits                      |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                     Time (epoch ms)                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *
 * Command ({@link #COMMAND}), 16 bytes: Correlation Id (8), Command Slot Index (4), padding (4).
 *
 * Batch ({@link #BATCH}): Correlation Id (8), Batch Slot Index (4), Count (4), then Count hot-request records
 * of 48 bytes each whose Reply Slot Index field holds the request type.
 * </pre>
 */
public final class RequestDescriptor
{
    /** Type of a command record. */
    public static final int COMMAND = 100;
    /** Type of a batch record. */
    public static final int BATCH = 101;

    /** Offset of the correlation id. */
    public static final int CORRELATION_ID_OFFSET = 0;
    /** Offset of the reply slot index (or, inside a batch, the request type). */
    public static final int SLOT_OFFSET = 8;
    /** Offset of the subnet handle. */
    public static final int HANDLE_OFFSET = 12;
    /** Offset of the address value. */
    public static final int ADDRESS_OFFSET = 16;
    /** Offset of the owner's high bits. */
    public static final int OWNER_MSB_OFFSET = 24;
    /** Offset of the owner's low bits. */
    public static final int OWNER_LSB_OFFSET = 32;
    /** Offset of the time. */
    public static final int TIME_OFFSET = 40;
    /** Length of a hot request. */
    public static final int HOT_LENGTH = 48;
    /** Length of a command record. */
    public static final int COMMAND_LENGTH = 16;
    /** Offset of the count in a batch record. */
    public static final int BATCH_COUNT_OFFSET = 12;
    /** Length of a batch header; records follow. */
    public static final int BATCH_HEADER_LENGTH = 16;

    private RequestDescriptor()
    {
    }
}
