package io.ipam.core.protocol;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.EngineIpam;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.spi.Answer;
import io.ipam.core.spi.CommandLog;
import io.ipam.core.writer.CommandAdapter;
import io.ipam.core.writer.Store;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Records the command log of a million seeded random calls of every kind through the public API, replays it
 * into a fresh engine through the {@link CommandAdapter}, and requires the same answer to every command and the
 * same state at the end (snapshot bytes of both).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class CommandLogReplayTest
{
    private static final int CALLS = 1_000_000;
    private static final String[] SUBNETS = {"a", "b", "c", "d", "e", "f"};
    private static final String[] CIDRS = {"10.0.0.0/24", "10.1.0.0/22", "10.0.0.0/29", "2001:db8::/64",
        "2001:db8:1::/120", "192.168.0.0/30", "172.16.0.0/20", "2001:db8:100::/48"};

    @TempDir
    Path tmp;

    /** Every logged command, back to back, with its type and bounds; and every answer. */
    private static final class Recording implements CommandLog
    {
        final ExpandableArrayBuffer bytes = new ExpandableArrayBuffer(1 << 20);
        final List<int[]> index = new ArrayList<>(); // type, offset, length
        final List<long[]> answers = new ArrayList<>(); // code, value, ownerMsb, ownerLsb, timeMs
        final List<byte[]> payloads = new ArrayList<>();
        int position;
        long lastSequence;

        @Override
        public void onCommand(final long sequence, final long timeMs, final int type, final DirectBuffer buffer,
            final int offset, final int length)
        {
            if (sequence != lastSequence + 1)
            {
                throw new AssertionError("sequence " + sequence + " after " + lastSequence);
            }
            lastSequence = sequence;
            bytes.putBytes(position, buffer, offset, length);
            index.add(new int[] {type, position, length});
            position += length;
        }

        @Override
        public void onAnswer(final long sequence, final Answer answer)
        {
            answers.add(new long[] {answer.code(), answer.value(), answer.ownerMsb(), answer.ownerLsb(),
                answer.timeMs()});
            final byte[] p = new byte[answer.payloadLength()];
            answer.payload().getBytes(0, p);
            payloads.add(p);
        }
    }

    @Test
    void shouldReplayAMillionCommandsToTheSameAnswersAndState() throws Exception
    {
        final long seed = Long.getLong("replay.seed", System.nanoTime());
        System.out.println("CommandLogReplayTest seed " + seed + " (-Dreplay.seed=" + seed + " to repeat)");
        final Recording log = new Recording();
        final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        final long randomSeed = seed ^ 0x5DEECE66DL;
        final IpamConfig config = IpamConfig.builder().randomSource(() -> RandomSource.seeded(randomSeed))
            .clock(() -> clock.addAndGet(7)).commandLog(log).maxBulk(64).build();
        final Path original = tmp.resolve("original.snap");
        final int[] kinds = new int[32];
        try (Ipam ipam = Ipam.inMemory(config))
        {
            final SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < CALLS; i++)
            {
                kinds[call(ipam, rnd)]++;
            }
            final AtomicReference<SnapshotCodec.Image> image = new AtomicReference<>();
            ((EngineIpam)ipam).executor().withRole(e -> image.set(SnapshotCodec.capture(e, 0)));
            SnapshotCodec.write(image.get(), original);
        }
        for (int k = 0; k <= 20; k++)
        {
            assertTrue(kinds[k] > 0, "call kind " + k + " was never made");
        }
        assertTrue(log.index.size() >= CALLS / 2, "logged " + log.index.size());
        final int[] seen = new int[64];
        for (final int[] entry : log.index)
        {
            seen[entry[0]]++;
        }
        for (final int type : new int[] {MessageTypes.ALLOCATE, MessageTypes.ALLOCATE_NEXT,
            MessageTypes.ALLOCATE_SPECIFIC, MessageTypes.ALLOCATE_EUI64, MessageTypes.RELEASE,
            MessageTypes.RELEASE_CHECKED, MessageTypes.ALLOCATE_BULK, MessageTypes.RELEASE_OWNER,
            MessageTypes.ALLOCATE_PORT, MessageTypes.CREATE_SUBNET, MessageTypes.UPDATE_POOLS,
            MessageTypes.UPDATE_GATEWAY, MessageTypes.DELETE_SUBNET, MessageTypes.CREATE_PREFIX_POOL,
            MessageTypes.ALLOCATE_PREFIX, MessageTypes.RELEASE_PREFIX, MessageTypes.ADD_PREFIXES,
            MessageTypes.REMOVE_PREFIXES, MessageTypes.BATCH})
        {
            assertTrue(seen[type] > 0, MessageTypes.name(type) + " never reached the log");
        }

        // replay into a fresh engine: same answers, one by one, and the same state
        final AllocatorEngine fresh = new AllocatorEngine(RandomSource.seeded(randomSeed), 64, Long.MAX_VALUE);
        final CommandAdapter adapter = new CommandAdapter(fresh);
        final Reply reply = new Reply(0);
        for (int i = 0; i < log.index.size(); i++)
        {
            final int[] entry = log.index.get(i);
            reply.reset();
            adapter.onCommand(entry[0], log.bytes, entry[1], entry[2], reply);
            final long[] want = log.answers.get(i);
            final long[] got = {reply.code, reply.value, reply.ownerMsb, reply.ownerLsb, reply.timeMs};
            if (!Arrays.equals(want, got))
            {
                throw new AssertionError("command " + (i + 1) + " (" + MessageTypes.name(entry[0]) + ") answered " +
                    Arrays.toString(got) + " on replay, " + Arrays.toString(want) + " first (seed " + seed + ")");
            }
            final byte[] p = new byte[reply.payloadLength];
            reply.payload.getBytes(0, p);
            assertArrayEquals(log.payloads.get(i), p, "payload of command " + (i + 1) + " (seed " + seed + ")");
        }
        final Path replayed = tmp.resolve("replayed.snap");
        SnapshotCodec.write(SnapshotCodec.capture(fresh, 0), replayed);
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(replayed),
            "state after replay differs (seed " + seed + ")");
        assertEquals(log.lastSequence, log.index.size());
    }

    /**
     * One random call; failures are part of the history (they are logged and replayed too).
     *
     * @return the kind of call made.
     */
    private static int call(final Ipam ipam, final SplittableRandom rnd)
    {
        final String id = SUBNETS[rnd.nextInt(SUBNETS.length)];
        final UUID owner = new UUID(3, rnd.nextInt(40));
        final int kind = rnd.nextInt(100) < 90 ? rnd.nextInt(10) : 10 + rnd.nextInt(11);
        try
        {
            switch (kind)
            {
                case 0:
                case 1:
                    ipam.allocate(id, owner);
                    break;
                case 2:
                    ipam.allocateNext(id, owner);
                    break;
                case 3:
                    ipam.allocate(id, someAddress(rnd), owner);
                    break;
                case 4:
                    ipam.allocateEui64(id, String.format("02:00:00:00:%02x:%02x", rnd.nextInt(4), rnd.nextInt(256)),
                        owner);
                    break;
                case 5:
                case 6:
                    ipam.release(id, someAddress(rnd));
                    break;
                case 7:
                    ipam.release(id, someAddress(rnd), owner);
                    break;
                case 8:
                    ipam.allocateBulk(id, owner, 1 + rnd.nextInt(8));
                    break;
                case 9:
                    ipam.allocatePort(owner, List.of(AddressRequest.any(id),
                        AddressRequest.anyOf(List.of(SUBNETS[rnd.nextInt(3)], SUBNETS[3 + rnd.nextInt(3)])),
                        AddressRequest.specific(SUBNETS[rnd.nextInt(SUBNETS.length)], someAddress(rnd))));
                    break;
                case 10:
                    ipam.releaseOwner(owner);
                    break;
                case 11:
                case 12:
                    ipam.createSubnet(SubnetSpec.builder(id, CIDRS[rnd.nextInt(CIDRS.length)])
                        .strategy(rnd.nextBoolean() ? AllocationStrategy.RANDOM : AllocationStrategy.LOWEST)
                        .tenant(rnd.nextInt(4) == 0 ? "t1" : null).build());
                    break;
                case 13:
                    ipam.deleteSubnet(id, rnd.nextBoolean());
                    break;
                case 14:
                    ipam.updatePools(id, List.of(IpRange.of(someAddress(rnd), someAddress(rnd))));
                    break;
                case 15:
                    ipam.updateGateway(id, rnd.nextBoolean() ? null : someAddress(rnd));
                    break;
                case 16:
                    ipam.createPrefixPool(PrefixPoolSpec.builder("p" + rnd.nextInt(2), List.of("10.128.0.0/16"))
                        .minPrefixLength(20).maxPrefixLength(28).defaultPrefixLength(24).quota(4096).build());
                    break;
                case 17:
                    ipam.allocatePrefix("p" + rnd.nextInt(2), "t" + rnd.nextInt(3), 20 + rnd.nextInt(9));
                    break;
                case 18:
                    ipam.releasePrefix("p" + rnd.nextInt(2), "10.128." + rnd.nextInt(16) * 16 + ".0/20");
                    break;
                case 20:
                    ipam.apply(someBatch(rnd, id, owner));
                    break;
                default:
                    if (rnd.nextBoolean())
                    {
                        ipam.addPrefixes("p" + rnd.nextInt(2), List.of("10.129." + rnd.nextInt(4) * 64 + ".0/18"));
                    }
                    else
                    {
                        ipam.removePrefixes("p" + rnd.nextInt(2), List.of("10.129." + rnd.nextInt(4) * 64 + ".0/18"));
                    }
            }
        }
        catch (final IpamException ignore)
        {
            // refusals are answers too; the replay must give the same ones
        }
        return kind;
    }

    /**
     * A batch of 1-8 address operations on random subnets.
     */
    private static IpamBatch someBatch(final SplittableRandom rnd, final String id, final UUID owner)
    {
        final IpamBatch batch = new IpamBatch();
        final int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++)
        {
            final String subnet = rnd.nextBoolean() ? id : SUBNETS[rnd.nextInt(SUBNETS.length)];
            switch (rnd.nextInt(7))
            {
                case 0:
                    batch.allocate(subnet, owner);
                    break;
                case 1:
                    batch.allocateNext(subnet, owner);
                    break;
                case 2:
                    batch.allocate(subnet, someAddress(rnd), owner);
                    break;
                case 3:
                    batch.allocateEui64(subnet, String.format("02:00:00:00:%02x:%02x", rnd.nextInt(4),
                        rnd.nextInt(256)), owner);
                    break;
                case 4:
                    batch.allocateBulk(subnet, owner, 1 + rnd.nextInt(4));
                    break;
                case 5:
                    batch.release(subnet, someAddress(rnd));
                    break;
                default:
                    batch.release(subnet, someAddress(rnd), owner);
            }
        }
        return batch;
    }

    /** Refuses the allocation of one address value when armed: with a fault, or as a store that cannot write. */
    private static final class FaultyStore implements Store
    {
        long poison = -1;
        boolean refuse;

        @Override
        public void onAllocated(final String subnetId, final long addressHi, final long address, final long ownerMsb,
            final long ownerLsb, final long timeMs, final int flags, final long keySerial)
        {
            if (address == poison)
            {
                poison = -1; // once
                if (refuse)
                {
                    throw new IpamException(ErrorCode.STORE_FULL, "injected: the store is full");
                }
                throw new IllegalStateException("injected fault");
            }
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

    /**
     * Batches in which entry k of N faults (or the store refuses it): that entry alone is undone and answered with
     * its code, the others apply as they would without it (compared with an allocator that never saw it), and the
     * log replays to the same answers, byte for byte, and the same state.
     */
    @Test
    void shouldReplayBatchesWithAFaultInEntryKOfN() throws Exception
    {
        final long seed = Long.getLong("replay.seed", System.nanoTime());
        System.out.println("CommandLogReplayTest batch seed " + seed + " (-Dreplay.seed=" + seed + " to repeat)");
        final SplittableRandom rnd = new SplittableRandom(seed);
        final Recording log = new Recording();
        final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        final IpamConfig config = IpamConfig.builder().randomSource(() -> RandomSource.seeded(1))
            .clock(() -> clock.addAndGet(3)).commandLog(log).maxBulk(64).build();
        final IpamConfig plain = IpamConfig.builder().randomSource(() -> RandomSource.seeded(1))
            .clock(clock::get).maxBulk(64).build();
        final FaultyStore store = new FaultyStore();
        final Path original = tmp.resolve("batches.snap");
        int faulted = 0;
        try (Ipam ipam = Allocators.over(config, Allocators.newEngine(config, Long.MAX_VALUE), store);
            Ipam shadow = Ipam.inMemory(plain))
        {
            for (final Ipam each : List.of(ipam, shadow))
            {
                each.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
                each.createSubnet(SubnetSpec.builder("b", "10.1.0.0/28").strategy(AllocationStrategy.LOWEST).build());
            }
            for (int round = 0; round < 300; round++)
            {
                final int n = 2 + rnd.nextInt(12);
                final int k = rnd.nextInt(n);
                final IpamBatch batch = new IpamBatch();
                for (int i = 0; i < n; i++)
                {
                    final String subnet = rnd.nextInt(3) == 0 ? "b" : "a";
                    final UUID owner = new UUID(5, rnd.nextInt(4));
                    final String address = (subnet.equals("a") ? "10.0.0." : "10.1.0.") + (1 + rnd.nextInt(14));
                    switch (i == k ? 2 : rnd.nextInt(6))
                    {
                        case 0:
                            batch.allocate(subnet, owner);
                            break;
                        case 1:
                            batch.allocateBulk(subnet, owner, 1 + (i % 3));
                            break;
                        case 2:
                            batch.allocate(subnet, address, owner);
                            break;
                        case 3:
                            batch.release(subnet, address);
                            break;
                        case 4:
                            batch.release(subnet, address, owner);
                            break;
                        default:
                            batch.allocateNext(subnet, owner);
                    }
                }
                // the first entry to take entry k's address faults (usually entry k, or one before it)
                store.poison = addressOf(batch.value(k));
                store.refuse = rnd.nextBoolean();
                ipam.apply(batch);
                final boolean hit = store.poison == -1;
                store.poison = -1;
                int f = -1;
                for (int i = 0; i < n; i++)
                {
                    if (!batch.ok(i) && (batch.error(i).code() == ErrorCode.INTERNAL ||
                        batch.error(i).code() == ErrorCode.STORE_FULL))
                    {
                        assertEquals(-1, f, "one entry faulted");
                        assertEquals(store.refuse ? ErrorCode.STORE_FULL : ErrorCode.INTERNAL, batch.error(i).code());
                        f = i;
                    }
                }
                assertEquals(hit, f >= 0, "the entry that faulted is answered with its code (round " + round + ")");
                faulted += hit ? 1 : 0;
                // the other entries applied as they would have without the faulted one
                final IpamBatch without = new IpamBatch();
                for (int i = 0; i < n; i++)
                {
                    if (i != f)
                    {
                        copy(batch, i, without);
                    }
                }
                shadow.apply(without);
                for (int i = 0, j = 0; i < n; i++)
                {
                    if (i != f)
                    {
                        assertEquals(describe(without, j++), describe(batch, i), "entry " + i + " of round " + round +
                            " (seed " + seed + ")");
                    }
                }
                for (int o = 0; o < 4; o++)
                {
                    assertEquals(held(shadow, new UUID(5, o)), held(ipam, new UUID(5, o)), "round " + round);
                }
            }
            final AtomicReference<SnapshotCodec.Image> image = new AtomicReference<>();
            ((EngineIpam)ipam).executor().withRole(e -> image.set(SnapshotCodec.capture(e, 0)));
            SnapshotCodec.write(image.get(), original);
        }
        assertTrue(faulted >= 20, "entries faulted in " + faulted + " rounds");
        final AllocatorEngine fresh = new AllocatorEngine(RandomSource.seeded(1), 64, Long.MAX_VALUE);
        final CommandAdapter adapter = new CommandAdapter(fresh);
        final Reply reply = new Reply(0);
        int skipped = 0;
        for (int i = 0; i < log.index.size(); i++)
        {
            final int[] entry = log.index.get(i);
            if (entry[0] == MessageTypes.BATCH)
            {
                final BatchCommandFlyweight f = new BatchCommandFlyweight().wrap(log.bytes, entry[1], entry[2]);
                for (int e = 0; e < f.count(); e++)
                {
                    skipped += f.type(e) == BatchCommandFlyweight.SKIPPED ? 1 : 0;
                }
            }
            reply.reset();
            adapter.onCommand(entry[0], log.bytes, entry[1], entry[2], reply);
            final long[] want = log.answers.get(i);
            assertArrayEquals(want, new long[] {reply.code, reply.value, reply.ownerMsb, reply.ownerLsb,
                reply.timeMs}, "command " + (i + 1) + " (seed " + seed + ")");
            final byte[] p = new byte[reply.payloadLength];
            reply.payload.getBytes(0, p);
            assertArrayEquals(log.payloads.get(i), p, "payload of command " + (i + 1) + " (seed " + seed + ")");
        }
        assertEquals(faulted, skipped, "every faulted entry was logged as skipped");
        final Path replayed = tmp.resolve("batches-replayed.snap");
        SnapshotCodec.write(SnapshotCodec.capture(fresh, 0), replayed);
        assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(replayed),
            "state after replay differs (seed " + seed + ")");
    }

    private static void copy(final IpamBatch from, final int i, final IpamBatch to)
    {
        switch (from.op(i))
        {
            case ALLOCATE:
                to.allocate(from.subnetId(i), from.owner(i));
                break;
            case ALLOCATE_NEXT:
                to.allocateNext(from.subnetId(i), from.owner(i));
                break;
            case ALLOCATE_SPECIFIC:
                to.allocate(from.subnetId(i), from.value(i), from.owner(i));
                break;
            case ALLOCATE_BULK:
                to.allocateBulk(from.subnetId(i), from.owner(i), from.count(i));
                break;
            case RELEASE:
                to.release(from.subnetId(i), from.value(i));
                break;
            default:
                to.release(from.subnetId(i), from.value(i), from.owner(i));
        }
    }

    private static List<String> held(final Ipam ipam, final UUID owner)
    {
        final List<String> out = new ArrayList<>();
        ipam.allocations(owner).forEach(a -> out.add(a.subnetId() + " " + a.address()));
        return out;
    }

    private static String describe(final IpamBatch b, final int i)
    {
        return b.ok(i) ? b.op(i) + " " + b.address(i) + " " + b.addresses(i) + " " + b.released(i) :
            b.op(i) + " " + b.error(i).code();
    }

    private static long addressOf(final String dotted)
    {
        long v = 0;
        for (final String part : dotted.split("\\."))
        {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }

    private static String someAddress(final SplittableRandom rnd)
    {
        switch (rnd.nextInt(6))
        {
            case 5: // a wide subnet's (IPv6 /48): the high 64 bits vary
                return "2001:db8:100:" + Integer.toHexString(rnd.nextInt(4)) + "::" +
                    Integer.toHexString(rnd.nextInt(16));
            case 0:
                return "10.0.0." + rnd.nextInt(12);
            case 1:
                return "10.1." + rnd.nextInt(4) + "." + rnd.nextInt(256);
            case 2:
                return "2001:db8::" + Integer.toHexString(rnd.nextInt(64));
            case 3:
                return "2001:db8:1::" + Integer.toHexString(rnd.nextInt(256));
            default:
                return "172.16." + rnd.nextInt(16) + "." + rnd.nextInt(256);
        }
    }
}
