package io.ipam.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;

import com.sun.management.ThreadMXBean;
import io.ipam.core.protocol.Reply;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounded client memory: epochs, marks that cannot be forged past what was applied, caps that drop the client
 * seen longest ago, expiry by log time, and a snapshot that restores the same decisions.
 */
class ClientTableTest
{
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();
    private static final ClientTable.Key A = new ClientTable.Key("*", 1);
    private static final ClientTable.Key B = new ClientTable.Key("*", 2);

    private static Reply answer(final int code, final int payloadBytes)
    {
        final Reply r = new Reply(0);
        r.code = code;
        r.value = code * 10L;
        r.timeMs = 1000 + code;
        r.payload.setMemory(0, payloadBytes, (byte)7);
        r.payloadLength = payloadBytes;
        return r;
    }

    @Test
    void shouldGiveEachIncarnationItsOwnEpoch()
    {
        final ClientTable t = new ClientTable();
        final ClientTable.Client a1 = t.hello(A, 10, 0);
        assertSame(a1, t.hello(A, 10, 1), "a HELLO sent again on the same session is the same incarnation");
        final ClientTable.Client a2 = t.hello(A, 11, 2);
        assertTrue(a2.epoch > a1.epoch);
        assertNull(t.find(A, a1.epoch, 3), "the superseded epoch is gone");
        assertSame(a2, t.find(A, a2.epoch, 3));
        assertTrue(t.issued(a1.epoch) && t.issued(a2.epoch));
        assertFalse(t.issued(a2.epoch + 1), "an epoch never given out is forged");
        assertFalse(t.issued(0));
        assertNull(t.find(new ClientTable.Key("tenant-b", 1), a2.epoch, 3), "another namespace is another client");
    }

    @Test
    @Timeout(10)
    void shouldNeverLetAMarkPassWhatWasApplied()
    {
        final ClientTable t = new ClientTable();
        final ClientTable.Client c = t.hello(A, 1, 0);
        for (long s = 1; s <= 3; s++)
        {
            assertTrue(c.fits(s) && !c.seen(s));
            t.remember(c, s, answer((int)s, 0));
        }
        t.ack(c, Long.MAX_VALUE); // forged: ends at once, and only up to what was applied
        assertEquals(3, c.acked);
        assertFalse(c.seen(4), "a command never applied is not taken for answered");
        assertTrue(c.fits(4));
        assertFalse(c.fits(3 + ClusterProtocol.WINDOW + 1));
        assertFalse(c.fits(Long.MIN_VALUE));
        t.ack(c, -5);
        assertEquals(3, c.acked, "a mark never moves back");
    }

    @Test
    void shouldKeepAnswersAboveTheMarkAndGrowAndShrinkWithTheSpan()
    {
        final ClientTable t = new ClientTable();
        final ClientTable.Client c = t.hello(A, 1, 0);
        for (long s = 1; s <= 1000; s++)
        {
            t.remember(c, s, answer((int)s, (int)(s % 3)));
        }
        assertEquals(1024, c.ring());
        assertEquals(1000, t.slots());
        assertTrue(c.hasAnswer(1) && c.hasAnswer(1000) && !c.hasAnswer(1001));
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(128);
        assertEquals(RepliesFlyweight.ANSWER_HEADER_LENGTH + 2, c.encodeAnswer(500, out, 0));
        assertEquals(500, out.getLong(0));
        assertEquals(500, out.getInt(8));
        t.ack(c, 995);
        assertTrue(c.seen(10) && !c.hasAnswer(10));
        assertTrue(c.hasAnswer(996));
        assertEquals(ClientTable.MIN_RING, c.ring(), "the ring shrinks to what is unacknowledged");
        assertEquals(ClientTable.MIN_RING, t.slots());
        assertEquals(996 % 3 + 997 % 3 + 998 % 3 + 999 % 3 + 1000 % 3, t.keptBytes());
    }

    @Test
    void shouldDropTheClientSeenLongestAgoAtTheCap()
    {
        final ClientTable t = new ClientTable(3, 4 * ClusterProtocol.WINDOW, 4L * ClusterProtocol.MAX_ANSWER_BYTES);
        final ClientTable.Client a = t.hello(A, 1, 100);
        final ClientTable.Client b = t.hello(B, 2, 100);
        final ClientTable.Client c = t.hello(new ClientTable.Key("*", 3), 3, 50);
        assertNotNull(t.find(A, a.epoch, 200)); // A seen again
        t.hello(new ClientTable.Key("*", 4), 4, 300);
        assertEquals(3, t.size());
        assertNull(t.find(c.key, c.epoch, 300), "C was seen longest ago");
        t.hello(new ClientTable.Key("*", 5), 5, 300);
        assertNull(t.find(B, b.epoch, 300), "then B");
        assertNotNull(t.find(A, a.epoch, 300));
        assertEquals(2, t.evicted());
    }

    @Test
    void shouldDropOtherClientsWhenAnswersPassTheBudgetAndRefuseAHoarder()
    {
        final long bytes = 4L * ClusterProtocol.MAX_ANSWER_BYTES;
        final ClientTable t = new ClientTable(100, 4 * ClusterProtocol.WINDOW, bytes);
        final ClientTable.Client idle = t.hello(B, 1, 0);
        t.remember(idle, 1, answer(1, ClusterProtocol.MAX_ANSWER_BYTES));
        final ClientTable.Client hoarder = t.hello(A, 2, 10);
        long s = 1;
        while (t.admits(hoarder))
        {
            t.remember(hoarder, s++, answer(1, ClusterProtocol.MAX_ANSWER_BYTES / 2));
        }
        assertEquals(bytes / 4, hoarder.keptBytes, "refused once it holds a quarter of the budget");
        t.ack(hoarder, s - 1);
        assertTrue(t.admits(hoarder));
        for (int k = 0; k < 7; k++)
        {
            t.remember(hoarder, s++, answer(1, ClusterProtocol.MAX_ANSWER_BYTES / 2));
        }
        assertTrue(t.keptBytes() <= bytes);
        assertNull(t.find(B, idle.epoch, 20), "the idle client was dropped to make room");
    }

    @Test
    void shouldForgetAClientSilentForAnHourOfLogTime()
    {
        final ClientTable t = new ClientTable();
        final ClientTable.Client a = t.hello(A, 1, 0);
        final ClientTable.Client b = t.hello(B, 2, 0);
        assertNotNull(t.find(B, b.epoch, ClientTable.FORGET_AFTER_MS));
        assertNull(t.find(A, a.epoch, ClientTable.FORGET_AFTER_MS + 60_001));
        assertNotNull(t.find(B, b.epoch, ClientTable.FORGET_AFTER_MS + 60_001));
        assertEquals(1, t.expired());
    }

    @Test
    void shouldRestoreFromASnapshotToTheSameBytesAndTheSameDecisions() throws IOException
    {
        final ClientTable live = new ClientTable(4, 4 * ClusterProtocol.WINDOW, 4L * ClusterProtocol.MAX_ANSWER_BYTES);
        for (int k = 0; k < 4; k++)
        {
            final ClientTable.Client c = live.hello(new ClientTable.Key(k % 2 == 0 ? "*" : "t" + k, k), k, 10 - k);
            for (long s = 1; s <= 40 * (k + 1); s++)
            {
                live.remember(c, s, answer((int)s, k * 3));
            }
            live.ack(c, 20L * k);
        }
        final byte[] bytes = write(live);
        final ClientTable restored = new ClientTable(4, 4 * ClusterProtocol.WINDOW,
            4L * ClusterProtocol.MAX_ANSWER_BYTES);
        restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        assertArrayEquals(bytes, write(restored));
        assertEquals(live.slots(), restored.slots());
        assertEquals(live.keptBytes(), restored.keptBytes());
        // the next HELLO drops the same client on both
        live.hello(new ClientTable.Key("*", 99), 99, 20);
        restored.hello(new ClientTable.Key("*", 99), 99, 20);
        assertArrayEquals(write(live), write(restored));

        final ClientTable small = new ClientTable(2, 4 * ClusterProtocol.WINDOW, 4L * ClusterProtocol.MAX_ANSWER_BYTES);
        assertThrows(IOException.class, () -> small.readFrom(new DataInputStream(new ByteArrayInputStream(bytes))),
            "a snapshot over this member's caps is refused");
    }

    @Test
    void shouldCostLittleForAClientWithFewCommandsInFlight()
    {
        final ClientTable t = new ClientTable();
        final Reply r = answer(1, 0);
        for (int k = 0; k < 2000; k++) // warm up
        {
            final ClientTable.Client c = t.hello(new ClientTable.Key("*", k), k, k);
            t.remember(c, 1, r);
        }
        final long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int k = 2000; k < 3000; k++)
        {
            final ClientTable.Client c = t.hello(new ClientTable.Key("*", k), k, k);
            t.remember(c, 1, r);
        }
        final long each = (THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / 1000;
        assertTrue(each < 2048, "a client with one command in flight costs " + each + " bytes");
    }

    private static byte[] write(final ClientTable t) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        t.writeTo(out);
        out.flush();
        return bytes.toByteArray();
    }
}
