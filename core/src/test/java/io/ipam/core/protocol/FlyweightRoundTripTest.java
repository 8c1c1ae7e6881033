package io.ipam.core.protocol;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every type id's layout round-trips through its flyweight: what the facade's proxy encodes is what the writer's
 * adapter decodes, field by field; a body cut short is {@code MALFORMED}. Every type id has a flyweight and a case
 * here: a type added without one fails {@link #shouldHaveAFlyweightAndARoundTripForEveryTypeId()}.
 */
class FlyweightRoundTripTest
{
    private static final long TIME = 1_700_000_000_123L;
    private static final IpAddress V4 = AddressText.parseAddress("10.1.2.3", "a");
    private static final IpAddress V6 = AddressText.parseAddress("2001:db8::7", "a");
    private static final Cidr CIDR = AddressText.parseCidr("10.128.0.0/16", "p");
    private static final Cidr CIDR6 = AddressText.parseCidr("2001:db8:1::/48", "p");

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private final Wire wire = new Wire();

    /** A round trip per type id. */
    private final Map<Integer, Runnable> cases = new HashMap<>();

    FlyweightRoundTripTest()
    {
        for (int type = MessageTypes.ALLOCATE; type <= MessageTypes.ALLOCATE_BULK; type++)
        {
            final int t = type;
            cases.put(t, () -> hot(t));
        }
        cases.put(MessageTypes.RELEASE_OWNER, this::scopedOwner);
        cases.put(MessageTypes.ALLOCATIONS_OF, this::scopedOwner);
        cases.put(MessageTypes.WITH_OPTIONS, this::options);
        cases.put(MessageTypes.RENEW, this::renew);
        cases.put(MessageTypes.BATCH, this::batch);
        cases.put(MessageTypes.ALLOCATE_PORT, this::port);
        cases.put(MessageTypes.CREATE_SUBNET, this::createSubnet);
        cases.put(MessageTypes.SUBNET_INFO, this::scopedId);
        cases.put(MessageTypes.CHILDREN, this::scopedId);
        cases.put(MessageTypes.LIST_SUBNETS, this::scope);
        cases.put(MessageTypes.SUBNET_STATS, this::scope);
        cases.put(MessageTypes.LAST_SEQUENCE, this::scope);
        cases.put(MessageTypes.UPDATE_POOLS, this::updatePools);
        cases.put(MessageTypes.UPDATE_GATEWAY, this::updateGateway);
        cases.put(MessageTypes.DELETE_SUBNET, this::deleteSubnet);
        cases.put(MessageTypes.RESOLVE_SUBNET, this::id);
        cases.put(MessageTypes.PREFIX_POOL_INFO, this::id);
        cases.put(MessageTypes.CREATE_PREFIX_POOL, this::createPrefixPool);
        cases.put(MessageTypes.ALLOCATE_PREFIX, this::allocatePrefix);
        cases.put(MessageTypes.RELEASE_PREFIX, this::releasePrefix);
        cases.put(MessageTypes.ADD_PREFIXES, this::prefixList);
        cases.put(MessageTypes.REMOVE_PREFIXES, this::prefixList);
        cases.put(MessageTypes.RECONCILE, this::reconcile);
        cases.put(MessageTypes.CHANGES, this::changes);
        cases.put(MessageTypes.TICK, this::tick);
        cases.put(MessageTypes.CAPTURE, this::capture);
        cases.put(MessageTypes.UPDATE_SUBNET, this::updateSubnet);
        cases.put(MessageTypes.RECONCILE_SUBNET, this::reconcileSubnet);
        cases.put(MessageTypes.SUBNET_MAP, this::subnetMap);
        cases.put(MessageTypes.LIST_PREFIX_POOLS, this::listPrefixPools);
    }

    @Test
    void shouldHaveAFlyweightAndARoundTripForEveryTypeId() throws IllegalAccessException
    {
        final Set<Integer> declared = new HashSet<>();
        for (final Field f : MessageTypes.class.getDeclaredFields())
        {
            if (f.getType() == int.class && Modifier.isPublic(f.getModifiers()) && Modifier.isStatic(f.getModifiers()))
            {
                declared.add(f.getInt(null));
            }
        }
        final Set<Integer> listed = new HashSet<>();
        for (final int type : MessageTypes.all())
        {
            listed.add(type);
            assertNotNull(MessageTypes.flyweight(type), MessageTypes.name(type) + " has no flyweight");
            assertFalse(MessageTypes.name(type).startsWith("UNKNOWN"), "type " + type + " has no name");
            assertTrue(cases.containsKey(type), MessageTypes.name(type) + " has no round trip here");
        }
        assertEquals(declared, listed, "every type id constant is in MessageTypes.all()");
        assertNull(MessageTypes.flyweight(99));
    }

    @Test
    void shouldRoundTripEveryTypeId()
    {
        for (final int type : MessageTypes.all())
        {
            cases.get(type).run();
        }
    }

    private Wire body()
    {
        CommandHeader.encode(buffer, 0, TIME);
        return wire.writeTo(buffer, CommandHeader.LENGTH);
    }

    /** Every byte short of the full body is refused. */
    private static void refusesShort(final int length, final Runnable wrapShort)
    {
        final IpamException ex = assertThrows(IpamException.class, wrapShort::run);
        assertEquals(ErrorCode.MALFORMED, ex.code(), "a body cut short at " + (length - 1));
    }

    private void hot(final int type)
    {
        CommandHeader.encode(buffer, 0, TIME);
        final int length = HotCommandFlyweight.encode(buffer, 0, 7, 3, 0xC0FFEEL, -5, 9);
        assertEquals(HotCommandFlyweight.LENGTH, length);
        final HotCommandFlyweight f = new HotCommandFlyweight().wrap(buffer, 0, length);
        assertTrue(f.isComplete(), MessageTypes.name(type));
        assertEquals(TIME, f.timeMs());
        assertEquals(7, f.handle());
        assertEquals(3, f.count());
        assertEquals(0xC0FFEEL, f.address());
        assertEquals(-5, f.ownerMsb());
        assertEquals(9, f.ownerLsb());
        assertFalse(new HotCommandFlyweight().wrap(buffer, 0, length - 1).isComplete());
        assertFalse(f.hasAddressHigh(), "a 56-byte command means the subnet's own high bits");
        // a wide subnet's address (IPv6 /1 to /63): its high 64 bits follow the owner
        final int wide = HotCommandFlyweight.encodeAddressHigh(buffer, 0, 0x2001_0DB8_0001_0005L);
        assertEquals(HotCommandFlyweight.WIDE_LENGTH, wide);
        final HotCommandFlyweight w = new HotCommandFlyweight().wrap(buffer, 0, wide);
        assertTrue(w.hasAddressHigh());
        assertEquals(0x2001_0DB8_0001_0005L, w.addressHigh());
        assertEquals(0xC0FFEEL, w.address());
    }

    private void scopedOwner()
    {
        final int length = ScopedOwnerFlyweight.encode(body(), "t1", 1, 2).position();
        final ScopedOwnerFlyweight f = new ScopedOwnerFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals(1, f.ownerMsb());
        assertEquals(2, f.ownerLsb());
        refusesShort(length, () -> new ScopedOwnerFlyweight().wrap(buffer, 0, length - 1));
        assertNull(new ScopedOwnerFlyweight().wrap(buffer, 0,
            ScopedOwnerFlyweight.encode(body(), null, 1, 2).position()).scope());
    }

    private void options()
    {
        final int inner = OptionsFlyweight.encode(body(), "t1", "key-1", 60_000, MessageTypes.ALLOCATE_BULK)
            .position();
        CommandHeader.encode(buffer, inner, TIME);
        final int length = inner + HotCommandFlyweight.encode(buffer, inner, 4, 2, 0, 1, 1);
        final OptionsFlyweight f = new OptionsFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("key-1", f.requestKey());
        assertEquals(60_000, f.leaseMs());
        assertEquals(MessageTypes.ALLOCATE_BULK, f.innerType());
        assertEquals(inner, f.innerOffset());
        assertEquals(HotCommandFlyweight.LENGTH, f.innerLength());
        assertEquals(2, new HotCommandFlyweight().wrap(buffer, f.innerOffset(), f.innerLength()).count());
        refusesShort(inner, () -> new OptionsFlyweight().wrap(buffer, 0, inner - 1));
        assertFalse(f.router());
        // a router's request: a bit of the inner type (0 in every older log)
        final int routed = OptionsFlyweight.encode(body(), null, null, 0, MessageTypes.ALLOCATE_SPECIFIC, true)
            .position();
        CommandHeader.encode(buffer, routed, TIME);
        final int all = routed + HotCommandFlyweight.encode(buffer, routed, 4, 0, 1, 1, 1);
        final OptionsFlyweight r = new OptionsFlyweight().wrap(buffer, 0, all);
        assertTrue(r.router());
        assertEquals(MessageTypes.ALLOCATE_SPECIFIC, r.innerType());
    }

    private void renew()
    {
        final int length = RenewFlyweight.encode(body(), null, 3, 0x0A000001L, 5, 6, 30_000).position();
        final RenewFlyweight f = new RenewFlyweight().wrap(buffer, 0, length);
        assertNull(f.scope());
        assertEquals(3, f.handle());
        assertEquals(0x0A000001L, f.address());
        assertEquals(5, f.ownerMsb());
        assertEquals(6, f.ownerLsb());
        assertEquals(30_000, f.leaseMs());
        assertFalse(f.hasAddressHigh());
        // shorter than a full extra long: the address's high bits are not there (a short body is not read further)
        assertFalse(new RenewFlyweight().wrap(buffer, 0, length).hasAddressHigh());
        final int wide = RenewFlyweight.encode(body(), null, 3, 0x2001_0DB8L, 7, 5, 6, 30_000).position();
        final RenewFlyweight w = new RenewFlyweight().wrap(buffer, 0, wide);
        assertTrue(w.hasAddressHigh());
        assertEquals(0x2001_0DB8L, w.addressHigh());
        assertEquals(7, w.address());
    }

    private void port()
    {
        final UUID owner = new UUID(8, 9);
        final Wire w = PortRequestFlyweight.encode(body(), owner.getMostSignificantBits(),
            owner.getLeastSignificantBits(), 5);
        PortRequestFlyweight.item(w, PortRequestFlyweight.ANY, 1);
        PortRequestFlyweight.item(w, PortRequestFlyweight.NEXT, 2);
        PortRequestFlyweight.specific(w, 3, V6);
        PortRequestFlyweight.eui64(w, 4, 0x0200_0000_00ABL);
        PortRequestFlyweight.group(w, new int[] {5, 6, 7}, 3);
        final int length = w.position();
        final PortRequestFlyweight f = new PortRequestFlyweight().wrap(buffer, 0, length);
        assertEquals(8, f.ownerMsb());
        assertEquals(9, f.ownerLsb());
        assertEquals(5, f.count());
        final List<String> items = new ArrayList<>();
        f.items((i, kind, handles, n, v6, hi, lo) ->
        {
            final StringBuilder sb = new StringBuilder().append(i).append(':').append(kind).append(':');
            for (int h = 0; h < n; h++)
            {
                sb.append(handles[h]).append(h + 1 < n ? "," : "");
            }
            items.add(sb.append(':').append(v6).append(':').append(hi).append(':').append(lo).toString());
        });
        assertEquals(List.of("0:0:1:false:0:0", "1:1:2:false:0:0", "2:2:3:true:" + V6.hi() + ":" + V6.lo(),
            "3:3:4:false:0:" + 0x0200_0000_00ABL, "4:4:5,6,7:false:0:0"), items);
        refusesShort(length, () -> new PortRequestFlyweight().wrap(buffer, 0, length - 1).items((i, k, h, n, v, a,
            b) ->
        {
        }));
    }

    private void createSubnet()
    {
        final long[] first = {2, 100};
        final long[] last = {50, 200};
        final int length = CreateSubnetFlyweight.encode(body(), "s", "t1", CIDR, V4, first, last, 1, 5_000)
            .position();
        final CreateSubnetFlyweight f = new CreateSubnetFlyweight().wrap(buffer, 0, length);
        assertEquals("s", f.id());
        assertEquals("t1", f.tenant());
        assertEquals(CIDR, f.cidr());
        assertEquals(V4, f.gateway());
        assertArrayEquals(first, f.poolFirst());
        assertArrayEquals(last, f.poolLast());
        assertEquals(1, f.strategy());
        assertEquals(5_000, f.cooldownMs());
        // a log written before issue 14 has no cooldown: read as 0
        assertEquals(0, new CreateSubnetFlyweight().wrap(buffer, 0, length - 8).cooldownMs());
        refusesShort(length - 8, () -> new CreateSubnetFlyweight().wrap(buffer, 0, length - 9));
        // a wide subnet's pools: 128-bit offsets
        final int wide = CreateSubnetFlyweight.encode(body(), "w", null, CIDR6, null, new long[] {0, 1},
            new long[] {2, 0}, new long[] {0, 0xFFFF}, new long[] {-1L, -1L}, 0, 0).position();
        final CreateSubnetFlyweight g = new CreateSubnetFlyweight().wrap(buffer, 0, wide);
        assertArrayEquals(new long[] {0, 1}, g.poolFirstHi());
        assertArrayEquals(new long[] {2, 0}, g.poolFirst());
        assertArrayEquals(new long[] {0, 0xFFFF}, g.poolLastHi());
        assertArrayEquals(new long[] {-1L, -1L}, g.poolLast());
        refusesShort(wide - 8, () -> new CreateSubnetFlyweight().wrap(buffer, 0, wide - 9));
    }

    private void updateSubnet()
    {
        final List<IpAddress[]> ranges = List.<IpAddress[]>of(new IpAddress[] {V4, V4});
        final int length = UpdateSubnetFlyweight.encode(body(), "t1", "s", ranges, true, null, 7_000).position();
        final UpdateSubnetFlyweight f = new UpdateSubnetFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("s", f.id());
        assertEquals(1, f.ranges().size());
        assertTrue(f.setsGateway());
        assertNull(f.gateway());
        assertEquals(7_000, f.cooldownMs());
        refusesShort(length, () -> new UpdateSubnetFlyweight().wrap(buffer, 0, length - 1));
        final int only = UpdateSubnetFlyweight.encode(body(), null, "s", null, true, V6, -1).position();
        final UpdateSubnetFlyweight g = new UpdateSubnetFlyweight().wrap(buffer, 0, only);
        assertNull(g.ranges(), "pools left out stay");
        assertEquals(V6, g.gateway());
        assertEquals(-1, g.cooldownMs(), "a cooldown left out stays");
    }

    private void reconcileSubnet()
    {
        final IpAddress a = AddressText.parseAddress("10.128.0.5", "a");
        final IpAddress b = AddressText.parseAddress("10.128.1.5", "b");
        final int length = ReconcileSubnetFlyweight.encode(body(), "t1", "s", 5_000, true, new IpAddress[] {a, b},
            new long[] {1, 2}, new long[] {3, 4}, 2).position();
        final ReconcileSubnetFlyweight f = new ReconcileSubnetFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("s", f.id());
        assertEquals(5_000, f.graceMs());
        assertTrue(f.dryRun());
        assertEquals(2, f.count());
        assertEquals(b.lo(), f.lo()[1]);
        assertEquals(2, f.ownerMsb()[1]);
        assertEquals(4, f.ownerLsb()[1]);
        refusesShort(length, () -> new ReconcileSubnetFlyweight().wrap(buffer, 0, length - 1));
        // another order, a repeat or a mixed family is refused: a log is never trusted
        final int unsorted = ReconcileSubnetFlyweight.encode(body(), null, "s", 0, false, new IpAddress[] {b, a},
            new long[] {1, 2}, new long[] {3, 4}, 2).position();
        refusesShort(unsorted + 1, () -> new ReconcileSubnetFlyweight().wrap(buffer, 0, unsorted));
        final int mixed = ReconcileSubnetFlyweight.encode(body(), null, "s", 0, false, new IpAddress[] {a, V6},
            new long[] {1, 2}, new long[] {3, 4}, 2).position();
        refusesShort(mixed + 1, () -> new ReconcileSubnetFlyweight().wrap(buffer, 0, mixed));
    }

    private void scopedId()
    {
        final int length = ScopedIdFlyweight.encode(body(), "t1", "subnet-9").position();
        final ScopedIdFlyweight f = new ScopedIdFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("subnet-9", f.id());
        refusesShort(length, () -> new ScopedIdFlyweight().wrap(buffer, 0, length - 1));
    }

    private void scope()
    {
        final int length = ScopeFlyweight.encode(body(), "t2").position();
        assertEquals("t2", new ScopeFlyweight().wrap(buffer, 0, length).scope());
        refusesShort(length, () -> new ScopeFlyweight().wrap(buffer, 0, length - 1));
    }

    private void updatePools()
    {
        final List<IpAddress[]> ranges = List.of(new IpAddress[] {V4, V4}, new IpAddress[] {V6, V6});
        final int length = UpdatePoolsFlyweight.encode(body(), null, "s", ranges).position();
        final UpdatePoolsFlyweight f = new UpdatePoolsFlyweight().wrap(buffer, 0, length);
        assertNull(f.scope());
        assertEquals("s", f.id());
        assertEquals(2, f.ranges().size());
        assertEquals(V4, f.ranges().get(0)[1]);
        assertEquals(V6, f.ranges().get(1)[0]);
        refusesShort(length, () -> new UpdatePoolsFlyweight().wrap(buffer, 0, length - 1));
    }

    private void updateGateway()
    {
        final int length = UpdateGatewayFlyweight.encode(body(), "t1", "s", V6).position();
        final UpdateGatewayFlyweight f = new UpdateGatewayFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("s", f.id());
        assertEquals(V6, f.gateway());
        refusesShort(length, () -> new UpdateGatewayFlyweight().wrap(buffer, 0, length - 1));
        assertNull(new UpdateGatewayFlyweight().wrap(buffer, 0,
            UpdateGatewayFlyweight.encode(body(), "t1", "s", null).position()).gateway());
    }

    private void deleteSubnet()
    {
        final int length = DeleteSubnetFlyweight.encode(body(), null, "s", true).position();
        final DeleteSubnetFlyweight f = new DeleteSubnetFlyweight().wrap(buffer, 0, length);
        assertEquals("s", f.id());
        assertTrue(f.force());
        refusesShort(length, () -> new DeleteSubnetFlyweight().wrap(buffer, 0, length - 1));
    }

    private void id()
    {
        final int length = IdFlyweight.encode(body(), "pool-1").position();
        assertEquals("pool-1", new IdFlyweight().wrap(buffer, 0, length).id());
        refusesShort(length, () -> new IdFlyweight().wrap(buffer, 0, length - 1));
    }

    private void createPrefixPool()
    {
        final int length = CreatePrefixPoolFlyweight.encode(body(), "p", List.of(CIDR, CIDR6), 20, 28, 24, 4_096)
            .position();
        final CreatePrefixPoolFlyweight f = new CreatePrefixPoolFlyweight().wrap(buffer, 0, length);
        assertEquals("p", f.id());
        assertEquals(List.of(CIDR, CIDR6), f.prefixes());
        assertEquals(20, f.minLength());
        assertEquals(28, f.maxLength());
        assertEquals(24, f.defaultLength());
        assertEquals(4_096, f.quota());
        refusesShort(length, () -> new CreatePrefixPoolFlyweight().wrap(buffer, 0, length - 1));
    }

    private void allocatePrefix()
    {
        int length = AllocatePrefixFlyweight.encode(body(), "p", "t1", 24, null).position();
        AllocatePrefixFlyweight f = new AllocatePrefixFlyweight().wrap(buffer, 0, length);
        assertEquals("p", f.poolId());
        assertEquals("t1", f.tenant());
        assertEquals(24, f.prefixLength());
        assertNull(f.wanted());
        length = AllocatePrefixFlyweight.encode(body(), "p", "t1", -1, CIDR).position();
        f = new AllocatePrefixFlyweight().wrap(buffer, 0, length);
        assertEquals(CIDR, f.wanted());
        final int full = length;
        refusesShort(full, () -> new AllocatePrefixFlyweight().wrap(buffer, 0, full - 1));
    }

    private void releasePrefix()
    {
        final int length = ReleasePrefixFlyweight.encode(body(), "t1", "p", CIDR6).position();
        final ReleasePrefixFlyweight f = new ReleasePrefixFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("p", f.poolId());
        assertEquals(CIDR6, f.child());
        refusesShort(length, () -> new ReleasePrefixFlyweight().wrap(buffer, 0, length - 1));
    }

    private void prefixList()
    {
        final int length = PrefixListFlyweight.encode(body(), "p", List.of(CIDR)).position();
        final PrefixListFlyweight f = new PrefixListFlyweight().wrap(buffer, 0, length);
        assertEquals("p", f.id());
        assertEquals(List.of(CIDR), f.prefixes());
        refusesShort(length, () -> new PrefixListFlyweight().wrap(buffer, 0, length - 1));
    }

    private void reconcile()
    {
        final Wire w = ReconcileFlyweight.encode(body(), "t1", 60_000, true, 2);
        ReconcileFlyweight.owner(w, new UUID(1, 1));
        ReconcileFlyweight.owner(w, new UUID(2, 2));
        final int length = w.position();
        final ReconcileFlyweight f = new ReconcileFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals(60_000, f.graceMs());
        assertTrue(f.dryRun());
        assertEquals(Set.of(new UUID(1, 1), new UUID(2, 2)), f.liveOwners());
        refusesShort(length, () -> new ReconcileFlyweight().wrap(buffer, 0, length - 1));
    }

    private void batch()
    {
        CommandHeader.encode(buffer, 0, TIME);
        final int length = BatchCommandFlyweight.begin(buffer, 0, 3);
        assertEquals(CommandHeader.LENGTH + 8 + 3 * 48, length);
        BatchCommandFlyweight.entry(buffer, 0, 0, MessageTypes.ALLOCATE, 7, 0, 0, 0, 0, -5, 9);
        BatchCommandFlyweight.entry(buffer, 0, 1, MessageTypes.ALLOCATE_BULK, 8, 12, 0, 0, 0, 1, 2);
        BatchCommandFlyweight.entry(buffer, 0, 2, MessageTypes.RELEASE_CHECKED, 9, 0, 0xC0FFEEL, 0x20010db8L,
            BatchCommandFlyweight.FLAG_ADDRESS_HIGH, 3, 4);
        final BatchCommandFlyweight f = new BatchCommandFlyweight().wrap(buffer, 0, length);
        assertEquals(3, f.count());
        assertEquals(TIME, f.timeMs());
        assertEquals(13, f.addresses(0) + f.addresses(1));
        final HotCommandFlyweight hot = new HotCommandFlyweight();
        assertEquals(MessageTypes.ALLOCATE, f.type(0));
        f.wrapEntry(0, hot);
        assertEquals(7, hot.handle());
        assertEquals(-5, hot.ownerMsb());
        assertEquals(9, hot.ownerLsb());
        assertFalse(f.addressHighGiven(0));
        f.wrapEntry(1, hot);
        assertEquals(12, hot.count());
        assertEquals(8, hot.handle());
        f.wrapEntry(2, hot);
        assertEquals(MessageTypes.RELEASE_CHECKED, f.type(2));
        assertEquals(0xC0FFEEL, hot.address());
        assertTrue(f.addressHighGiven(2));
        assertEquals(0x20010db8L, f.addressHigh(2));
        assertEquals(HotCommandFlyweight.LENGTH + 8, hot.length(), "the high word reads as the hot field after owner");
        assertEquals(4, hot.ownerLsb());
        assertFalse(f.wide(0) || f.wide(1) || f.wide(2));
        assertEquals(12, f.answerLongs(), "the bulk's count");
        // the wide mark (issue 22): the answer room grows by the high words, the layout stays
        BatchCommandFlyweight.entry(buffer, 0, 0, MessageTypes.ALLOCATE, 7, 0, 0, 0, BatchCommandFlyweight.FLAG_WIDE,
            -5, 9);
        BatchCommandFlyweight.entry(buffer, 0, 1, MessageTypes.ALLOCATE_BULK, 8, 12, 0, 0,
            BatchCommandFlyweight.FLAG_WIDE, 1, 2);
        f.wrap(buffer, 0, length);
        assertTrue(f.wide(0) && f.wide(1) && !f.addressHighGiven(0) && !f.wide(2));
        assertEquals(1 + 2 * 12, f.answerLongs(), "a high word for the allocation, (high, low) per bulk address");
        f.skip(1, ErrorCode.INTERNAL.resultCode());
        assertEquals(BatchCommandFlyweight.SKIPPED, f.type(1));
        assertEquals(ErrorCode.INTERNAL.resultCode(), f.skippedCode(1));
        assertEquals(0, f.addresses(1));
        refusesShort(length, () -> new BatchCommandFlyweight().wrap(buffer, 0, length - 1));
        refusesShort(length, () -> new BatchCommandFlyweight().wrap(buffer, 0, length + 48));
        buffer.putInt(BatchCommandFlyweight.ENTRIES_OFFSET, MessageTypes.RENEW);
        refusesShort(length, () -> new BatchCommandFlyweight().wrap(buffer, 0, length));
        buffer.putInt(BatchCommandFlyweight.ENTRIES_OFFSET, MessageTypes.ALLOCATE);
        buffer.putInt(BatchCommandFlyweight.ENTRIES_OFFSET + 4, 4);
        refusesShort(length, () -> new BatchCommandFlyweight().wrap(buffer, 0, length));
        buffer.putInt(BatchCommandFlyweight.COUNT_OFFSET, 0);
        refusesShort(length, () -> new BatchCommandFlyweight().wrap(buffer, 0, BatchCommandFlyweight.length(0)));

        // the answer: entries, then the extra area
        final ExpandableArrayBuffer answer = new ExpandableArrayBuffer(8);
        BatchAnswerFlyweight.begin(answer, 2, 3);
        BatchAnswerFlyweight.answer(answer, 0, 0, BatchAnswerFlyweight.NO_EXTRA, 0x0A000001L);
        final int at = BatchAnswerFlyweight.extra(answer, 2, 11);
        BatchAnswerFlyweight.extra(answer, 2, 12);
        BatchAnswerFlyweight.answer(answer, 1, 0, at, 0);
        final int answerLength = BatchAnswerFlyweight.written(answer, 2);
        assertEquals(8 + 2 * 16 + 2 * 8, answerLength);
        final BatchAnswerFlyweight a = new BatchAnswerFlyweight().wrap(answer, answerLength);
        assertEquals(2, a.count());
        assertEquals(0x0A000001L, a.value(0));
        assertEquals(BatchAnswerFlyweight.NO_EXTRA, a.extraIndex(0));
        assertEquals(11, a.extra(a.extraIndex(1)));
        assertEquals(12, a.extra(a.extraIndex(1) + 1));
        assertThrows(IpamException.class, () -> a.extra(2));
        assertThrows(IpamException.class, () -> new BatchAnswerFlyweight().wrap(answer, answerLength - 1));
    }

    private void changes()
    {
        final int length = ChangesFlyweight.encode(body(), null, 41, 100).position();
        final ChangesFlyweight f = new ChangesFlyweight().wrap(buffer, 0, length);
        assertNull(f.scope());
        assertEquals(41, f.afterSequence());
        assertEquals(100, f.max());
        refusesShort(length, () -> new ChangesFlyweight().wrap(buffer, 0, length - 1));
    }

    private void tick()
    {
        final int length = TickFlyweight.encode(body(), 256).position();
        assertEquals(256, new TickFlyweight().wrap(buffer, 0, length).budget());
        refusesShort(length, () -> new TickFlyweight().wrap(buffer, 0, length - 1));
    }

    private void capture()
    {
        assertEquals(CommandHeader.LENGTH, CommandHeader.encode(buffer, 0, TIME));
        assertEquals(TIME, CommandHeader.timeMs(buffer, 0));
        CommandHeader.stamp(buffer, 0, 77, 5);
        assertEquals(5, CommandHeader.replySlot(buffer, 0));
        assertEquals(TIME, CommandHeader.timeMs(buffer, 0));
        assertSame(CommandHeader.class, MessageTypes.flyweight(MessageTypes.CAPTURE));
    }

    private void subnetMap()
    {
        final int length = SubnetMapFlyweight.encode(body(), "t1", "net-1", CIDR6, 12).position();
        final SubnetMapFlyweight f = new SubnetMapFlyweight().wrap(buffer, 0, length);
        assertEquals("t1", f.scope());
        assertEquals("net-1", f.id());
        assertEquals(CIDR6, f.window());
        assertEquals(12, f.cellBits());
        refusesShort(length, () -> new SubnetMapFlyweight().wrap(buffer, 0, length - 1));
        final int whole = SubnetMapFlyweight.encode(body(), null, "net-2", null, 0).position();
        final SubnetMapFlyweight g = new SubnetMapFlyweight().wrap(buffer, 0, whole);
        assertNull(g.scope());
        assertNull(g.window());
        assertEquals(0, g.cellBits());
        // a prefix longer than the family allows is damage, not a window
        final int bad = body().putString(null).putString("n").putAddress(V4).putByte(33).putByte(4).position();
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> new SubnetMapFlyweight().wrap(buffer, 0, bad)).code());
        assertFalse(MessageTypes.isMutation(MessageTypes.SUBNET_MAP));
    }

    private void listPrefixPools()
    {
        assertEquals(CommandHeader.LENGTH, CommandHeader.encode(buffer, 0, TIME));
        assertSame(CommandHeader.class, MessageTypes.flyweight(MessageTypes.LIST_PREFIX_POOLS));
        assertFalse(MessageTypes.isMutation(MessageTypes.LIST_PREFIX_POOLS));
    }
}
