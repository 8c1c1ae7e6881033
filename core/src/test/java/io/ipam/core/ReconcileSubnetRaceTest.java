package io.ipam.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.ipam.core.addr.AddressText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reconcileSubnet} is one step of the writer (SPEC 9): allocations raced against it from other threads never
 * land between its first and its last change. A /16 with 50,000 expected addresses and 5,000 differences (2,000
 * unexpected held, 2,000 missing, 1,000 held by the wrong owner), while four threads allocate and release in the same
 * subnet. Checked through the change feed: the reconcile's changes are one unbroken run of sequence numbers, and
 * afterwards every expected address is held by its expected owner.
 */
class ReconcileSubnetRaceTest
{
    private static final UUID WRONG = new UUID(9, 9);
    private static final UUID STRAY = new UUID(8, 8);

    private static UUID expectedOwner(final int i)
    {
        return new UUID(1, i);
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldLetNothingBeHandedOutBetweenItsChanges() throws Exception
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxBulk(65_536).changeRetention(2_000_000).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            final long base = AddressText.parseV4("10.0.0.0");
            final Map<String, UUID> expected = new HashMap<>();
            // offsets 2 .. 50,001 expected; 2 .. 45,001 held by their owner, 45,002 .. 46,001 by the wrong one,
            // 46,002 .. 48,001 free (to allocate); 48,002 .. 50,001 also free; 50,002 .. 52,001 held, not expected
            for (int i = 2; i <= 50_001; i++)
            {
                expected.put(AddressText.formatV4(base + i), expectedOwner(i));
            }
            final Map<String, UUID> held = new HashMap<>();
            for (int i = 2; i <= 46_001; i++)
            {
                held.put(AddressText.formatV4(base + i), i <= 45_001 ? expectedOwner(i) : WRONG);
            }
            for (int i = 50_002; i <= 52_001; i++)
            {
                held.put(AddressText.formatV4(base + i), STRAY);
            }
            held.forEach((a, o) -> ipam.allocate("s", a, o));
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final CountDownLatch started = new CountDownLatch(4);
            final List<Thread> racers = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final UUID owner = new UUID(7, t);
                final Thread racer = new Thread(() ->
                {
                    started.countDown();
                    try
                    {
                        while (!stop.get())
                        {
                            try
                            {
                                final String a = ipam.allocate("s", owner);
                                ipam.release("s", a, owner);
                            }
                            catch (final IpamException ex)
                            {
                                // the reconcile may take a racer's address (not expected, or expected for
                                // another): its release then finds it gone or another's
                                if (ex.code() != ErrorCode.OWNER_MISMATCH && ex.code() != ErrorCode.EXHAUSTED)
                                {
                                    throw ex;
                                }
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "racer-" + t);
                racers.add(racer);
                racer.start();
            }
            assertTrue(started.await(1, TimeUnit.MINUTES));
            final long before = ipam.lastSequence();
            final ReconcileReport report = ipam.reconcileSubnet("s", expected, Duration.ZERO, false);
            stop.set(true);
            for (final Thread racer : racers)
            {
                racer.join(TimeUnit.MINUTES.toMillis(1));
            }
            assertNull(failure.get(), () -> "a racer failed: " + failure.get());
            // only the reconcile reclaims, and only it allocates to the expected owners: its block runs from the first
            // such change to the last, and holds exactly its own changes, nothing of the racers
            final Set<String> reowned = new HashSet<>();
            report.reowned().forEach(a -> reowned.add(a.address()));
            final List<Change> all = new ArrayList<>();
            for (long after = before; ; )
            {
                final List<Change> page = ipam.changes(after, 65_536);
                if (page.isEmpty())
                {
                    break;
                }
                all.addAll(page);
                after = page.get(page.size() - 1).sequence();
            }
            long first = -1;
            long last = -1;
            for (final Change c : all)
            {
                if (c.kind() == ChangeKind.RECLAIMED || c.kind() == ChangeKind.ALLOCATED &&
                    c.owner().orElseThrow().getMostSignificantBits() == 1)
                {
                    first = first < 0 ? c.sequence() : first;
                    last = c.sequence();
                }
            }
            int inBlock = 0;
            for (final Change c : all)
            {
                if (c.sequence() >= first && c.sequence() <= last)
                {
                    inBlock++;
                    final boolean ours = c.kind() == ChangeKind.RECLAIMED || c.kind() == ChangeKind.ALLOCATED &&
                        c.owner().orElseThrow().getMostSignificantBits() == 1 ||
                        c.kind() == ChangeKind.RELEASED && reowned.contains(c.address().orElseThrow());
                    assertTrue(ours, "a change of another command between the reconcile's first (" + first +
                        ") and last (" + last + ") change: " + c);
                }
            }
            assertEquals(report.released().size() + 2 * report.reowned().size() + report.allocated().size(), inBlock,
                "the reconcile's changes, and only they, fill its block");
            assertTrue(report.reowned().size() >= 1_000, "re-owned " + report.reowned().size());
            assertTrue(report.released().size() >= 2_000, "released " + report.released().size());
            assertTrue(report.allocated().size() >= 2_000, "allocated " + report.allocated().size());
            for (final Map.Entry<String, UUID> e : expected.entrySet())
            {
                assertEquals(Optional.of(e.getValue()), ipam.owner("s", e.getKey()), e.getKey());
            }
        }
    }
}
