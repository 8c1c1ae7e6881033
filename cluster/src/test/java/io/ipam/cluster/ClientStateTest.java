package io.ipam.cluster;

import java.lang.management.ManagementFactory;
import java.util.List;

import com.sun.management.ThreadMXBean;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 10: state kept per remote client is bounded, and nothing a client sends grows a member's memory without a
 * bound. Members are driven through {@link ServiceHarness} (no Aeron), so bytes are counted on this thread.
 */
class ClientStateTest
{
    private static final ThreadMXBean THREADS = (ThreadMXBean)ManagementFactory.getThreadMXBean();

    /**
     * A TICK with budget 1: the smallest command every client may send.
     */
    private static int tick(final ExpandableArrayBuffer out, final int at, final long seq)
    {
        out.putLong(at, seq);
        out.putInt(at + 8, MessageTypes.TICK);
        out.putInt(at + 12, CommandHeader.LENGTH + 4);
        out.putInt(at + BatchFlyweight.ENTRY_HEADER_LENGTH + CommandHeader.LENGTH, 1);
        return at + BatchFlyweight.ENTRY_HEADER_LENGTH + CommandHeader.LENGTH + 4;
    }

    private static final byte[] NONE = new byte[0];

    /**
     * HELLO on a session bound to an administrator principal with this client id.
     *
     * @return the epoch its WELCOME gave.
     */
    private static long hello(final ServiceHarness h, final long session, final long clientId,
        final ExpandableArrayBuffer out)
    {
        final int before = h.leaderEgress.size();
        h.deliver(session, ClusterCredentials.principal(clientId, "*"), out, 0, BatchFlyweight.hello(out));
        assertEquals(before + 1, h.leaderEgress.size(), "no WELCOME");
        return new UnsafeBuffer(h.leaderEgress.get(before)).getLong(8);
    }

    /**
     * A client that sent one command costs a member a small, fixed amount, not a window of 8,192 answers up front.
     */
    @Test
    @Timeout(120)
    void shouldCostLittlePerClientThatSentOneCommand() throws Exception
    {
        try (ServiceHarness h = new ServiceHarness(1))
        {
            final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(256);
            for (int c = 1; c <= 200; c++) // warm up
            {
                final long epoch = hello(h, c, c, batch);
                final int end = tick(batch, ServiceHarness.batch(batch, epoch, 0, 1), 1);
                h.deliver(c, ClusterCredentials.principal(c, "*"), batch, 0, end);
            }
            h.leaderEgress.clear();
            final int clients = 1_000;
            final long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int c = 1_000; c < 1_000 + clients; c++)
            {
                final long epoch = hello(h, c, c, batch);
                final int end = tick(batch, ServiceHarness.batch(batch, epoch, 0, 1), 1);
                h.deliver(c, ClusterCredentials.principal(c, "*"), batch, 0, end);
            }
            final long perClient = (THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) /
                clients;
            assertEquals(List.of(), h.thrown);
            // today about 384 KiB (eight arrays of 8,192 entries) for every new client id
            assertTrue(perClient < 8 * 1024, "a client that sent one command cost " + perClient + " bytes");
        }
    }

    /**
     * A command length near Integer.MAX_VALUE must not pass the bounds check by overflowing, and nothing may be
     * allocated for it.
     */
    @Test
    @Timeout(120)
    void shouldRefuseACommandLengthThatOverflowsWithoutAllocatingForIt() throws Exception
    {
        try (ServiceHarness h = new ServiceHarness(1))
        {
            final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(256);
            int at = ServiceHarness.batch(batch, 9, 0, 1);
            batch.putLong(at, 1);
            batch.putInt(at + 8, MessageTypes.TICK);
            batch.putInt(at + 12, Integer.MAX_VALUE - 8); // 40 + this overflows an int
            at += BatchFlyweight.ENTRY_HEADER_LENGTH;
            batch.putLong(at + CommandHeader.TIME_OFFSET, 1);
            at += CommandHeader.LENGTH + 4;
            final long before = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
            h.deliver(9, ClusterCredentials.principal(9, "*"), batch, 0, at);
            final long allocated = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertEquals(List.of(), h.thrown, "a hostile length threw out of the apply path");
            assertTrue(allocated < 1024 * 1024, "a hostile length made the member allocate " + allocated + " bytes");
        }
    }

    /**
     * A forged acknowledged mark ({@code Long.MAX_VALUE}) for another client's id must not make the members drop that
     * client's later commands unanswered. Today it does worse: the mark loop never ends ({@code s <= Long.MAX_VALUE}),
     * so the service thread of every member spins for good (hence the timeout in a thread of its own).
     */
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void shouldKeepAnsweringAClientWhoseIdAnotherSessionForged() throws Exception
    {
        try (ServiceHarness h = new ServiceHarness(1))
        {
            final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(256);
            final byte[] victim = ClusterCredentials.principal(77, "*");
            final long epoch = hello(h, 1, 77, batch); // the victim, session 1
            int end = tick(batch, ServiceHarness.batch(batch, epoch, 0, 1), 1);
            h.deliver(1, victim, batch, 0, end);
            // forgers, each on a session of its own: another id, the same id under another tenant's credential
            for (final byte[] forger : new byte[][] {ClusterCredentials.principal(78, "*"),
                ClusterCredentials.principal(77, "blue"), NONE})
            {
                ServiceHarness.batch(batch, epoch, Long.MAX_VALUE, 0);
                h.deliver(2, forger, batch, 0, BatchFlyweight.HEADER_LENGTH);
                end = tick(batch, ServiceHarness.batch(batch, epoch, Long.MAX_VALUE, 1), 2);
                h.deliver(3, forger, batch, 0, end);
            }
            final int sent = h.leaderEgress.size();
            end = tick(batch, ServiceHarness.batch(batch, epoch, 1, 1), 2);
            h.deliver(1, victim, batch, 0, end); // the victim's next command
            assertEquals(sent + 1, h.leaderEgress.size(), "the victim's command was dropped unanswered");
            final UnsafeBuffer answer = new UnsafeBuffer(h.leaderEgress.get(sent));
            assertEquals(ClusterProtocol.REPLIES, answer.getInt(0));
            assertEquals(2, answer.getLong(RepliesFlyweight.HEADER_LENGTH), "not the victim's own command 2");
            assertTrue(answer.getInt(RepliesFlyweight.HEADER_LENGTH + 8) >= 0, "the victim's tick was refused");
            assertEquals(List.of(), h.thrown);
        }
    }
}
