package io.ipam.core.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;

/**
 * A fixed allocator state built through the public API alone, with a fixed clock and a keyed generator, so the
 * same code always reaches the same state: every section of the format (subnets of both families and both
 * strategies, a tenant, gateways and pools, owners, both bitmap kinds, prefix pools with children, the generator,
 * and the lifecycle state: cooldowns, cooling addresses, leases, request keys with their answers and links).
 * {@code snapshot-v3-fixture.snap} beside this class was written by {@link #main} on the code of tag
 * {@code round4-base}; {@link SnapshotFixtureTest} requires today's code to write the same bytes and to restore
 * them into the same state. No JUnit here, so that {@link #main} runs against any build:
 * {@code javac -cp <jar> -d out SnapshotFixture.java && java -cp out:<jar> io.ipam.core.snapshot.SnapshotFixture F}.
 */
public final class SnapshotFixture
{
    /** The fixed clock starts here (2023-11-14T22:13:20Z) and moves only when the scenario says. */
    public static final long START_MS = 1_700_000_000_000L;

    private SnapshotFixture()
    {
    }

    /**
     * @param clock the clock the allocator reads.
     * @return the fixture's configuration: that clock and a keyed generator.
     */
    public static IpamConfig config(final AtomicLong clock)
    {
        final byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++)
        {
            key[i] = (byte)(i * 7 + 3);
        }
        return IpamConfig.builder().clock(clock::get).randomSource(() -> RandomSource.keyed(key, 5)).build();
    }

    /**
     * Build the state in a fresh in-memory allocator and snapshot it.
     *
     * @param file the snapshot to write.
     */
    public static void write(final Path file)
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (Ipam ipam = Ipam.inMemory(config(clock)))
        {
            build(ipam, clock);
            ipam.snapshot(file);
        }
    }

    /**
     * @param ipam  an empty allocator with {@link #config}.
     * @param clock its clock.
     */
    public static void build(final Ipam ipam, final AtomicLong clock)
    {
        final UUID[] owners = new UUID[7];
        for (int i = 0; i < owners.length; i++)
        {
            owners[i] = new UUID(0x1000 + i, 0x2000 + i);
        }
        ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").gateway("10.0.0.1")
            .strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("b", "10.1.0.0/16").tenant("t1").pool("10.1.0.10", "10.1.3.255")
            .pool("10.1.8.0", "10.1.8.255").cooldown(Duration.ofHours(1)).build());
        ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").cooldown(Duration.ofMinutes(5)).build());
        ipam.createSubnet(SubnetSpec.builder("v6small", "2001:db8:1::/112").strategy(AllocationStrategy.LOWEST)
            .build());
        ipam.createSubnet(SubnetSpec.builder("empty", "192.168.0.0/28").noGateway().build());
        ipam.allocateBulk("a", owners[0], 20);
        for (int i = 0; i < 60; i++)
        {
            clock.addAndGet(1_000);
            ipam.allocate("b", owners[1 + i % 4]);
        }
        for (int i = 0; i < 40; i++)
        {
            clock.addAndGet(500);
            ipam.allocate("v6", owners[i % 3]);
        }
        ipam.allocateBulk("v6small", owners[5], 30);
        ipam.allocate("a", "10.0.0.200", owners[6]);
        // cooling: releases in subnets with a cooldown
        clock.addAndGet(10_000);
        for (final String address : List.copyOf(ipam.allocations(owners[2])).stream()
            .filter(a -> a.subnetId().equals("b")).map(a -> a.address()).limit(5).toList())
        {
            clock.addAndGet(100);
            ipam.release("b", address);
        }
        // leases and request keys
        clock.addAndGet(60_000);
        ipam.allocate("b", owners[3], AllocationOptions.builder().requestKey("k-one").lease(Duration.ofMinutes(10))
            .build());
        ipam.allocateBulk("v6", owners[4], 3, AllocationOptions.builder().requestKey("k-bulk").build());
        ipam.allocatePort(owners[5], List.of(AddressRequest.any("b"), AddressRequest.next("v6small")),
            AllocationOptions.builder().requestKey("k-port").lease(Duration.ofHours(2)).build());
        ipam.allocate("a", owners[6], AllocationOptions.builder().lease(Duration.ofSeconds(90)).build());
        ipam.forTenant("t1").allocate("b", owners[0], AllocationOptions.builder().requestKey("k-tenant").build());
        // a key whose allocation went: remembered with the time it went
        final String gone = ipam.allocate("v6small", owners[6], AllocationOptions.builder().requestKey("k-gone")
            .build());
        clock.addAndGet(1_000);
        ipam.release("v6small", gone);
        ipam.updatePools("a", List.of(IpRange.of("10.0.0.2", "10.0.0.254")));
        ipam.createPrefixPool(PrefixPoolSpec.builder("p4", List.of("10.100.0.0/16", "10.200.0.0/20"))
            .minPrefixLength(20).defaultPrefixLength(24).maxPrefixLength(28).quota(4096).build());
        ipam.createPrefixPool(PrefixPoolSpec.builder("p6", List.of("2001:db8:100::/48"))
            .minPrefixLength(56).defaultPrefixLength(64).maxPrefixLength(64).build());
        ipam.allocatePrefix("p4", "t1");
        ipam.allocatePrefix("p4", "t2", 26);
        ipam.allocatePrefix("p4", "t1", "10.200.4.0/24");
        ipam.allocatePrefix("p6", "t3");
        ipam.allocatePrefix("p6", "t3", 56);
        clock.addAndGet(5_000);
    }

    /**
     * @return the bytes of {@code snapshot-v3-fixture.snap}, written by the base code.
     * @throws IOException when the resource is missing.
     */
    public static byte[] bytes() throws IOException
    {
        try (InputStream in = SnapshotFixture.class.getResourceAsStream("snapshot-v3-fixture.snap"))
        {
            if (in == null)
            {
                throw new IOException("snapshot-v3-fixture.snap is not on the class path");
            }
            return in.readAllBytes();
        }
    }

    /**
     * @param args the snapshot file to write.
     */
    public static void main(final String[] args)
    {
        write(Path.of(args[0]));
    }
}
