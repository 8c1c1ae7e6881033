package io.ipam.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ipam#subnetMap}: the cells' counts against a model built from the addresses the allocator handed out, the
 * listed addresses of a small window, leases and cooldown, windows, tenant views, bad arguments; and
 * {@link Ipam#prefixPools}.
 */
class SubnetMapTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);
    private static final long T0 = 1_700_000_000_000L;

    private final AtomicLong clock = new AtomicLong(T0);
    private final Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get)
        .randomSource(() -> RandomSource.seeded(27)).build());

    @AfterEach
    void tearDown()
    {
        ipam.close();
    }

    private static void assertCode(final ErrorCode code, final Executable call)
    {
        assertEquals(code, assertThrows(IpamException.class, call).code());
    }

    /** The cell of an address in a window of 2^hostBits addresses starting at first, cut into 2^cellBits cells. */
    private static int cell(final String address, final long first, final int hostBits, final int cellBits)
    {
        final IpAddress a = AddressText.parseAddress(address, "a");
        return (int)((a.lo() - first) >>> (hostBits - cellBits));
    }

    private static long sumHeld(final SubnetMap m)
    {
        long n = 0;
        for (int c = 0; c < m.cells(); c++)
        {
            n += m.held(c);
        }
        return n;
    }

    @Test
    void shouldCountEachCellAsTheModelDoes()
    {
        ipam.createSubnet(SubnetSpec.builder("net", "10.1.0.0/20").build());
        final List<String> got = ipam.allocateBulk("net", A, 700);
        final long first = AddressText.parseAddress("10.1.0.0", "a").lo();
        for (final int cellBits : new int[] {0, 3, 8, 12, 16})
        {
            final SubnetMap m = ipam.subnetMap("net", null, cellBits);
            final int cb = Math.min(cellBits, 12);
            assertEquals(cb, m.cellBits());
            assertEquals(12 - cb, m.addressBits());
            assertEquals("10.1.0.0/20", m.window());
            final long[] model = new long[1 << cb];
            for (final String a : got)
            {
                model[cell(a, first, 12, cb)]++;
            }
            for (int c = 0; c < m.cells(); c++)
            {
                assertEquals(model[c], m.held(c), "cell " + c + " of " + m.cells());
                assertEquals(0, m.cooling(c));
                assertEquals(0, m.leased(c));
            }
            assertEquals(700, sumHeld(m));
        }
        // a /20 is 4,096 addresses: small enough to list each one, ascending, with its owner and time
        final SubnetMap m = ipam.subnetMap("net", null, 12);
        assertEquals(700, m.entries().size());
        final List<String> sorted = new ArrayList<>(got);
        sorted.sort((x, y) -> AddressText.parseAddress(x, "a").compareTo(AddressText.parseAddress(y, "a")));
        for (int i = 0; i < sorted.size(); i++)
        {
            final SubnetMap.Entry e = m.entries().get(i);
            assertEquals(sorted.get(i), e.address());
            assertEquals(SubnetMap.State.HELD, e.state());
            assertEquals(A, e.owner().orElseThrow());
            assertEquals(T0, e.time().toEpochMilli());
            assertFalse(e.until().isPresent());
        }
    }

    @Test
    void shouldShowLeasesAndCoolingAddresses()
    {
        ipam.createSubnet(SubnetSpec.builder("net", "192.168.0.0/24").strategy(AllocationStrategy.LOWEST)
            .cooldown(Duration.ofMinutes(5)).build());
        final String leased = ipam.allocate("net", A, AllocationOptions.builder().lease(Duration.ofHours(1)).build());
        clock.addAndGet(1_000);
        final String plain = ipam.allocate("net", B);
        clock.addAndGet(1_000);
        final String freed = ipam.allocate("net", B);
        ipam.release("net", freed);
        final SubnetMap m = ipam.subnetMap("net", null, 8);
        assertEquals(8, m.cellBits());
        assertEquals(0, m.addressBits());
        final long first = AddressText.parseAddress("192.168.0.0", "a").lo();
        assertEquals(1, m.held(cell(leased, first, 8, 8)));
        assertEquals(1, m.leased(cell(leased, first, 8, 8)));
        assertEquals(1, m.held(cell(plain, first, 8, 8)));
        assertEquals(0, m.leased(cell(plain, first, 8, 8)));
        assertEquals(0, m.held(cell(freed, first, 8, 8)));
        assertEquals(1, m.cooling(cell(freed, first, 8, 8)));
        assertEquals(2, sumHeld(m));
        assertEquals(3, m.entries().size());
        final SubnetMap.Entry l = m.entries().get(0);
        assertEquals(leased, l.address());
        assertEquals(T0 + 3_600_000, l.until().orElseThrow().toEpochMilli());
        final SubnetMap.Entry c = m.entries().get(2);
        assertEquals(freed, c.address());
        assertEquals(SubnetMap.State.COOLING, c.state());
        assertFalse(c.owner().isPresent());
        assertEquals(T0 + 2_000, c.time().toEpochMilli());
        assertEquals(T0 + 2_000 + 300_000, c.until().orElseThrow().toEpochMilli());
        assertEquals(T0 + 2_000, m.time().toEpochMilli());
        // one cell for the whole subnet
        final SubnetMap one = ipam.subnetMap("net", null, 0);
        assertEquals(1, one.cells());
        assertEquals(2, one.held(0));
        assertEquals(1, one.cooling(0));
        assertEquals(1, one.leased(0));
        // once the lease runs out, the map (a query that expires due leases first) no longer shows it held
        clock.addAndGet(3_600_000);
        final SubnetMap later = ipam.subnetMap("net", null, 8);
        assertEquals(0, later.held(cell(leased, first, 8, 8)));
        assertEquals(0, later.leased(cell(leased, first, 8, 8)));
    }

    @Test
    void shouldMapAWindowInsideTheSubnet()
    {
        ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").noGateway()
            .strategy(AllocationStrategy.LOWEST).build());
        ipam.allocateBulk("big", A, 5_000);   // 10.0.0.1 .. 10.0.19.136: offsets 1 to 5,000
        final SubnetMap whole = ipam.subnetMap("big", null, 12);
        assertEquals(12, whole.addressBits());
        assertEquals(4_095, whole.held(0));
        assertEquals(905, whole.held(1));
        assertTrue(whole.entries().isEmpty(), "a /8 is too large to list");
        final SubnetMap block = ipam.subnetMap("big", "10.0.16.0/20", 12);
        assertEquals("10.0.16.0/20", block.window());
        assertEquals(0, block.addressBits());
        assertEquals(905, sumHeld(block));
        assertEquals(905, block.entries().size());
        assertEquals("10.0.16.0", block.entries().get(0).address());
        // host bits of the window are ignored; a window outside or wider than the subnet is refused
        assertEquals("10.0.16.0/20", ipam.subnetMap("big", "10.0.17.3/20", 4).window());
        assertCode(ErrorCode.CIDR_INVALID, () -> ipam.subnetMap("big", "11.0.0.0/24", 4));
        assertCode(ErrorCode.CIDR_INVALID, () -> ipam.subnetMap("big", "10.0.0.0/7", 4));
        assertCode(ErrorCode.CIDR_INVALID, () -> ipam.subnetMap("big", "2001:db8::/64", 4));
        assertCode(ErrorCode.MALFORMED, () -> ipam.subnetMap("big", "10.0.0.0/33", 4)); // not a CIDR
        assertCode(ErrorCode.MALFORMED, () -> ipam.subnetMap("big", null, 17));
        assertCode(ErrorCode.MALFORMED, () -> ipam.subnetMap("big", null, -1));
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> ipam.subnetMap("nope", null, 4));
        assertCode(ErrorCode.MALFORMED, () -> ipam.subnetMap(null, null, 4));
    }

    @Test
    void shouldMapAHashedIpv6Subnet()
    {
        ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8:0:1::/64").build());
        final List<String> got = ipam.allocateBulk("v6", A, 3_000);
        final SubnetMap m = ipam.subnetMap("v6", null, 10);
        assertEquals(54, m.addressBits());
        final long[] model = new long[1 << 10];
        for (final String a : got)
        {
            model[(int)(AddressText.parseAddress(a, "a").lo() >>> 54)]++;
        }
        for (int c = 0; c < m.cells(); c++)
        {
            assertEquals(model[c], m.held(c), "cell " + c);
        }
        final SubnetMap one = ipam.subnetMap("v6", null, 0);
        assertEquals(64, one.addressBits());
        assertEquals(3_000, one.held(0));
    }

    @Test
    void shouldMapAWideSubnetWithRouterAndCoolingAddresses()
    {
        // a /48 (issue 22): 128-bit offsets, cells of 2^68 addresses, the anycast address held by a router's request
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:7::/48").noGateway().cooldown(Duration.ofMinutes(5))
            .build());
        final List<String> got = ipam.allocateBulk("w", A, 2_000);
        ipam.allocate("w", "2001:db8:7::", B, AllocationOptions.builder().router().build());
        ipam.allocate("w", "2001:db8:7:ff00::1", B, AllocationOptions.builder().router().build());
        final String freed = got.get(0);
        ipam.release("w", freed);
        final SubnetMap m = ipam.subnetMap("w", null, 12);
        assertEquals(12, m.cellBits());
        assertEquals(68, m.addressBits());
        final long[] model = new long[1 << 12];
        for (final String a : got)
        {
            model[(int)((AddressText.parseAddress(a, "a").hi() & 0xFFFFL) >>> 4)]++;
        }
        final int freedCell = (int)((AddressText.parseAddress(freed, "a").hi() & 0xFFFFL) >>> 4);
        model[freedCell]--;
        model[0]++;
        model[0xff0]++;
        long router = 0;
        for (int c = 0; c < m.cells(); c++)
        {
            assertEquals(model[c], m.held(c), "cell " + c);
            router += m.router(c);
        }
        assertEquals(1, m.cooling(freedCell));
        assertEquals(1, m.router(0));
        assertEquals(1, m.router(0xff0));
        assertEquals(2, router);
        assertEquals(2_001, sumHeld(m));
        // a small window at the subnet-router anycast address lists it, a router's
        final SubnetMap small = ipam.subnetMap("w", "2001:db8:7::/120", 8);
        assertEquals(0, small.addressBits());
        final SubnetMap.Entry anycast = small.entries().get(0);
        assertEquals("2001:db8:7::", anycast.address());
        assertTrue(anycast.router());
        assertEquals(B, anycast.owner().orElseThrow());
        assertEquals(1, small.router(0));
    }

    @Test
    void shouldKeepToTheViewsTenant()
    {
        ipam.createSubnet(SubnetSpec.builder("red-net", "10.0.0.0/24").tenant("red").build());
        ipam.createSubnet(SubnetSpec.builder("blue-net", "10.0.0.0/24").tenant("blue").build());
        ipam.allocate("red-net", A);
        final Ipam red = ipam.forTenant("red");
        assertEquals(1, sumHeld(red.subnetMap("red-net", null, 8)));
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> red.subnetMap("blue-net", null, 8));
        assertCode(ErrorCode.SUBNET_NOT_FOUND, () -> ipam.forTenant("blue").subnetMap("red-net", null, 8));
    }

    @Test
    void shouldListPrefixPoolsToEveryView()
    {
        assertTrue(ipam.prefixPools().isEmpty());
        ipam.createPrefixPool(PrefixPoolSpec.builder("p2", List.of("10.64.0.0/10")).defaultPrefixLength(24).build());
        ipam.createPrefixPool(PrefixPoolSpec.builder("p1", List.of("2001:db8:100::/40")).minPrefixLength(48)
            .defaultPrefixLength(56).build());
        ipam.allocatePrefix("p2", "red");
        final List<PrefixPoolInfo> pools = ipam.forTenant("red").prefixPools();
        assertEquals(List.of("p1", "p2"), pools.stream().map(PrefixPoolInfo::id).toList());
        assertEquals(1, pools.get(1).childCount());
        assertEquals(List.of("10.64.0.0/10"), pools.get(1).prefixes());
    }

    @Test
    void shouldRefuseWhenClosed()
    {
        ipam.close();
        assertCode(ErrorCode.CLOSED, () -> ipam.subnetMap("x", null, 4));
        assertCode(ErrorCode.CLOSED, ipam::prefixPools);
    }
}
