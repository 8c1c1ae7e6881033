package io.ipam.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;

/**
 * The acknowledged load of the failure tests ({@link ClusterChaosTest}, {@link HostileClusterTest}): each thread
 * allocates (4 in 5) and releases its own addresses in one subnet and records what the cluster acknowledged. An
 * address handed to a second holder, or an acknowledged allocation found free by its release, is a violation at
 * once; afterwards {@link #audit} holds a member's state against the record: every acknowledged allocation not
 * released since is held by its owner, and nothing beyond the calls left without an answer (nothing applied twice).
 * It also times failover: the first acknowledgement of a call made after {@link #killed()}.
 */
final class AcknowledgedLoad
{
    private final String subnet;
    private final List<String> violations;
    private final BooleanSupplier stop;
    private final Map<String, UUID> held = new ConcurrentHashMap<>();
    private final Map<UUID, LongAdder> uncertain = new ConcurrentHashMap<>();
    private final Set<UUID> owners = ConcurrentHashMap.newKeySet();
    private final LongAdder allocated = new LongAdder();
    private final LongAdder released = new LongAdder();
    private final AtomicLong killedAtNs = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong firstAckAfterKill = new AtomicLong(Long.MAX_VALUE);

    /**
     * @param subnet     the subnet the load allocates in (nobody else's calls touch it).
     * @param violations where broken promises are recorded.
     * @param stop       true when the load is to end.
     */
    AcknowledgedLoad(final String subnet, final List<String> violations, final BooleanSupplier stop)
    {
        this.subnet = subnet;
        this.violations = violations;
        this.stop = stop;
    }

    /**
     * One load thread's loop, until stopped.
     *
     * @param ipam  a client.
     * @param owner this thread's owner (one thread per owner).
     */
    void run(final ClusterIpam ipam, final UUID owner)
    {
        owners.add(owner);
        final SplittableRandom random = new SplittableRandom(owner.getLeastSignificantBits() * 31 +
            owner.getMostSignificantBits());
        final List<String> mine = new ArrayList<>();
        while (!stop.getAsBoolean())
        {
            final long invoked = System.nanoTime();
            if (mine.isEmpty() || random.nextInt(5) > 0)
            {
                try
                {
                    final String address = ipam.allocate(subnet, owner);
                    acked(invoked);
                    allocated.increment();
                    final UUID before = held.putIfAbsent(address, owner);
                    if (before != null)
                    {
                        violations.add(address + " given to " + owner + " while " + before + " holds it");
                    }
                    mine.add(address);
                }
                catch (final IpamException ex)
                {
                    unanswered(ex, owner, "allocate");
                }
            }
            else
            {
                final String address = mine.remove(random.nextInt(mine.size()));
                // out of the record before the call: once the cluster applies the release another client may be
                // given the address before this thread reads the answer (that is no second holder)
                held.remove(address);
                try
                {
                    final boolean was = ipam.release(subnet, address, owner);
                    acked(invoked);
                    if (!was)
                    {
                        violations.add("acknowledged allocation " + address + " of " + owner + " was free");
                    }
                    released.increment();
                }
                catch (final IpamException ex)
                {
                    unanswered(ex, owner, "release"); // may or may not be released now: left out of the audit
                }
            }
        }
    }

    private void acked(final long invoked)
    {
        if (invoked > killedAtNs.get())
        {
            firstAckAfterKill.accumulateAndGet(System.nanoTime(), Math::min);
        }
    }

    private void unanswered(final IpamException ex, final UUID owner, final String what)
    {
        if (ex.code() == ErrorCode.OVERLOADED || ex.code() == ErrorCode.CLOSED)
        {
            uncertain.computeIfAbsent(owner, o -> new LongAdder()).increment();
            return;
        }
        violations.add(what + " by " + owner + " failed: " + ex);
    }

    /**
     * Start timing a failover: call just before the leader is killed or paused.
     *
     * @return the time of the kill (System.nanoTime()).
     */
    long killed()
    {
        firstAckAfterKill.set(Long.MAX_VALUE);
        final long now = System.nanoTime();
        killedAtNs.set(now);
        return now;
    }

    /**
     * Wait for the first acknowledgement of a call made after {@link #killed()}.
     *
     * @param killed  what {@link #killed()} returned.
     * @param timeout how long to wait, in seconds.
     * @return ms from the kill to that acknowledgement, or -1 if there was none within the timeout.
     * @throws InterruptedException if interrupted.
     */
    long awaitFailover(final long killed, final long timeout) throws InterruptedException
    {
        final long deadline = killed + TimeUnit.SECONDS.toNanos(timeout);
        while (firstAckAfterKill.get() == Long.MAX_VALUE && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        final long first = firstAckAfterKill.get();
        return first == Long.MAX_VALUE ? -1 : TimeUnit.NANOSECONDS.toMillis(first - killed);
    }

    long allocated()
    {
        return allocated.sum();
    }

    long released()
    {
        return released.sum();
    }

    /**
     * @return acknowledged allocations held now (not released since).
     */
    int held()
    {
        return held.size();
    }

    /**
     * @return calls that got no answer (OVERLOADED or CLOSED): each may or may not have been applied.
     */
    long unanswered()
    {
        return uncertain.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * What one member holds against what the load was told: each acknowledged allocation held by its owner, each
     * owner holding no more than it was told of plus its unanswered calls, and the subnet likewise.
     *
     * @param member the member's index (for the messages).
     * @param state  the member's state (restored from its snapshot).
     */
    void audit(final int member, final Ipam state)
    {
        for (final Map.Entry<String, UUID> e : held.entrySet())
        {
            final UUID owner = state.owner(subnet, e.getKey()).orElse(null);
            if (!e.getValue().equals(owner))
            {
                violations.add("member " + member + ": acknowledged " + e.getKey() + " of " + e.getValue() +
                    " is held by " + owner);
            }
        }
        final Map<UUID, Long> heldBy = new HashMap<>();
        held.values().forEach(o -> heldBy.merge(o, 1L, Long::sum));
        long expected = 0;
        long slack = 0;
        for (final UUID owner : owners)
        {
            final long has = state.allocations(owner).size();
            final long told = heldBy.getOrDefault(owner, 0L);
            final long unknown = uncertain.containsKey(owner) ? uncertain.get(owner).sum() : 0;
            expected += told;
            slack += unknown;
            if (has < told || has > told + unknown)
            {
                violations.add("member " + member + ": " + owner + " holds " + has + " addresses, was told of " +
                    told + " (" + unknown + " calls unanswered)");
            }
        }
        final long total = state.subnet(subnet).allocated();
        if (total < expected || total > expected + slack)
        {
            violations.add("member " + member + ": " + total + " allocations in subnet " + subnet + ", " + expected +
                " acknowledged and held");
        }
    }
}
