package io.ipam.core.protocol;

/**
 * The fixed body of the hot commands ({@link MessageTypes#ALLOCATE} to {@link MessageTypes#ALLOCATE_BULK}),
 * after the {@link CommandHeader}. Fields a type does not use are written 0.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Header (24 bytes) ...                       ...
 *  +---------------------------------------------------------------+
 *  |                    Subnet Handle (32)                         |
 *  +---------------------------------------------------------------+
 *  |                        Count (32)                             |
 *  +---------------------------------------------------------------+
 *  |          Address (64): offset-free value, or a MAC            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Owner, high 64 bits                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Owner, low 64 bits                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * The address is the low 64 bits of the address (IPv4: the 32-bit value); the high 64 bits of an IPv6 address
 * are the subnet's and are checked at the edge. A subnet handle is assigned by the engine when the subnet is
 * created, in creation order, and never reused, so a replayed log names the same subnets.
 */
public final class HotCommand
{
    /** Offset of the subnet handle. */
    public static final int HANDLE_OFFSET = CommandHeader.LENGTH;
    /** Offset of the count (bulk). */
    public static final int COUNT_OFFSET = HANDLE_OFFSET + 4;
    /** Offset of the address or MAC. */
    public static final int ADDRESS_OFFSET = COUNT_OFFSET + 4;
    /** Offset of the owner's high bits. */
    public static final int OWNER_MSB_OFFSET = ADDRESS_OFFSET + 8;
    /** Offset of the owner's low bits. */
    public static final int OWNER_LSB_OFFSET = OWNER_MSB_OFFSET + 8;
    /** Length of a hot command, header included. */
    public static final int LENGTH = OWNER_LSB_OFFSET + 8;

    private HotCommand()
    {
    }
}
