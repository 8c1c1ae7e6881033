package io.ipam.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value types of API.md "Neutron parity": what each builder call records, that the last call for a field wins,
 * that lists are copied, and that the older constructors keep their meaning.
 */
class NeutronParityTypesTest
{
    @Test
    void shouldChangeNothingUntilTold()
    {
        final SubnetUpdate u = SubnetUpdate.builder().build();
        assertTrue(u.isEmpty());
        assertFalse(u.changesPools());
        assertFalse(u.changesGateway());
        assertFalse(u.changesCooldown());
        assertNull(u.pools());
        assertNull(u.gateway());
        assertNull(u.cooldown());
    }

    @Test
    void shouldRecordEachFieldAndCopyThePools()
    {
        final List<IpRange> pools = new ArrayList<>(List.of(IpRange.of("10.0.0.10", "10.0.0.20")));
        final SubnetUpdate u = SubnetUpdate.builder().pools(pools).gateway("10.0.0.1").cooldown(Duration.ofSeconds(5))
            .build();
        pools.add(IpRange.of("10.0.0.30", "10.0.0.40"));
        assertEquals(List.of(IpRange.of("10.0.0.10", "10.0.0.20")), u.pools());
        assertThrows(UnsupportedOperationException.class, () -> u.pools().clear());
        assertTrue(u.changesGateway());
        assertFalse(u.removesGateway());
        assertEquals("10.0.0.1", u.gateway());
        assertEquals(Duration.ofSeconds(5), u.cooldown());
        assertFalse(u.isEmpty());
    }

    @Test
    void shouldTellNoPoolsFromUnchangedAndNoGatewayFromANullOne()
    {
        final SubnetUpdate none = SubnetUpdate.builder().pools(List.of()).noGateway().build();
        assertTrue(none.changesPools());
        assertEquals(List.of(), none.pools());
        assertTrue(none.removesGateway());
        assertNull(none.gateway());
        final SubnetUpdate nulls = SubnetUpdate.builder().pools(null).gateway(null).cooldown(null).build();
        assertTrue(nulls.changesPools());
        assertNull(nulls.pools());
        assertTrue(nulls.changesGateway());
        assertFalse(nulls.removesGateway(), "a null gateway is not a removal: updateSubnet refuses it");
        assertTrue(nulls.changesCooldown());
        assertNotEquals(none, nulls);
    }

    @Test
    void shouldLetTheLastCallWin()
    {
        final SubnetUpdate u = SubnetUpdate.builder().noGateway().gateway("2001:db8::").build();
        assertFalse(u.removesGateway());
        assertEquals("2001:db8::", u.gateway());
        final SubnetUpdate v = SubnetUpdate.builder().gateway("2001:db8::").noGateway().build();
        assertTrue(v.removesGateway());
        assertEquals(SubnetUpdate.builder().noGateway().build(), v);
        assertEquals(v.hashCode(), SubnetUpdate.builder().noGateway().build().hashCode());
        assertEquals("SubnetUpdate{gateway=none}", v.toString());
    }

    @Test
    void shouldMarkARoutersRequest()
    {
        final AllocationOptions router = AllocationOptions.builder().router().build();
        assertTrue(router.router());
        assertFalse(AllocationOptions.none().router());
        assertNotEquals(AllocationOptions.none(), router);
        assertEquals(router, AllocationOptions.builder().router().build());
        assertEquals("AllocationOptions{router}", router.toString());
        final AllocationOptions keyed = AllocationOptions.builder().requestKey("k1").router().build();
        assertEquals("AllocationOptions{requestKey=k1, router}", keyed.toString());
        assertTrue(keyed.router());
    }

    @Test
    void shouldKeepTheRouterMarkOnAnAllocationButNotInItsIdentity()
    {
        final UUID owner = UUID.randomUUID();
        final Allocation plain = new Allocation("s", "2001:db8::", owner, Instant.ofEpochMilli(5), null);
        final Allocation router = new Allocation("s", "2001:db8::", owner, Instant.ofEpochMilli(5), null, true);
        assertFalse(plain.router());
        assertTrue(router.router());
        assertEquals(plain, router, "like time and lease, the mark is a fact about the allocation");
    }

    @Test
    void shouldReportEachGroupOfAReconcile()
    {
        final UUID owner = UUID.randomUUID();
        final Allocation a = new Allocation("s", "10.0.0.5", owner);
        final Allocation b = new Allocation("s", "10.0.0.6", owner);
        final ReconcileReport old = new ReconcileReport(List.of(a), true);
        assertEquals(List.of(), old.allocated());
        assertEquals(List.of(), old.reowned());
        final ReconcileReport r = new ReconcileReport(List.of(), List.of(a), List.of(b), false);
        assertEquals(List.of(a), r.allocated());
        assertEquals(List.of(b), r.reowned());
        assertEquals(List.of(), r.released());
        assertFalse(r.dryRun());
    }
}
