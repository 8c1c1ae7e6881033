package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.protocol.Reply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reply pool does not keep the largest answer's size (issue 25): a slot whose buffers grew is replaced when it
 * is given back, keeping its index and its request count, except a few kept apart, grown, for large requests.
 */
class ReplySlotsTest
{
    @Test
    void shouldReplaceASlotThatGrewAndKeepOneThatDidNot()
    {
        final ReplySlots slots = new ReplySlots(4);
        final List<Reply> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            taken.add(slots.poll());
        }
        final Reply big = taken.get(1);
        big.requests = 41;
        big.payload.putByte(1 << 20, (byte)1);      // a 1 MiB answer: past what even a large slot keeps
        final Reply batch = taken.get(2);
        batch.command.putByte(100_000, (byte)1);    // a large request (a batch): kept apart for the next one
        final Reply small = taken.get(3);
        small.payload.putLong(0, 7);
        for (final Reply r : taken)
        {
            slots.release(r);
        }
        for (int i = 0; i < 3; i++)
        {
            final Reply r = slots.poll();
            assertSame(r, slots.get(r.slot), "the index finds the slot handed out");
            assertTrue(r.payload.capacity() <= ReplySlots.KEEP_BYTES && r.command.capacity() <= ReplySlots.KEEP_BYTES,
                "slot " + r.slot + " kept " + r.payload.capacity() + " / " + r.command.capacity() + " bytes");
        }
        assertNull(slots.poll(), "the grown batch slot is not handed to a small request");
        assertSame(batch, slots.poll(200_000), "but to the next large one, buffers and all");
        assertNotSame(big, slots.get(1));
        assertEquals(41, slots.get(1).requests);
        assertSame(small, slots.get(3), "a slot that did not grow is reused as it is");
    }

    @Test
    void shouldKeepAtMostAFewLargeSlots()
    {
        final ReplySlots slots = new ReplySlots(64);
        final List<Reply> taken = new ArrayList<>();
        for (int i = 0; i < 64; i++)
        {
            final Reply r = slots.poll();
            r.command.putByte(100_000, (byte)1);
            taken.add(r);
        }
        taken.forEach(slots::release);
        long held = 0;
        int large = 0;
        for (int i = 0; i < 64; i++)
        {
            final Reply r = slots.get(i);
            held += r.command.capacity() + r.payload.capacity();
            large += r.command.capacity() > ReplySlots.KEEP_BYTES ? 1 : 0;
        }
        assertEquals(ReplySlots.LARGE_SLOTS, large);
        assertTrue(held <= ReplySlots.LARGE_SLOTS * 2L * ReplySlots.LARGE_KEEP_BYTES + 64L * 2 * ReplySlots.KEEP_BYTES,
            held + " bytes held");
        for (int i = 0; i < 64; i++)
        {
            assertTrue(slots.poll(i % 2 == 0 ? 100_000 : 0) != null, "every slot is handed out again");
        }
    }

    @Test
    void shouldServeCallsAfterLargeAnswers()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.defaults()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/8").build());
            final UUID owner = new UUID(1, 1);
            for (int round = 0; round < 20; round++)
            {
                assertEquals(65_536, ipam.allocateBulk("s", owner, 65_536).size());
                assertEquals(65_536, ipam.releaseOwner(owner));
                final String a = ipam.allocate("s", owner);
                assertTrue(ipam.release("s", a));
            }
        }
    }

    @Test
    void aThreadReusesItsOwnSlotAndTakesAPooledOneWhileItsOwnIsInFlight()
    {
        final ReplySlots slots = new ReplySlots(8);
        final Reply mine = slots.acquire(0);
        slots.release(mine);
        assertSame(mine, slots.acquire(0), "the thread's own slot again");
        final Reply other = slots.acquire(0);
        assertNotSame(mine, other, "its own slot is in flight: a pooled one");
        slots.release(other);
        slots.release(mine);
        for (int i = 0; i < 7; i++)
        {
            assertNotSame(mine, slots.poll(), "an owned slot is never in the pool");
        }
        assertNull(slots.poll(), "seven pooled, one owned");
        assertSame(mine, slots.acquire(0));
    }

    @Test
    void atMostHalfTheSlotsAreOwnedAndADeadThreadsSlotComesBackWhenThePoolRunsDry() throws InterruptedException
    {
        final ReplySlots slots = new ReplySlots(4);
        final Reply[] theirs = new Reply[3];
        for (int t = 0; t < 3; t++)
        {
            final int i = t;
            final Thread thread = new Thread(() -> slots.release(theirs[i] = slots.acquire(0)));
            thread.start();
            thread.join(10_000);
        }
        // two threads own a slot each, the third used a pooled one: two remain pooled
        final Reply a = slots.poll();
        final Reply b = slots.poll();
        assertTrue(a != null && b != null);
        assertNull(slots.poll(), "two of four owned by threads");
        final Reply back = slots.acquire(0); // the pool is dry: the slots of the two dead threads come back
        assertTrue(back == slots.get(theirs[0].slot) || back == slots.get(theirs[1].slot), "a dead thread's slot");
        slots.release(a);
        slots.release(b);
    }
}
