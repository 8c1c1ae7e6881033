package io.ipam.core.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import com.sun.management.ThreadMXBean;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import org.junit.jupiter.api.Test;

/**
 * Issue 22 / SPEC 1: an empty IPv6 /1 (2^127 addresses) costs the same small fixed amount as an empty /64. Measured as
 * the bytes the caller's thread allocates to create the subnet (caller-runs: the writer's work too), an upper bound
 * on what the subnet keeps: the least of several rounds, each subnet deleted again so every round starts alike.
 */
class WideSubnetFootprintTest
{
    /** The /1's structures beyond a /64's: directories made on first use, a page table of 128 references. */
    private static final long WIDER_BY_AT_MOST = 4096;
    /** An empty /64 stays small: the subnet's record, pools and an empty address set. */
    private static final long SMALL = 64 * 1024;

    @Test
    void anEmptySlash1CostsAboutWhatAnEmptySlash64Costs()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().writerMode(WriterMode.CALLER_RUNS)
            .randomSource(() -> RandomSource.seeded(5)).build()))
        {
            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long me = Thread.currentThread().getId();
            long least64 = Long.MAX_VALUE;
            long least1 = Long.MAX_VALUE;
            for (int round = 0; round < 50; round++)
            {
                long before = threads.getThreadAllocatedBytes(me);
                ipam.createSubnet(SubnetSpec.builder("n", "2001:db8::/64").build());
                least64 = Math.min(least64, threads.getThreadAllocatedBytes(me) - before);
                ipam.deleteSubnet("n");
                before = threads.getThreadAllocatedBytes(me);
                ipam.createSubnet(SubnetSpec.builder("w", "8000::/1").build());
                least1 = Math.min(least1, threads.getThreadAllocatedBytes(me) - before);
                ipam.deleteSubnet("w");
            }
            System.out.println("WideSubnetFootprintTest: empty /64 " + least64 + " B, empty /1 " + least1 + " B");
            assertTrue(least64 <= SMALL, "an empty /64 took " + least64 + " bytes");
            assertTrue(least1 <= least64 + WIDER_BY_AT_MOST,
                "an empty /1 took " + least1 + " bytes against " + least64 + " for an empty /64");
        }
    }
}
