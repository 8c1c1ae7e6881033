package io.ipam.cluster;

import java.util.ArrayList;
import java.util.List;

import io.ipam.core.protocol.Reply;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster's envelope (a client's batch of commands) and its answers round-trip through their flyweights, the
 * only code that writes and reads them; a batch or an answer that claims bytes past its message's end is not read
 * past it, whatever its length field says (a length near 2^31 included).
 */
class EnvelopeFlyweightTest
{
    @Test
    void shouldRoundTripABatch()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        int at = BatchFlyweight.HEADER_LENGTH;
        at = BatchFlyweight.append(out, at, 41, 1, new UnsafeBuffer(new byte[] {1, 2, 3}), 3);
        at = BatchFlyweight.append(out, at, 42, 30, new UnsafeBuffer(new byte[] {4, 5}), 2);
        BatchFlyweight.header(out, 2, 77, 40);
        final BatchFlyweight b = new BatchFlyweight();
        assertEquals(BatchFlyweight.OK, b.wrap(out, 0, at));
        assertEquals(ClusterProtocol.BATCH, b.kind());
        assertEquals(2, b.count());
        assertEquals(77, b.epoch());
        assertEquals(40, b.acked());
        final List<String> read = new ArrayList<>();
        while (b.next())
        {
            final byte[] bytes = new byte[b.commandLength()];
            out.getBytes(b.commandOffset(), bytes);
            read.add(b.sequence() + ":" + b.type() + ":" + bytes.length + ":" + bytes[0]);
        }
        assertEquals(List.of("41:1:3:1", "42:30:2:4"), read);

        // cut short: the whole batch is refused, not its first command applied
        assertEquals(BatchFlyweight.BAD_COUNT, b.wrap(out, 0, at - 2 - BatchFlyweight.ENTRY_HEADER_LENGTH));
        assertEquals(BatchFlyweight.PAST_END, b.wrap(out, 0, at - 1));
        assertEquals(BatchFlyweight.TRAILING, b.wrap(out, 0, at + 1));

        // a length past the end, and ones that would wrap around
        for (final int bad : new int[] {100, Integer.MAX_VALUE, -1, Integer.MAX_VALUE - 8})
        {
            out.putInt(BatchFlyweight.HEADER_LENGTH + 12, bad);
            assertTrue(b.wrap(out, 0, at) != BatchFlyweight.OK, "length " + bad);
            assertFalse(b.next(), "length " + bad);
        }
        assertEquals(BatchFlyweight.SHORT, b.wrap(out, 0, BatchFlyweight.HEADER_LENGTH - 1), "shorter than a header");
    }

    @Test
    void shouldRoundTripAnswers()
    {
        final Reply r = new Reply(0);
        r.code = -23;
        r.value = 5;
        r.ownerMsb = 6;
        r.ownerLsb = 7;
        r.timeMs = 8;
        r.payload.putBytes(0, new byte[] {9, 9, 9});
        r.payloadLength = 3;
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        int at = RepliesFlyweight.putAnswer(out, RepliesFlyweight.HEADER_LENGTH, 11, r);
        final int payload = RepliesFlyweight.putAnswer(out, at, 12, 0, 0, 1, 0, 0, 0);
        at = payload;
        RepliesFlyweight.header(out, 2);
        assertEquals(RepliesFlyweight.HEADER_LENGTH + RepliesFlyweight.answerLength(3) +
            RepliesFlyweight.answerLength(0), at);

        final RepliesFlyweight f = new RepliesFlyweight();
        assertTrue(f.wrap(out, 0, at));
        assertTrue(f.next());
        assertEquals(11, f.sequence());
        final Reply back = new Reply(1);
        f.copyTo(back);
        assertArrayEquals(new long[] {-23, 5, 6, 7, 8, 3}, new long[] {back.code, back.value, back.ownerMsb,
            back.ownerLsb, back.timeMs, back.payloadLength});
        assertEquals(9, back.payload.getByte(2));
        assertTrue(f.next());
        assertEquals(12, f.sequence());
        assertFalse(f.next());

        out.putInt(RepliesFlyweight.HEADER_LENGTH + 12, Integer.MAX_VALUE);
        assertTrue(f.wrap(out, 0, at));
        assertFalse(f.next(), "a payload that would wrap around past the end");
    }
}
