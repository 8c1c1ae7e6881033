package io.ipam.persistence;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a SIGKILL leaves of a keyed request cut short: its allocations written (each carrying the key's serial) and
 * its key not yet (the key is written last, before the answer). The request was never answered; its client sends
 * it again with the same key. Opening the store must not hold the cut-short allocation: the resend, finding no key,
 * allocates afresh, and holding the old one too would leak it (kill-test's "leaked" audit). A finished keyed
 * request is untouched.
 */
class UnfinishedKeyedRequestTest
{
    private static final UUID A = new UUID(7, 7);
    private static final UUID B = new UUID(8, 8);

    @TempDir
    Path tmp;

    @Test
    @Timeout(60)
    void shouldDropTheAllocationsOfAKeyedRequestWhoseKeyWasNeverWritten() throws Exception
    {
        final Path dir = tmp.resolve("store");
        final IpamConfig config = IpamConfig.defaults();
        final String finished;
        try (Ipam ipam = DurableIpam.open(dir, config))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            finished = ipam.allocate("s", A, AllocationOptions.builder().requestKey("done").build());
            ipam.allocate("s", A);
        }
        // what the kill left: the allocation's one write, with the serial of a key that never followed
        final long cutShort = 0x0A000000L + 77;
        final DurableStore store = DurableStore.open(dir, config, false);
        try
        {
            store.onAllocated("s", 0, cutShort, B.getMostSignificantBits(), B.getLeastSignificantBits(), 1L, 0,
                4_242L);
            store.afterBatch();
            assertEquals(4, store.size(), "two allocations and a key before, and the cut-short allocation");
        }
        finally
        {
            store.close();
        }
        for (int open = 0; open < 2; open++)
        {
            try (Ipam ipam = DurableIpam.open(dir, config))
            {
                assertEquals(List.of(), ipam.allocations(B), "the cut-short request's allocation is not held");
                assertEquals(Optional.empty(), ipam.owner("s", "10.0.0.77"));
                assertEquals(2, ipam.subnet("s").allocated());
                assertEquals(finished, ipam.allocate("s", A, AllocationOptions.builder().requestKey("done").build()),
                    "the finished request's key answers as before");
                assertEquals(Optional.of(A), ipam.owner("s", finished));
            }
        }
        final DurableStore after = DurableStore.open(dir, config, false);
        try
        {
            assertEquals(3, after.size(), "its entry was removed");
        }
        finally
        {
            after.close();
        }
    }
}
