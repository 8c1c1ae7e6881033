package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The body of {@link MessageTypes#BATCH}: hot commands without their headers, in fixed 48-byte entries after an entry
 * count, so the whole batch has one header (one command time). Written entry by entry ({@link #begin},
 * {@link #entry}), read in place ({@link #wrap}); an entry's hot body is read through {@link HotCommandFlyweight}
 * ({@link #wrapEntry}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Header (24 bytes) ...                       ...
 *  +---------------------------------------------------------------+
 *  |                      Entry Count N (32)                       |
 *  +---------------------------------------------------------------+
 *  |                        Reserved (32)                          |
 *  +---------------------------------------------------------------+   entry i at 32 + 48 i:
 *  |                 Type (32): a hot type, 0 SKIPPED              |
 *  +---------------------------------------------------------------+
 *  |   Flags (32): bit 0 = address high word given, bit 1 = wide   |
 *  +---------------------------------------------------------------+
 *  |   Hot body (32 bytes): handle, count, address, owner hi, lo  ...
 *  +---------------------------------------------------------------+
 *  |              Address, high 64 bits (flag bit 0), else 0       |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * {@code docs/command-log.md} is the format; a command of another length than 32 + 48 N, a type other than 0-8, or
 * an unknown flag is {@code MALFORMED}. Flag bit 1 ({@link #FLAG_WIDE}) marks an entry that may name a wide subnet
 * (IPv6 /1 to /63): its answer carries the addresses' high words; without it such an entry is {@code MALFORMED}, as
 * in every batch written before the bit existed.
 */
public final class BatchCommandFlyweight
{
    /** Type of an entry that was not applied (it faulted, or the store refused it): answered 0, applies nothing. */
    public static final int SKIPPED = 0;
    /** Flag: the address's high 64 bits are given. */
    public static final int FLAG_ADDRESS_HIGH = 1;
    /**
     * Flag: the entry may name a wide subnet (IPv6 /1 to /63) and its answer carries the addresses' high words (set
     * by the edge exactly on the entries that name one; changes nothing on a narrow subnet).
     */
    public static final int FLAG_WIDE = 2;
    private static final int KNOWN_FLAGS = FLAG_ADDRESS_HIGH | FLAG_WIDE;
    /** Offset of the entry count. */
    public static final int COUNT_OFFSET = CommandHeader.LENGTH;
    /** Offset of the first entry. */
    public static final int ENTRIES_OFFSET = COUNT_OFFSET + 8;
    /** Bytes per entry. */
    public static final int ENTRY_LENGTH = 48;
    /** Offset in an entry of its type. */
    public static final int TYPE_OFFSET = 0;
    /** Offset in an entry of its flags. */
    public static final int FLAGS_OFFSET = 4;
    /** Offset in an entry of its hot body (handle, count, address, owner). */
    public static final int BODY_OFFSET = 8;
    /** Offset in an entry of the address's high 64 bits. */
    public static final int ADDRESS_HIGH_OFFSET = 40;

    private DirectBuffer buffer;
    private int offset;
    private int count;
    private long totalAddresses;
    private long answerLongs;

    /**
     * @param entries the number of entries.
     * @return the length of a batch of that many entries, header included.
     */
    public static int length(final int entries)
    {
        return ENTRIES_OFFSET + entries * ENTRY_LENGTH;
    }

    /**
     * Write the entry count after a header begun with {@link CommandHeader#encode}.
     *
     * @param buffer  the buffer.
     * @param offset  where the command (its header) starts.
     * @param entries the number of entries that follow.
     * @return the command's length once the entries are written.
     */
    public static int begin(final MutableDirectBuffer buffer, final int offset, final int entries)
    {
        buffer.putInt(offset + COUNT_OFFSET, entries);
        buffer.putInt(offset + COUNT_OFFSET + 4, 0);
        return length(entries);
    }

    /**
     * Write entry i with its flags.
     *
     * @param buffer      the buffer.
     * @param offset      where the command (its header) starts.
     * @param i           the entry's index.
     * @param type        a hot type ({@link MessageTypes#ALLOCATE} .. {@link MessageTypes#ALLOCATE_BULK}).
     * @param handle      subnet handle.
     * @param count       count (bulk), else 0.
     * @param address     the address's low 64 bits or a MAC, else 0.
     * @param addressHigh the address's high 64 bits when {@link #FLAG_ADDRESS_HIGH} is set, else ignored.
     * @param flags       {@link #FLAG_ADDRESS_HIGH} and {@link #FLAG_WIDE}, or 0.
     * @param ownerMsb    owner high bits, else 0.
     * @param ownerLsb    owner low bits, else 0.
     */
    public static void entry(final MutableDirectBuffer buffer, final int offset, final int i, final int type,
        final int handle, final int count, final long address, final long addressHigh, final int flags,
        final long ownerMsb, final long ownerLsb)
    {
        final int at = offset + ENTRIES_OFFSET + i * ENTRY_LENGTH;
        buffer.putInt(at + TYPE_OFFSET, type);
        buffer.putInt(at + FLAGS_OFFSET, flags);
        // the hot body sits where a hot command's body would if the entry's first 8 bytes were its header's last 8
        HotCommandFlyweight.encode(buffer, at + BODY_OFFSET - CommandHeader.LENGTH, handle, count, address, ownerMsb,
            ownerLsb);
        buffer.putLong(at + ADDRESS_HIGH_OFFSET, (flags & FLAG_ADDRESS_HIGH) != 0 ? addressHigh : 0);
    }

    /**
     * Read a batch in place: its length and every entry's type and flags are checked here.
     *
     * @param buffer the buffer.
     * @param offset where the command (its header) starts.
     * @param length its length, header included.
     * @return this.
     * @throws IpamException {@code MALFORMED} for a damaged batch.
     */
    public BatchCommandFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < ENTRIES_OFFSET)
        {
            throw new IpamException(ErrorCode.MALFORMED, "a batch of " + length + " bytes is shorter than its count");
        }
        final int n = buffer.getInt(offset + COUNT_OFFSET);
        if (n < 1 || (length - ENTRIES_OFFSET) % ENTRY_LENGTH != 0 || (length - ENTRIES_OFFSET) / ENTRY_LENGTH != n)
        {
            throw new IpamException(ErrorCode.MALFORMED, "a batch of " + length + " bytes cannot hold " + n +
                " entries of " + ENTRY_LENGTH + " bytes");
        }
        long addresses = 0;
        long longs = 0;
        for (int i = 0; i < n; i++)
        {
            final int at = offset + ENTRIES_OFFSET + i * ENTRY_LENGTH;
            final int type = buffer.getInt(at + TYPE_OFFSET);
            final int flags = buffer.getInt(at + FLAGS_OFFSET);
            final boolean wide = (flags & FLAG_WIDE) != 0;
            if (type == MessageTypes.ALLOCATE_BULK)
            {
                final int c = buffer.getInt(at + BODY_OFFSET + 4);
                addresses += Math.max(1, c);
                longs += Math.max(0, c) * (wide ? 2L : 1L); // a wide bulk: (high, low) per address
            }
            else if (type != SKIPPED)
            {
                if (type < MessageTypes.ALLOCATE || type > MessageTypes.ALLOCATE_BULK)
                {
                    throw new IpamException(ErrorCode.MALFORMED, "batch entry " + i + " has type " + type +
                        ", not a hot command");
                }
                addresses++;
                longs += type == MessageTypes.OWNER_OF ? 3 : wide && type <= MessageTypes.ALLOCATE_EUI64 ? 1 : 0;
            }
            if ((flags & ~KNOWN_FLAGS) != 0)
            {
                throw new IpamException(ErrorCode.MALFORMED, "batch entry " + i + " has unknown flags");
            }
        }
        this.totalAddresses = addresses;
        this.answerLongs = longs;
        this.buffer = buffer;
        this.offset = offset;
        this.count = n;
        return this;
    }

    /**
     * @return the number of entries.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the addresses the whole batch asks for: a bulk of n counts n (at least 1), a skipped entry 0, any other
     * entry 1.
     */
    public long totalAddresses()
    {
        return totalAddresses;
    }

    /**
     * @return the most longs its answer's extra area needs: each bulk's count (twice that with {@link #FLAG_WIDE}), 3
     * per {@code OWNER_OF}, 1 per single allocation with {@link #FLAG_WIDE} (its high word).
     */
    public long answerLongs()
    {
        return answerLongs;
    }

    /**
     * @return the command time (header).
     */
    public long timeMs()
    {
        return CommandHeader.timeMs(buffer, offset);
    }

    private int at(final int i)
    {
        return offset + ENTRIES_OFFSET + i * ENTRY_LENGTH;
    }

    /**
     * @param i an entry.
     * @return its type, or {@link #SKIPPED}.
     */
    public int type(final int i)
    {
        return buffer.getInt(at(i) + TYPE_OFFSET);
    }

    /**
     * @param i an entry.
     * @return true if its address's high 64 bits are given.
     */
    public boolean addressHighGiven(final int i)
    {
        return (buffer.getInt(at(i) + FLAGS_OFFSET) & FLAG_ADDRESS_HIGH) != 0;
    }

    /**
     * @param i an entry.
     * @return true if it may name a wide subnet and is answered with high words ({@link #FLAG_WIDE}).
     */
    public boolean wide(final int i)
    {
        return (buffer.getInt(at(i) + FLAGS_OFFSET) & FLAG_WIDE) != 0;
    }

    /**
     * @param i an entry.
     * @return its address's high 64 bits (0 when not given).
     */
    public long addressHigh(final int i)
    {
        return buffer.getLong(at(i) + ADDRESS_HIGH_OFFSET);
    }

    /**
     * @param i an entry.
     * @return the addresses it asks for: its count for a bulk, else 1 (0 for a skipped entry).
     */
    public long addresses(final int i)
    {
        final int type = type(i);
        if (type == SKIPPED)
        {
            return 0;
        }
        return type == MessageTypes.ALLOCATE_BULK ? Math.max(1, buffer.getInt(at(i) + BODY_OFFSET + 4)) : 1;
    }

    /**
     * Point a hot command flyweight at entry i's body (its header is not part of the entry: read the batch's time).
     * The entry's address high word sits where a hot command's field after the owner does, so with flag bit 0 the
     * flyweight reads the entry as a hot command of {@link HotCommandFlyweight#LENGTH} + 8 bytes.
     *
     * @param i   an entry.
     * @param hot the flyweight.
     * @return it, wrapped.
     */
    public HotCommandFlyweight wrapEntry(final int i, final HotCommandFlyweight hot)
    {
        return hot.wrapBody(buffer, at(i) + BODY_OFFSET,
            HotCommandFlyweight.LENGTH + (addressHighGiven(i) ? 8 : 0));
    }

    /**
     * @param i a {@link #SKIPPED} entry.
     * @return the code it is answered with: the one it had when it was undone (kept in its count field).
     */
    public int skippedCode(final int i)
    {
        return buffer.getInt(at(i) + BODY_OFFSET + 4);
    }

    /**
     * Rewrite entry i as {@link #SKIPPED}, keeping the code it was answered with in its count field (the writer does
     * this to an entry it undid, before the batch is logged, so a replay answers it the same).
     *
     * @param i    an entry.
     * @param code the code it was answered with.
     */
    public void skip(final int i, final int code)
    {
        final MutableDirectBuffer b = (MutableDirectBuffer)buffer;
        b.putInt(at(i) + TYPE_OFFSET, SKIPPED);
        b.putInt(at(i) + BODY_OFFSET + 4, code);
    }
}
