package io.ipam.core.protocol;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The fixed body of the hot commands ({@link MessageTypes#ALLOCATE} to {@link MessageTypes#ALLOCATE_BULK}),
 * after the {@link CommandHeader}: written with {@link #encode}, read in place through {@link #wrap}. Fields a
 * type does not use are written 0.
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
 * created, in creation order, and never reused, so a replayed log names the same subnets. A wide subnet's (IPv6 /1
 * to /63) specific, release and owner commands carry the address's high 64 bits after the owner
 * ({@link #WIDE_LENGTH} bytes); a shorter command means the subnet's own high bits, as every command written before
 * them did, so older logs replay unchanged.
 */
public final class HotCommandFlyweight
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
    /** Offset of the address's high 64 bits, present on a wide subnet's (IPv6 /1 to /63) specific, release and
     * owner commands only: a {@link #WIDE_LENGTH}-byte command. A shorter one means the subnet's own high bits. */
    public static final int ADDRESS_HIGH_OFFSET = LENGTH;
    /** Length of a hot command that carries the address's high 64 bits. */
    public static final int WIDE_LENGTH = ADDRESS_HIGH_OFFSET + 8;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * Write a hot command's body after a header begun with {@link CommandHeader#encode}.
     *
     * @param buffer   the buffer.
     * @param offset   where the command (its header) starts.
     * @param handle   subnet handle.
     * @param count    count (bulk), else 0.
     * @param address  address value or MAC, else 0.
     * @param ownerMsb owner high bits, else 0.
     * @param ownerLsb owner low bits, else 0.
     * @return the command's length, header included.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final int handle, final int count,
        final long address, final long ownerMsb, final long ownerLsb)
    {
        buffer.putInt(offset + HANDLE_OFFSET, handle);
        buffer.putInt(offset + COUNT_OFFSET, count);
        buffer.putLong(offset + ADDRESS_OFFSET, address);
        buffer.putLong(offset + OWNER_MSB_OFFSET, ownerMsb);
        buffer.putLong(offset + OWNER_LSB_OFFSET, ownerLsb);
        return LENGTH;
    }

    /**
     * Write the address's high 64 bits after a body written by {@link #encode} (a wide subnet's command).
     *
     * @param buffer    the buffer.
     * @param offset    where the command (its header) starts.
     * @param addressHi the address's high 64 bits.
     * @return the command's length, header included: {@link #WIDE_LENGTH}.
     */
    public static int encodeAddressHigh(final MutableDirectBuffer buffer, final int offset, final long addressHi)
    {
        buffer.putLong(offset + ADDRESS_HIGH_OFFSET, addressHi);
        return WIDE_LENGTH;
    }

    /**
     * Read a hot command in place.
     *
     * @param buffer the buffer.
     * @param offset where the command (its header) starts.
     * @param length its length, header included: {@link #LENGTH} or more (a longer one may carry fields added
     *               after the owner), else {@link #isComplete()} is false and nothing else may be read.
     * @return this.
     */
    public HotCommandFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Read a hot body that has no header of its own in place (an entry of a {@link MessageTypes#BATCH}); fields after
     * the owner read as from a command of {@code length} bytes, and {@link #timeMs()} may not be called.
     *
     * @param buffer     the buffer.
     * @param bodyOffset where the body (the subnet handle) starts.
     * @param length     the length a command holding this body would have: {@link #LENGTH}, or more when fields
     *                   added after the owner follow the body (a batch entry's address high word: 8 more).
     * @return this.
     */
    public HotCommandFlyweight wrapBody(final DirectBuffer buffer, final int bodyOffset, final int length)
    {
        this.buffer = buffer;
        this.offset = bodyOffset - HANDLE_OFFSET;
        this.length = length;
        return this;
    }

    /**
     * @return true if the command holds every field of this layout.
     */
    public boolean isComplete()
    {
        return length >= LENGTH;
    }

    /**
     * @return the command's length, header included.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the command time (header).
     */
    public long timeMs()
    {
        return CommandHeader.timeMs(buffer, offset);
    }

    /**
     * @return the subnet handle.
     */
    public int handle()
    {
        return buffer.getInt(offset + HANDLE_OFFSET);
    }

    /**
     * @return the count.
     */
    public int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET);
    }

    /**
     * @return the address value or MAC.
     */
    public long address()
    {
        return buffer.getLong(offset + ADDRESS_OFFSET);
    }

    /**
     * @return true if the command carries the address's high 64 bits ({@link #addressHigh()}).
     */
    public boolean hasAddressHigh()
    {
        return length >= WIDE_LENGTH;
    }

    /**
     * @return the address's high 64 bits (only when {@link #hasAddressHigh()}).
     */
    public long addressHigh()
    {
        return buffer.getLong(offset + ADDRESS_HIGH_OFFSET);
    }

    /**
     * @return the owner's high bits.
     */
    public long ownerMsb()
    {
        return buffer.getLong(offset + OWNER_MSB_OFFSET);
    }

    /**
     * @return the owner's low bits.
     */
    public long ownerLsb()
    {
        return buffer.getLong(offset + OWNER_LSB_OFFSET);
    }
}
