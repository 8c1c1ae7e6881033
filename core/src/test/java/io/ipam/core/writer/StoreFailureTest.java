package io.ipam.core.writer;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipam.core.AddressRequest;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.assembly.Allocators;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A store that refuses a change in the middle of a command: the command is answered with the store's code and
 * every change it made is undone in memory, so memory never holds what the store refused.
 */
class StoreFailureTest
{
    private static final UUID A = new UUID(1, 1);

    /** Refuses the n-th allocation it hears of, counting from when it is armed. */
    private static final class FlakyStore implements Store
    {
        final AtomicInteger countdown = new AtomicInteger(-1);
        final AtomicInteger held = new AtomicInteger();

        @Override
        public void onAllocated(final String subnetId, final long hi, final long address, final long ownerMsb,
            final long ownerLsb, final long timeMs, final int flags, final long keySerial)
        {
            if (countdown.get() > 0 && countdown.decrementAndGet() == 0)
            {
                throw new IpamException(ErrorCode.STORE_IO, "injected write failure");
            }
            held.incrementAndGet();
        }

        @Override
        public void onReleased(final String subnetId, final long hi, final long address, final long ownerMsb,
            final long ownerLsb, final long timeMs, final int flags)
        {
            held.decrementAndGet();
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
    void shouldUndoABulkAndAPortRequestTheStoreRefusedPartWay()
    {
        final FlakyStore store = new FlakyStore();
        final IpamConfig config = IpamConfig.builder().randomSource(() -> RandomSource.seeded(1)).build();
        try (Ipam ipam = Allocators.over(config, Allocators.newEngine(config, Long.MAX_VALUE), store))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.createSubnet(SubnetSpec.builder("t", "10.1.0.0/24").build());
            ipam.allocateBulk("s", A, 3);
            store.countdown.set(5);
            final IpamException bulk = assertThrows(IpamException.class, () -> ipam.allocateBulk("s", A, 10));
            assertEquals(ErrorCode.STORE_IO, bulk.code(), bulk.getMessage());
            assertEquals(3, ipam.subnet("s").allocated(), "memory holds none of the refused bulk");
            assertEquals(3, store.held.get(), "and the store was told to take back what it had accepted");
            store.countdown.set(2);
            final IpamException port = assertThrows(IpamException.class, () -> ipam.allocatePort(A, List.of(
                AddressRequest.any("s"), AddressRequest.any("t"), AddressRequest.any("t"))));
            assertEquals(ErrorCode.STORE_IO, port.code(), port.getMessage());
            assertEquals(3, ipam.subnet("s").allocated());
            assertEquals(0, ipam.subnet("t").allocated());
            assertEquals(3, store.held.get());
            assertEquals(3, ipam.allocations(A).size());
            store.countdown.set(-1);
            assertEquals(10, ipam.allocateBulk("s", A, 10).size());
        }
    }
}
