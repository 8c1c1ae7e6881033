package io.ipam.cluster;

import io.ipam.core.protocol.Reply;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Answers to a batch on the cluster's egress, written by {@link IpamClusteredService} (fresh ones) and
 * {@link ClientTable} (kept ones) and read by {@link ClusterTransport} through this class only (little-endian):
 * <pre>
 *   0: kind (int, {@link ClusterProtocol#REPLIES})   4: answer count (int)
 *   8: per answer: sequence (long), code (int), payload length (int), value (long), owner high (long),
 *      owner low (long), time (long), then the payload
 * </pre>
 * An answer carries a {@link Reply}'s fields as they are.
 */
final class RepliesFlyweight
{
    private static final int COUNT_OFFSET = 4;
    /** Bytes before the first answer. */
    static final int HEADER_LENGTH = 8;
    /** Bytes of an answer before its payload. */
    static final int ANSWER_HEADER_LENGTH = 48;

    private DirectBuffer buffer;
    private int end;
    private int at;
    private int index;
    private int count;
    private int answer;

    // writing

    /**
     * Write the header once the answers are in.
     *
     * @param out   the message.
     * @param count answers in it.
     */
    static void header(final MutableDirectBuffer out, final int count)
    {
        out.putInt(0, ClusterProtocol.REPLIES);
        out.putInt(COUNT_OFFSET, count);
    }

    /**
     * Put an answer's fixed part; its payload goes at the offset returned.
     *
     * @return where the payload goes.
     */
    static int putAnswer(final MutableDirectBuffer out, final int at, final long seq, final int code,
        final int payloadLength, final long value, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        out.putLong(at, seq);
        out.putInt(at + 8, code);
        out.putInt(at + 12, payloadLength);
        out.putLong(at + 16, value);
        out.putLong(at + 24, ownerMsb);
        out.putLong(at + 32, ownerLsb);
        out.putLong(at + 40, timeMs);
        return at + ANSWER_HEADER_LENGTH;
    }

    /**
     * Put a reply's answer whole.
     *
     * @return where the next answer starts.
     */
    static int putAnswer(final MutableDirectBuffer out, final int at, final long seq, final Reply r)
    {
        final int payload = putAnswer(out, at, seq, r.code, r.payloadLength, r.value, r.ownerMsb, r.ownerLsb,
            r.timeMs);
        out.putBytes(payload, r.payload, 0, r.payloadLength);
        return payload + r.payloadLength;
    }

    /**
     * @param payloadLength an answer's payload length.
     * @return the bytes the answer takes.
     */
    static int answerLength(final int payloadLength)
    {
        return ANSWER_HEADER_LENGTH + payloadLength;
    }

    // reading

    /**
     * @return true if the message holds answers (then read with {@link #next()}).
     */
    boolean wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.end = offset + length;
        this.at = offset + HEADER_LENGTH;
        this.index = 0;
        if (length < HEADER_LENGTH || buffer.getInt(offset) != ClusterProtocol.REPLIES)
        {
            return false;
        }
        this.count = buffer.getInt(offset + COUNT_OFFSET);
        return true;
    }

    /**
     * @return false when every answer that fits in the message was read (or one claims bytes past its end).
     */
    boolean next()
    {
        if (index >= count || ANSWER_HEADER_LENGTH > end - at)
        {
            return false;
        }
        answer = at;
        final int payloadLength = payloadLength();
        // compared as a difference: a length near 2^31 must not wrap around past the end
        if (payloadLength < 0 || payloadLength > end - answer - ANSWER_HEADER_LENGTH)
        {
            return false; // an answer that claims bytes past the message: the rest is not read
        }
        at += ANSWER_HEADER_LENGTH + payloadLength;
        index++;
        return true;
    }

    long sequence()
    {
        return buffer.getLong(answer);
    }

    int payloadLength()
    {
        return buffer.getInt(answer + 12);
    }

    /**
     * Copy the answer into a reply slot.
     *
     * @param r the slot.
     */
    void copyTo(final Reply r)
    {
        r.code = buffer.getInt(answer + 8);
        r.value = buffer.getLong(answer + 16);
        r.ownerMsb = buffer.getLong(answer + 24);
        r.ownerLsb = buffer.getLong(answer + 32);
        r.timeMs = buffer.getLong(answer + 40);
        r.payloadLength = payloadLength();
        if (r.payloadLength > 0)
        {
            r.payload.putBytes(0, buffer, answer + ANSWER_HEADER_LENGTH, r.payloadLength);
        }
    }
}
