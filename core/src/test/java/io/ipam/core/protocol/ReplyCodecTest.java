package io.ipam.core.protocol;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import io.ipam.core.SubnetStats;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The answer layouts round-trip through {@link ReplyCodec}, the one class that writes and reads them.
 */
class ReplyCodecTest
{
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
    private final Wire out = new Wire();
    private final Wire in = new Wire();

    private Wire written()
    {
        return in.readFrom(buffer, 0, out.position());
    }

    @Test
    void shouldRoundTripEveryAnswerLayout()
    {
        ReplyCodec.putError(out.writeTo(buffer, 0), "no");
        assertEquals("no", ReplyCodec.getError(written()));
        assertNull(ReplyCodec.getError(in.readFrom(buffer, 0, 0)));

        ReplyCodec.putAddresses(out.writeTo(buffer, 0), new long[] {1, 2, 3, 9}, 3);
        assertArrayEquals(new long[] {1, 2, 3}, ReplyCodec.getAddresses(written()));

        out.writeTo(buffer, 0).putInt(2);
        ReplyCodec.putPortItem(out, 4, true, 0x20010db8L, 7);
        ReplyCodec.putPortItem(out, 5, false, 0, 0x0A000001L);
        final List<String> items = new ArrayList<>();
        assertEquals(2, ReplyCodec.getPortItems(written(), (i, h, v6, hi, v) -> items.add(i + ":" + h + ":" + v6 +
            ":" + hi + ":" + v)));
        assertEquals(List.of("0:4:true:" + 0x20010db8L + ":7", "1:5:false:0:" + 0x0A000001L), items);

        ReplyCodec.putPortFailure(out.writeTo(buffer, 0), 3, 8);
        final Wire failure = written();
        assertEquals(3, ReplyCodec.getPortFailedItem(failure));
        assertEquals(8, ReplyCodec.getPortFailedHandle(failure));

        int at = ReplyCodec.beginList(out.writeTo(buffer, 0));
        ReplyCodec.putOwnedAllocation(out, "s", false, 0, 10, 100, 0);
        ReplyCodec.putOwnedAllocation(out, "t", true, 1, 11, 101, 5_000);
        ReplyCodec.endList(out, at, 2);
        final List<String> owned = new ArrayList<>();
        ReplyCodec.getOwnedAllocations(written(), (id, v6, hi, v, t, e) -> owned.add(id + v6 + hi + v + t + e));
        assertEquals(List.of("sfalse0101000", "ttrue1111015000"), owned);

        at = ReplyCodec.beginList(out.writeTo(buffer, 0));
        ReplyCodec.putReclaimed(out, "s", false, 0, 10, 1, 2, 100);
        ReplyCodec.endList(out, at, 1);
        final List<String> reclaimed = new ArrayList<>();
        ReplyCodec.getReclaimed(written(), (id, v6, hi, v, m, l, t) -> reclaimed.add(id + v6 + hi + v + m + l + t));
        assertEquals(List.of("sfalse01012100"), reclaimed);

        final SubnetStats stats = new SubnetStats("s", "t1", 5, BigInteger.TWO.pow(64), 1, 2, 3, 4);
        ReplyCodec.putStats(out.writeTo(buffer, 0).putInt(1), stats);
        final SubnetStats back = ReplyCodec.getStats(written()).get(0);
        assertEquals(List.of("s", "t1", 5L, BigInteger.TWO.pow(64), 1L, 2L, 3L, 4L), List.of(back.subnetId(),
            back.tenant().orElseThrow(), back.allocated(), back.free(), back.cooling(), back.leased(), back.expired(),
            back.reclaimed()));

        final Cidr cidr = AddressText.parseCidr("2001:db8::/64", "c");
        ReplyCodec.putResolved(out.writeTo(buffer, 0), cidr, null);
        final Wire resolved = written();
        assertEquals(cidr, ReplyCodec.getResolvedCidr(resolved));
        assertNull(resolved.getString());
    }

    @Test
    void shouldKeepAPortAnswerWithSubnetIdsAndGiveItBackWithTheHandlesOfNow()
    {
        out.writeTo(buffer, 0).putInt(1);
        ReplyCodec.putPortItem(out, 4, false, 0, 0x0A000001L);
        final ExpandableArrayBuffer kept = new ExpandableArrayBuffer(64);
        final Wire keptOut = new Wire().writeTo(kept, 0);
        ReplyCodec.portAnswerToKept(written(), keptOut, ids(4, "subnet-a"));
        final ExpandableArrayBuffer again = new ExpandableArrayBuffer(64);
        final Wire back = new Wire().writeTo(again, 0);
        ReplyCodec.portAnswerFromKept(new Wire().readFrom(kept, 0, keptOut.position()), back, ids(9, "subnet-a"));
        final List<String> items = new ArrayList<>();
        ReplyCodec.getPortItems(new Wire().readFrom(again, 0, back.position()), (i, h, v6, hi, v) -> items.add(h +
            ":" + v));
        assertEquals(List.of("9:" + 0x0A000001L), items, "the handle the subnet has now");
    }

    private static ReplyCodec.SubnetIds ids(final int handle, final String id)
    {
        return new ReplyCodec.SubnetIds()
        {
            @Override
            public String idOf(final int h)
            {
                return h == handle ? id : null;
            }

            @Override
            public int handleOf(final String i)
            {
                return id.equals(i) ? handle : -1;
            }
        };
    }
}
