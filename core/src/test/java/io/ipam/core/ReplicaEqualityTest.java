package io.ipam.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.writer.WriterExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a cluster's members are (SPEC 10, replicas equal): one allocator that kept running and one restored from its
 * snapshot, given the same commands at the same times, must number the same changes alike and write byte-equal
 * snapshots. The state here is what made them differ: many leases ending at the same millisecond (every command of
 * one cluster log entry has its time) in subnets whose handles differ between the two (a subnet deleted and
 * another created in its place), cooling addresses, request keys, and expiry cut into 64-lease steps per command.
 * As in a cluster, time moves only with the commands: the facades' wall-clock lifecycle ticks are withheld (a
 * cluster's ticks are log entries, applied by every member at the same position).
 */
class ReplicaEqualityTest
{
    private static final long T0 = 1_800_000_000_000L;
    private static final Duration LEASE = Duration.ofMinutes(5);

    private static IpamConfig config(final AtomicLong clock)
    {
        return IpamConfig.builder().clock(clock::get).writerMode(WriterMode.CALLER_RUNS)
            .requestKeyRetention(Duration.ofMinutes(1)).build();
    }

    /** A writer over an engine, empty or restored from a snapshot file. */
    private static WriterExecutor writer(final AtomicLong clock, final Path restoreFrom)
    {
        final IpamConfig config = config(clock);
        final AllocatorEngine engine = Allocators.newMemoryEngine(config);
        if (restoreFrom != null)
        {
            SnapshotCodec.read(restoreFrom).restoreInto(engine);
        }
        return new WriterExecutor(engine, config, null);
    }

    /**
     * A facade over a writer, with no ticks but the commands' (a new facade knows no subnet handle yet: it looks
     * them up with commands of its own, which also move expiry on; both sides start with a new one).
     */
    private static Ipam facade(final AtomicLong clock, final WriterExecutor writer)
    {
        return Allocators.remote(config(clock), new CommandsOnly(writer));
    }

    /** Passes every command to the writer but the facade's own timer ticks (answered "nothing left to do"). */
    private record CommandsOnly(WriterExecutor writer) implements CommandTransport
    {
        @Override
        public Reply acquire()
        {
            return writer.acquire();
        }

        @Override
        public void execute(final Reply r)
        {
            if (r.type == MessageTypes.TICK)
            {
                r.code = 0;
                r.value = 0;
                return;
            }
            writer.execute(r);
        }

        @Override
        public void release(final Reply r)
        {
            writer.release(r);
        }

        @Override
        public void close()
        {
            // the writer outlives its facades (closed by the test)
        }
    }

    private static AllocationOptions lease(final Duration d)
    {
        return AllocationOptions.builder().lease(d).build();
    }

    private static UUID owner(final int i)
    {
        return new UUID(0x5EED, i);
    }

    /** Before the snapshot: subnets made, one deleted and its handle given to another, leases tied across them. */
    private static void before(final Ipam ipam, final AtomicLong clock)
    {
        ipam.createSubnet(SubnetSpec.builder("z-cool", "10.9.0.0/24").strategy(AllocationStrategy.LOWEST)
            .cooldown(Duration.ofMinutes(1)).build());
        ipam.createSubnet(SubnetSpec.builder("b", "10.2.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("w", "2001:db8:1::/48").strategy(AllocationStrategy.LOWEST).build());
        ipam.deleteSubnet("b");
        ipam.createSubnet(SubnetSpec.builder("m", "2001:db8::/64").strategy(AllocationStrategy.LOWEST).build());
        ipam.createSubnet(SubnetSpec.builder("a", "10.1.0.0/24").strategy(AllocationStrategy.LOWEST).build());
        for (int i = 0; i < 100; i++)
        {
            // the same lease end everywhere, subnets interleaved in an order that is not their id order
            for (final String s : List.of("m", "z-cool", "w", "a"))
            {
                ipam.allocate(s, owner(i), lease(LEASE));
            }
        }
        clock.addAndGet(1_000);
        final List<Allocation> cooling = ipam.allocations(owner(7));
        for (final Allocation a : cooling)
        {
            if (a.subnetId().equals("z-cool"))
            {
                ipam.release("z-cool", a.address());
            }
        }
        for (int i = 0; i < 20; i++)
        {
            final String address = ipam.allocate("a", owner(1000 + i),
                AllocationOptions.builder().requestKey("port-" + (19 - i)).build());
            if (i % 3 == 0)
            {
                ipam.release("a", address);
            }
        }
    }

    /** After the snapshot: more leases ending at the same time as the first ones, then expiry in steps. */
    private static void after(final Ipam ipam, final AtomicLong clock, final Consumer<Ipam> checkpoint)
    {
        clock.set(T0 + 3_000);
        for (int i = 0; i < 40; i++)
        {
            ipam.allocate(i % 2 == 0 ? "w" : "z-cool", owner(500 + i), lease(LEASE.minusMillis(3_000)));
        }
        clock.set(T0 + LEASE.toMillis() + 1);
        for (int i = 0; i < 3; i++)
        {
            ipam.allocate("a", owner(900 + i)); // each command expires at most 64 due leases
        }
        checkpoint.accept(ipam);
        clock.set(T0 + LEASE.toMillis() + 120_000);
        for (int i = 0; i < 12; i++)
        {
            ipam.allocate("m", owner(950 + i));
        }
        checkpoint.accept(ipam);
    }

    @Test
    @Timeout(60)
    void shouldNumberChangesAlikeAndWriteEqualSnapshotsAfterARestore(@TempDir final Path dir) throws Exception
    {
        final AtomicLong clockA = new AtomicLong(T0);
        final AtomicLong clockB = new AtomicLong();
        final Path image = dir.resolve("image.ipam");
        final List<byte[]> filesA = new ArrayList<>();
        final List<byte[]> filesB = new ArrayList<>();
        final WriterExecutor writerA = writer(clockA, null);
        try (Ipam first = facade(clockA, writerA))
        {
            before(first, clockA);
        }
        clockA.set(T0 + 2_000);
        SnapshotCodec.write(writerA.captureBetweenCommands(clockA.get()), image);
        clockB.set(clockA.get());
        final WriterExecutor writerB = writer(clockB, image);
        try (writerA; writerB; Ipam a = facade(clockA, writerA); Ipam b = facade(clockB, writerB))
        {
            final long since = a.lastSequence();
            assertEquals(since, b.lastSequence(), "the restored one continues the sequence");
            after(a, clockA, ipam -> filesA.add(snapshotBytes(writerA, clockA, dir, "a" + filesA.size())));
            after(b, clockB, ipam -> filesB.add(snapshotBytes(writerB, clockB, dir, "b" + filesB.size())));
            final List<Change> changesA = a.changes(since, Integer.MAX_VALUE);
            final List<Change> changesB = b.changes(since, Integer.MAX_VALUE);
            final long expired = changesA.stream().filter(c -> c.kind() == ChangeKind.EXPIRED).count();
            assertTrue(expired > 128, "expiry ran in several steps: " + expired + " leases expired");
            assertEquals(changesA.size(), changesB.size(), "changes after the restore");
            for (int i = 0; i < changesA.size(); i++)
            {
                assertEquals(changesA.get(i), changesB.get(i), "change " + changesA.get(i).sequence());
            }
        }
        assertEquals(2, filesA.size());
        for (int i = 0; i < filesA.size(); i++)
        {
            assertTrue(Arrays.equals(filesA.get(i), filesB.get(i)), "snapshot " + i + " of the two differs");
        }
    }

    private static byte[] snapshotBytes(final WriterExecutor writer, final AtomicLong clock, final Path dir,
        final String name)
    {
        try
        {
            final Path f = dir.resolve(name + ".ipam");
            SnapshotCodec.write(writer.captureBetweenCommands(clock.get()), f);
            return Files.readAllBytes(f);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
