package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The answer to a {@link MessageTypes#BATCH}, in a {@link Reply}'s payload: written by the writer's adapter entry by
 * entry ({@link #begin}, {@link #answer}, {@link #extra}), read in place by the edge ({@link #wrap}).
 * <pre>
 *   int N, int L, then per entry: int code, int extra (-1: none), long value (16 bytes), then L longs (extra area)
 * </pre>
 * An entry's code and value are what the single hot command would have answered. {@code extra} indexes the extra
 * area: an {@code ALLOCATE_BULK} that succeeded has its count addresses there, in the order taken; an
 * {@code OWNER_OF} that found an owner has (owner high, owner low, time). An entry sent with
 * {@link BatchCommandFlyweight#FLAG_WIDE} on a wide subnet (IPv6 /1 to /63) carries its addresses' high words there
 * too: a single allocation that succeeded the index of one long, the address's high 64 bits ({@code value} the low
 * 64); a bulk the index of (high, low) per address. No message travels per entry: the edge words it from the code and
 * its request. Sizes are known before anything is written ({@link #length}), so the payload
 * grows once.
 */
public final class BatchAnswerFlyweight
{
    /** Bytes before the first entry. */
    public static final int ENTRIES_OFFSET = 8;
    /** Bytes per entry. */
    public static final int ENTRY_LENGTH = 16;
    /** An entry without extra longs. */
    public static final int NO_EXTRA = -1;

    private DirectBuffer buffer;
    private int count;
    private int extraLongs;
    private int extraOffset;

    /**
     * @param entries    entries.
     * @param extraLongs longs in the extra area.
     * @return the payload's length.
     */
    public static int length(final int entries, final int extraLongs)
    {
        return ENTRIES_OFFSET + entries * ENTRY_LENGTH + extraLongs * 8;
    }

    /**
     * Start an answer of n entries with room for at most {@code maxExtraLongs} extra longs (the buffer is grown once).
     *
     * @param buffer        the payload.
     * @param entries       entries.
     * @param maxExtraLongs the most extra longs the entries may need.
     */
    public static void begin(final MutableDirectBuffer buffer, final int entries, final int maxExtraLongs)
    {
        buffer.checkLimit(length(entries, maxExtraLongs));
        buffer.putInt(0, entries);
        buffer.putInt(4, 0);
    }

    /**
     * @param buffer the payload.
     * @param i      an entry.
     * @param code   its code.
     * @param extra  the index of its first extra long, or {@link #NO_EXTRA}.
     * @param value  its value.
     */
    public static void answer(final MutableDirectBuffer buffer, final int i, final int code, final int extra,
        final long value)
    {
        final int at = ENTRIES_OFFSET + i * ENTRY_LENGTH;
        buffer.putInt(at, code);
        buffer.putInt(at + 4, extra);
        buffer.putLong(at + 8, value);
    }

    /**
     * Append a long to the extra area.
     *
     * @param buffer  the payload.
     * @param entries entries of the answer.
     * @param value   the long.
     * @return its index in the extra area.
     */
    public static int extra(final MutableDirectBuffer buffer, final int entries, final long value)
    {
        final int index = buffer.getInt(4);
        buffer.putLong(ENTRIES_OFFSET + entries * ENTRY_LENGTH + index * 8, value);
        buffer.putInt(4, index + 1);
        return index;
    }

    /**
     * @param buffer the payload being written.
     * @return the longs in its extra area so far.
     */
    public static int extraCount(final MutableDirectBuffer buffer)
    {
        return buffer.getInt(4);
    }

    /**
     * Drop the extra longs written after a mark (those of an entry that was undone).
     *
     * @param buffer the payload being written.
     * @param mark   {@link #extraCount} before the entry.
     */
    public static void truncateExtra(final MutableDirectBuffer buffer, final int mark)
    {
        buffer.putInt(4, mark);
    }

    /**
     * @param buffer  the payload.
     * @param entries entries of the answer.
     * @return the payload's length as written so far.
     */
    public static int written(final MutableDirectBuffer buffer, final int entries)
    {
        return length(entries, buffer.getInt(4));
    }

    /**
     * Read an answer in place.
     *
     * @param buffer the payload.
     * @param length its length.
     * @return this.
     * @throws IpamException {@code MALFORMED} when the counts do not match the length.
     */
    public BatchAnswerFlyweight wrap(final DirectBuffer buffer, final int length)
    {
        if (length < ENTRIES_OFFSET)
        {
            throw new IpamException(ErrorCode.MALFORMED, "a batch answer of " + length + " bytes");
        }
        final int n = buffer.getInt(0);
        final int l = buffer.getInt(4);
        if (n < 0 || l < 0 || (long)ENTRIES_OFFSET + (long)n * ENTRY_LENGTH + (long)l * 8 != length)
        {
            throw new IpamException(ErrorCode.MALFORMED, "a batch answer of " + length + " bytes cannot hold " + n +
                " entries and " + l + " longs");
        }
        this.buffer = buffer;
        this.count = n;
        this.extraLongs = l;
        this.extraOffset = ENTRIES_OFFSET + n * ENTRY_LENGTH;
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
     * @param i an entry.
     * @return its code.
     */
    public int code(final int i)
    {
        return buffer.getInt(ENTRIES_OFFSET + i * ENTRY_LENGTH);
    }

    /**
     * @param i an entry.
     * @return the index of its first extra long, or {@link #NO_EXTRA}.
     */
    public int extraIndex(final int i)
    {
        return buffer.getInt(ENTRIES_OFFSET + i * ENTRY_LENGTH + 4);
    }

    /**
     * @param i an entry.
     * @return its value.
     */
    public long value(final int i)
    {
        return buffer.getLong(ENTRIES_OFFSET + i * ENTRY_LENGTH + 8);
    }

    /**
     * @param index an index in the extra area.
     * @return the long there.
     * @throws IpamException {@code MALFORMED} past the area's end.
     */
    public long extra(final int index)
    {
        if (index < 0 || index >= extraLongs)
        {
            throw new IpamException(ErrorCode.MALFORMED, "batch answer extra index " + index + " of " + extraLongs);
        }
        return buffer.getLong(extraOffset + index * 8);
    }
}
