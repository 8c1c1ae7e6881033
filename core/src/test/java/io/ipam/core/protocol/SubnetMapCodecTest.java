package io.ipam.core.protocol;

import java.math.BigInteger;
import java.util.List;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code SUBNET_MAP} answer round-trips through {@link SubnetMapCodec}; damaged answers are {@code MALFORMED}.
 */
class SubnetMapCodecTest
{
    private static final SubnetInfo SUBNET = new SubnetInfo("net", "2001:db8::/48", "red", "2001:db8::1",
        List.of(IpRange.of("2001:db8::100", "2001:db8::ffff")), AllocationStrategy.RANDOM, 3, BigInteger.TEN, 0, 1);
    private static final Cidr WINDOW = AddressText.parseCidr("2001:db8::/116", "w");

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
    private final Wire w = new Wire();

    private int encode(final int cellBits, final int addressBits, final int firstCell, final int secondCell)
    {
        w.writeTo(buffer, 0);
        SubnetMapCodec.putHead(w, SUBNET, WINDOW, 1234, cellBits, addressBits);
        final int at = ReplyCodec.beginList(w);
        SubnetMapCodec.putCell(w, firstCell, 2, 0, 1, 0);
        SubnetMapCodec.putCell(w, secondCell, 1, 1, 0, 1);
        ReplyCodec.endList(w, at, 2);
        final int entries = ReplyCodec.beginList(w);
        SubnetMapCodec.putEntry(w, AddressText.parseAddress("2001:db8::5", "a"), SubnetMap.State.HELD, 7, 8, 100, 0,
            true);
        SubnetMapCodec.putEntry(w, AddressText.parseAddress("2001:db8::9", "a"), SubnetMap.State.COOLING, 0, 0, 200,
            300, false);
        ReplyCodec.endList(w, entries, 2);
        return w.position();
    }

    @Test
    void shouldRoundTrip()
    {
        final int length = encode(8, 4, 0, 255);
        final SubnetMap m = SubnetMapCodec.get(new Wire().readFrom(buffer, 0, length));
        assertEquals("net", m.subnet().id());
        assertEquals("2001:db8::/116", m.window());
        assertEquals(1234, m.time().toEpochMilli());
        assertEquals(256, m.cells());
        assertEquals(4, m.addressBits());
        assertEquals(2, m.held(0));
        assertEquals(1, m.leased(0));
        assertEquals(1, m.cooling(255));
        assertEquals(1, m.router(255));
        assertEquals(0, m.held(1));
        assertEquals(2, m.entries().size());
        final SubnetMap.Entry held = m.entries().get(0);
        assertEquals("2001:db8::5", held.address());
        assertEquals(new UUID(7, 8), held.owner().orElseThrow());
        assertTrue(held.router());
        assertFalse(held.until().isPresent());
        final SubnetMap.Entry cooling = m.entries().get(1);
        assertEquals(SubnetMap.State.COOLING, cooling.state());
        assertFalse(cooling.owner().isPresent());
        assertEquals(300, cooling.until().orElseThrow().toEpochMilli());
    }

    @Test
    void shouldRefuseDamage()
    {
        // cells that do not add up to the window's host bits
        final int wrongBits = encode(8, 5, 0, 1);
        assertMalformed(wrongBits);
        // a cell out of range, cells out of order
        assertMalformed(encode(8, 4, 0, 256));
        assertMalformed(encode(8, 4, 5, 5));
        // cut short anywhere
        final int length = encode(8, 4, 0, 1);
        for (int cut = 0; cut < length; cut += 7)
        {
            assertMalformed(cut);
        }
    }

    private void assertMalformed(final int length)
    {
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> SubnetMapCodec.get(new Wire().readFrom(buffer, 0, length))).code());
    }
}
