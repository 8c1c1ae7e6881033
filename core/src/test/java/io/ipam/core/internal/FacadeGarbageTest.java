package io.ipam.core.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.UUID;

import com.sun.management.ThreadMXBean;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import org.junit.jupiter.api.Test;

/**
 * What an allocate+release pair through the facade leaves behind on the caller's thread (caller-runs: the writer's
 * work too): the answer's address text only, and nothing built for a message that is not sent or for the facade's
 * own bookkeeping (a release built "address " + the address on every call, and each call an array for the subnet
 * reference it was sent with: 200-256 bytes a pair in all, close21's measurement; a release's parsed IpAddress, 32
 * bytes whenever the JIT let it escape, hot21's: a release parses into primitives now).
 */
class FacadeGarbageTest
{
    /** The answer: a String of up to 15 Latin-1 characters (24 bytes) and its byte array (16 + 15, padded: 32). */
    private static final long ANSWER_BYTES = 56;

    @Test
    void aPairLeavesOnlyItsAnswerBehind()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().writerMode(WriterMode.CALLER_RUNS).changeRetention(1024)
            .randomSource(() -> RandomSource.seeded(4)).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").noGateway().build());
            final UUID owner = new UUID(9, 1);
            for (int i = 0; i < 100; i++)
            {
                ipam.allocate("s", new UUID(8, i)); // the subnet holds something, as in steady use
            }
            final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long me = Thread.currentThread().getId();
            long least = Long.MAX_VALUE;
            for (int round = 0; round < 8; round++)
            {
                final long before = threads.getThreadAllocatedBytes(me);
                for (int i = 0; i < 20_000; i++)
                {
                    ipam.release("s", ipam.allocate("s", owner));
                }
                least = Math.min(least, threads.getThreadAllocatedBytes(me) - before);
            }
            final double perPair = least / 20_000.0;
            assertTrue(perPair <= ANSWER_BYTES + 8, "an allocate+release pair left " + perPair + " bytes");
        }
    }
}
