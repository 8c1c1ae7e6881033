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
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reply pool does not keep the largest answer's size (issue 25): a slot whose buffers grew is replaced when it
 * is given back, keeping its index and its request count.
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
        big.payload.putByte(1 << 20, (byte)1);      // a 1 MiB answer
        taken.get(2).command.putByte(100_000, (byte)1); // a large request
        final Reply small = taken.get(3);
        small.payload.putLong(0, 7);
        for (final Reply r : taken)
        {
            slots.release(r);
        }
        for (int i = 0; i < 4; i++)
        {
            final Reply r = slots.poll();
            assertSame(r, slots.get(r.slot), "the index finds the slot handed out");
            assertTrue(r.payload.capacity() <= ReplySlots.KEEP_BYTES && r.command.capacity() <= ReplySlots.KEEP_BYTES,
                "slot " + r.slot + " kept " + r.payload.capacity() + " / " + r.command.capacity() + " bytes");
        }
        assertNotSame(big, slots.get(1));
        assertEquals(41, slots.get(1).requests);
        assertSame(small, slots.get(3), "a slot that did not grow is reused as it is");
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
}
