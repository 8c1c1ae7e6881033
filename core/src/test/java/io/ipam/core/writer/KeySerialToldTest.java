package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.RequestKeys;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store hears an allocation made under a request key together with the key's serial, in the one
 * {@code onAllocated} call (so a durable store writes both at once: a kill between an allocation and a later
 * key-link write left an allocation that looked unkeyed, and the client's resend with its key allocated a second
 * address). The key itself comes last, after every allocation of its request.
 */
class KeySerialToldTest
{
    private static final UUID A = new UUID(3, 3);

    /** Records what it is told, in order. */
    private static final class Recording implements Store
    {
        final List<String> told = new ArrayList<>();

        @Override
        public void onAllocated(final String subnetId, final long hi, final long address, final long ownerMsb,
            final long ownerLsb, final long timeMs, final int flags, final long keySerial)
        {
            told.add("allocated " + subnetId + " " + address + " serial " + keySerial);
        }

        @Override
        public void onKeyLink(final String subnetId, final long hi, final long address, final RequestKeys.Key key)
        {
            told.add("link " + subnetId + " " + address + " serial " + key.serial);
        }

        @Override
        public void onKey(final RequestKeys.Key key)
        {
            told.add("key " + key.key + " serial " + key.serial);
        }

        @Override
        public void afterBatch()
        {
        }

        @Override
        public void close()
        {
        }
    }

    @Test
    void shouldTellAKeyedAllocationsSerialWithTheAllocationAndTheKeyLast()
    {
        final Recording store = new Recording();
        final IpamConfig config = IpamConfig.defaults();
        try (Ipam ipam = Allocators.over(config, Allocators.newEngine(config, Long.MAX_VALUE), store))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.createSubnet(SubnetSpec.builder("w", "2001:db8::/48").build());
            ipam.allocate("s", A);
            assertTrue(store.told.get(store.told.size() - 1).endsWith(" serial 0"), "unkeyed: " + store.told);
            store.told.clear();
            ipam.allocatePort(A, List.of(AddressRequest.any("s"), AddressRequest.any("w")),
                AllocationOptions.builder().requestKey("port-1").build());
            final List<String> allocated = store.told.stream().filter(t -> t.startsWith("allocated ")).toList();
            assertEquals(2, allocated.size(), store.told.toString());
            final String key = store.told.get(store.told.size() - 1);
            assertTrue(key.startsWith("key port-1 serial "), "the key is told last: " + store.told);
            final String serial = key.substring(key.lastIndexOf(' ') + 1);
            assertNotEquals("0", serial);
            for (final String a : allocated)
            {
                assertTrue(a.endsWith(" serial " + serial), "the allocation carries its key's serial: " + a);
            }
        }
    }
}
