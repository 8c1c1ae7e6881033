package io.ipam.persistence;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SPEC 9 in durable mode: request keys, leases and cooldown survive a reopen and a snapshot restore, and a
 * restored store continues its snapshot's change sequence.
 */
class DurableLifecycleTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);
    private static final long T0 = 1_800_000_000_000L;

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(T0);

    private IpamConfig config()
    {
        return IpamConfig.builder().clock(clock::get).requestKeyRetention(Duration.ofMinutes(5)).build();
    }

    private static AllocationOptions key(final String k)
    {
        return AllocationOptions.builder().requestKey(k).build();
    }

    @Test
    void shouldKeepKeysLeasesAndCooldownAcrossReopenAndRestore()
    {
        final Path dir = tmp.resolve("store");
        final String keyed;
        final List<String> bulk;
        final String leased;
        final String cooled;
        final long sequence;
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/28").tenant("t").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofMinutes(1)).build());
            keyed = ipam.allocate("s", A, key("port-1"));
            bulk = ipam.allocateBulk("s", A, 2, key("bulk-1"));
            leased = ipam.allocate("s", B, AllocationOptions.builder().lease(Duration.ofSeconds(30)).build());
            cooled = ipam.allocate("s", B);
            ipam.release("s", cooled);
            sequence = ipam.lastSequence();
        }
        try (Ipam ipam = DurableIpam.open(dir, config()))
        {
            assertEquals(keyed, ipam.allocate("s", A, key("port-1")), "the key survives a reopen");
            assertEquals(bulk, ipam.allocateBulk("s", A, 2, key("bulk-1")));
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> ipam.allocate("s", B, key("port-1"))).code());
            assertEquals(1, ipam.subnet("s").cooling(), "cooling survives a reopen");
            assertEquals(Duration.ofMinutes(1), ipam.subnet("s").cooldown());
            final Allocation l = ipam.allocations(B).get(0);
            assertEquals(leased, l.address());
            assertEquals(Optional.of(Instant.ofEpochMilli(T0 + 30_000)), l.expiresAt(), "the lease survives");
            assertEquals(sequence, ipam.lastSequence());
            ipam.snapshot(tmp.resolve("snap"));
        }
        final Path restoredDir = tmp.resolve("restored");
        try (Ipam ipam = DurableIpam.restore(tmp.resolve("snap"), restoredDir, config()))
        {
            assertEquals(keyed, ipam.allocate("s", A, key("port-1")), "the key survives a restore");
            assertEquals(sequence, ipam.lastSequence(), "a restored store continues the sequence");
        }
        try (Ipam ipam = DurableIpam.open(restoredDir, config()))
        {
            assertEquals(sequence, ipam.lastSequence(), "and keeps it across a reopen before any change");
            assertEquals(1, ipam.subnet("s").cooling());
            clock.addAndGet(30_000);
            assertEquals(Optional.empty(), ipam.owner("s", leased), "the restored lease expires");
            assertEquals(ChangeKind.EXPIRED, ipam.changes(sequence, 10).get(0).kind());
            assertEquals(sequence + 1, ipam.changes(sequence, 10).get(0).sequence());
            assertEquals(2, ipam.subnet("s").cooling(), "the expired address cools too");
            clock.addAndGet(59_999);
            // the released address has cooled, the expired one (freed 30 s later) not yet
            assertEquals(cooled, ipam.allocatePort(B, List.of(AddressRequest.next("s"))).get(0).address());
            clock.addAndGet(1);
            assertEquals(leased, ipam.allocatePort(B, List.of(AddressRequest.next("s"))).get(0).address());
            ipam.release("s", keyed);
            ipam.release("s", bulk.get(0));
            ipam.release("s", bulk.get(1));
        }
        try (Ipam ipam = DurableIpam.open(restoredDir, config()))
        {
            clock.addAndGet(Duration.ofMinutes(4).toMillis());
            assertEquals(keyed, ipam.allocate("s", A, key("port-1")), "retained after its allocations went");
            clock.addAndGet(Duration.ofMinutes(2).toMillis());
            final String again = ipam.allocate("s", A, key("port-1"));
            assertEquals(A, ipam.owner("s", again).orElseThrow(), "forgotten after the retention: allocates anew");
        }
        try (Ipam ipam = DurableIpam.open(restoredDir, config()))
        {
            assertEquals(1, ipam.allocations(A).size(), "the second answer of the key is the one kept");
            ipam.allocate("s", A, key("port-1"));
            assertEquals(1, ipam.allocations(A).size());
        }
    }
}
