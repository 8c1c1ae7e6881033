package io.ipam.persistence;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SPEC 9 against a model, seeded (the seed is printed; {@code -Dlifecycle.seed=N} replays one, {@code
 * -Dlifecycle.seeds=N} runs more): request keys, leases and renew, cooldown, reconcile with grace and dry run,
 * release, reopen of a durable store and snapshot restore, all with an injected clock. After every operation the
 * answer is compared with the model's, and now and then every address's owner, lease and the subnets' counts.
 */
class LifecyclePropertyTest
{
    private static final long T0 = 1_800_000_000_000L;
    private static final long COOLDOWN = 4_000;
    private static final long RETENTION = 6_000;
    private static final String[] SUBNETS = {"c", "n"};
    private static final Map<String, String> PREFIX = Map.of("c", "10.0.0.", "n", "10.0.1.");
    private static final Map<String, String> TENANT = Map.of("c", "t1", "n", "t2");
    private static final int FIRST = 2;
    private static final int LAST = 30;
    private static final UUID[] OWNERS = {new UUID(0, 1), new UUID(0, 2), new UUID(0, 3), new UUID(0, 4)};

    @TempDir
    Path tmp;

    private final AtomicLong clock = new AtomicLong(T0);

    // ----- the model ----------------------------------------------------------------------------------------

    private static final class Held
    {
        final UUID owner;
        final long time;
        long expires;
        String key;

        Held(final UUID owner, final long time, final long expires, final String key)
        {
            this.owner = owner;
            this.time = time;
            this.expires = expires;
            this.key = key;
        }
    }

    private static final class Key
    {
        final String fingerprint;
        final List<String> answer;
        final Set<String> live = new HashSet<>();
        long goneAt = -1;

        Key(final String fingerprint, final List<String> answer)
        {
            this.fingerprint = fingerprint;
            this.answer = answer;
        }
    }

    private final Map<String, TreeMap<Integer, Held>> held = new HashMap<>();
    private final Map<String, TreeMap<Integer, Long>> cooling = new HashMap<>();
    private final Map<String, Key> keys = new HashMap<>();

    private static long cooldownOf(final String s)
    {
        return s.equals("c") ? COOLDOWN : 0;
    }

    private void unlink(final String key, final String s, final int octet, final long t)
    {
        final Key k = key == null ? null : keys.get(key);
        if (k != null && k.live.remove(s + "/" + octet) && k.live.isEmpty())
        {
            k.goneAt = t;
        }
    }

    private void free(final String s, final int octet, final long freedAt, final long t)
    {
        final Held h = held.get(s).remove(octet);
        unlink(h.key, s, octet, t);
        if (cooldownOf(s) > 0)
        {
            cooling.get(s).put(octet, freedAt);
        }
    }

    /** What happens by itself up to time t: expiry (oldest first), keys past retention, cooled addresses. */
    private void advance(final long t)
    {
        final List<Object[]> due = new ArrayList<>();
        for (final String s : SUBNETS)
        {
            held.get(s).forEach((o, h) ->
            {
                if (h.expires != 0 && h.expires <= t)
                {
                    due.add(new Object[] {s, o, h.expires});
                }
            });
        }
        due.sort(Comparator.comparingLong(x -> (Long)x[2]));
        for (final Object[] d : due)
        {
            free((String)d[0], (Integer)d[1], (Long)d[2], t);
        }
        keys.values().removeIf(k -> k.live.isEmpty() && k.goneAt >= 0 && k.goneAt + RETENTION <= t);
        for (final String s : SUBNETS)
        {
            cooling.get(s).values().removeIf(f -> f + cooldownOf(s) <= t);
        }
    }

    private List<Integer> lowestFree(final String s, final int n)
    {
        final List<Integer> out = new ArrayList<>();
        for (int o = FIRST; o <= LAST && out.size() < n; o++)
        {
            if (!held.get(s).containsKey(o) && !cooling.get(s).containsKey(o))
            {
                out.add(o);
            }
        }
        return out;
    }

    // ----- the run ------------------------------------------------------------------------------------------

    private IpamConfig config()
    {
        return IpamConfig.builder().clock(clock::get).requestKeyRetention(Duration.ofMillis(RETENTION)).build();
    }

    @Test
    @Timeout(600)
    void shouldAgreeWithTheModel()
    {
        final String one = System.getProperty("lifecycle.seed");
        final int seeds = Integer.getInteger("lifecycle.seeds", 2);
        final long base = one != null ? Long.parseLong(one) : System.nanoTime();
        for (int i = 0; i < (one != null ? 1 : seeds); i++)
        {
            final long seed = base + i;
            System.out.println("LifecyclePropertyTest seed " + seed + " (replay: -Dlifecycle.seed=" + seed + ")");
            try
            {
                run(seed, 400, tmp.resolve("run-" + i));
            }
            catch (final AssertionError | RuntimeException ex)
            {
                throw new AssertionError("seed " + seed + ": " + ex.getMessage(), ex);
            }
        }
    }

    private void run(final long seed, final int steps, final Path dir)
    {
        final SplittableRandom rnd = new SplittableRandom(seed);
        held.clear();
        cooling.clear();
        keys.clear();
        clock.set(T0);
        Path store = dir.resolve("store-0");
        int stores = 0;
        Ipam ipam = DurableIpam.open(store, config());
        try
        {
            for (final String s : SUBNETS)
            {
                ipam.createSubnet(SubnetSpec.builder(s, PREFIX.get(s) + "0/27").tenant(TENANT.get(s))
                    .strategy(AllocationStrategy.LOWEST).cooldown(Duration.ofMillis(cooldownOf(s))).build());
                held.put(s, new TreeMap<>());
                cooling.put(s, new TreeMap<>());
            }
            for (int step = 0; step < steps; step++)
            {
                final long t = clock.addAndGet(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(2_500));
                final String s = SUBNETS[rnd.nextInt(2)];
                final UUID owner = OWNERS[rnd.nextInt(OWNERS.length)];
                final int op = rnd.nextInt(100);
                final boolean reopen = op >= 75 && op < 78;
                if (!reopen)
                {
                    // the allocator sees time pass only when it is asked something: a close and reopen asks
                    // nothing, so what expires by then is freed (and its key's retention starts) at the next call
                    advance(t);
                }
                final String what = "step " + step + " t+" + (t - T0) + " ";
                final Ipam cur = ipam;
                if (op < 30)
                {
                    allocateOne(ipam, rnd, s, owner, t, what);
                }
                else if (op < 40)
                {
                    bulk(ipam, rnd, s, owner, t, what);
                }
                else if (op < 58)
                {
                    final int o = FIRST + rnd.nextInt(LAST - FIRST + 1);
                    final boolean checked = rnd.nextBoolean();
                    final Held h = held.get(s).get(o);
                    final ErrorCode expectErr = checked && h != null && !h.owner.equals(owner) ?
                        ErrorCode.OWNER_MISMATCH : null;
                    final Boolean got = call(() -> checked ? cur.release(s, PREFIX.get(s) + o, owner) :
                        cur.release(s, PREFIX.get(s) + o), expectErr, what + "release " + s + " ." + o);
                    if (expectErr == null)
                    {
                        assertEquals(h != null, got, what + "release " + s + " ." + o);
                        if (h != null)
                        {
                            free(s, o, t, t);
                        }
                    }
                }
                else if (op < 68)
                {
                    final int o = FIRST + rnd.nextInt(LAST - FIRST + 1);
                    final long lease = 500 + rnd.nextInt(4_000);
                    final Held h = held.get(s).get(o);
                    final ErrorCode expectErr = h != null && !h.owner.equals(owner) ? ErrorCode.OWNER_MISMATCH : null;
                    final Boolean got = call(() -> cur.renew(s, PREFIX.get(s) + o, owner,
                        Duration.ofMillis(lease)), expectErr, what + "renew");
                    if (expectErr == null)
                    {
                        assertEquals(h != null, got, what + "renew " + s + " ." + o);
                        if (h != null)
                        {
                            h.expires = t + lease;
                        }
                    }
                }
                else if (op < 75)
                {
                    reconcile(ipam, rnd, t, what);
                }
                else if (reopen)
                {
                    ipam.close();
                    ipam = null;
                    if (rnd.nextBoolean())
                    {
                        ipam = DurableIpam.open(store, config());
                    }
                    else
                    {
                        // a snapshot of the store, restored into a new one (taking it is a call: time passes)
                        advance(t);
                        try (Ipam reader = DurableIpam.open(store, config()))
                        {
                            reader.snapshot(dir.resolve("snap-" + stores));
                        }
                        store = dir.resolve("store-" + ++stores);
                        ipam = DurableIpam.restore(dir.resolve("snap-" + (stores - 1)), store, config());
                    }
                }
                else
                {
                    checkAll(ipam, what);
                }
            }
            checkAll(ipam, "end ");
        }
        finally
        {
            if (ipam != null)
            {
                ipam.close();
            }
        }
    }

    private interface Call<T>
    {
        T run();
    }

    /** Run a call; expect the error code given, or success (null). */
    private static <T> T call(final Call<T> c, final ErrorCode expected, final String what)
    {
        try
        {
            final T r = c.run();
            if (expected != null)
            {
                fail(what + ": expected " + expected + ", got " + r);
            }
            return r;
        }
        catch (final IpamException ex)
        {
            if (ex.code() != expected)
            {
                throw new AssertionError(what + ": expected " + (expected == null ? "success" : expected) + ", got " +
                    ex.getMessage(), ex);
            }
            return null;
        }
    }

    private AllocationOptions options(final SplittableRandom rnd, final String[] keyOut, final long[] leaseOut)
    {
        final AllocationOptions.Builder b = AllocationOptions.builder();
        if (rnd.nextInt(3) > 0)
        {
            keyOut[0] = "k" + rnd.nextInt(8);
            b.requestKey(keyOut[0]);
        }
        if (rnd.nextBoolean())
        {
            leaseOut[0] = 1_000 + 2_000L * rnd.nextInt(2);
            b.lease(Duration.ofMillis(leaseOut[0]));
        }
        return b.build();
    }

    /** Any (LOWEST) or a specific address, with or without key and lease. */
    private void allocateOne(final Ipam ipam, final SplittableRandom rnd, final String s, final UUID owner,
        final long t, final String what)
    {
        final String[] key = new String[1];
        final long[] lease = new long[1];
        final AllocationOptions options = options(rnd, key, lease);
        final boolean specific = rnd.nextInt(3) == 0;
        final int wanted = FIRST + rnd.nextInt(LAST - FIRST + 1);
        final String fp = (specific ? "specific " + wanted : "any") + "|" + s + "|" + owner + "|" + lease[0];
        final String name = key[0] == null ? null : TENANT.get(s) + "/" + key[0];
        final String label = what + (specific ? "specific ." + wanted : "any") + " in " + s + " key " + name +
            " lease " + lease[0];
        final Key known = name == null ? null : keys.get(name);
        final Call<String> c = () -> specific ?
            ipam.allocatePort(owner, List.of(AddressRequest.specific(s, PREFIX.get(s) + wanted)), options).get(0)
                .address() :
            ipam.allocate(s, owner, options);
        if (known != null)
        {
            if (known.fingerprint.equals(fp))
            {
                assertEquals(known.answer.get(0), call(c, null, label), label + ": the first answer");
            }
            else
            {
                call(c, ErrorCode.MALFORMED, label);
            }
            return;
        }
        final int octet;
        if (specific)
        {
            if (held.get(s).containsKey(wanted))
            {
                call(c, ErrorCode.ADDRESS_TAKEN, label);
                return;
            }
            octet = wanted;
            cooling.get(s).remove(wanted);
        }
        else
        {
            final List<Integer> free = lowestFree(s, 1);
            if (free.isEmpty())
            {
                call(c, ErrorCode.EXHAUSTED, label);
                return;
            }
            octet = free.get(0);
        }
        assertEquals(PREFIX.get(s) + octet, call(c, null, label), label);
        held.get(s).put(octet, new Held(owner, t, lease[0] == 0 ? 0 : t + lease[0], name));
        if (name != null)
        {
            final Key k = new Key(fp, List.of(PREFIX.get(s) + octet));
            k.live.add(s + "/" + octet);
            keys.put(name, k);
        }
    }

    private void bulk(final Ipam ipam, final SplittableRandom rnd, final String s, final UUID owner, final long t,
        final String what)
    {
        final String[] key = new String[1];
        final long[] lease = new long[1];
        final AllocationOptions options = options(rnd, key, lease);
        final String fp = "bulk|" + s + "|" + owner + "|" + lease[0];
        final String name = key[0] == null ? null : TENANT.get(s) + "/" + key[0];
        final String label = what + "bulk of 2 in " + s + " key " + name;
        final Key known = name == null ? null : keys.get(name);
        final Call<List<String>> c = () -> ipam.allocateBulk(s, owner, 2, options);
        if (known != null)
        {
            if (known.fingerprint.equals(fp))
            {
                assertEquals(known.answer, call(c, null, label), label + ": the first answer");
            }
            else
            {
                call(c, ErrorCode.MALFORMED, label);
            }
            return;
        }
        final List<Integer> free = lowestFree(s, 2);
        if (free.size() < 2)
        {
            call(c, ErrorCode.EXHAUSTED, label);
            return;
        }
        final List<String> expect = List.of(PREFIX.get(s) + free.get(0), PREFIX.get(s) + free.get(1));
        assertEquals(expect, call(c, null, label), label);
        final Key k = name == null ? null : new Key(fp, expect);
        for (final int o : free)
        {
            held.get(s).put(o, new Held(owner, t, lease[0] == 0 ? 0 : t + lease[0], name));
            if (k != null)
            {
                k.live.add(s + "/" + o);
            }
        }
        if (k != null)
        {
            keys.put(name, k);
        }
    }

    private void reconcile(final Ipam ipam, final SplittableRandom rnd, final long t, final String what)
    {
        final Set<UUID> live = new HashSet<>();
        for (final UUID o : OWNERS)
        {
            if (rnd.nextBoolean())
            {
                live.add(o);
            }
        }
        final long grace = rnd.nextBoolean() ? 0 : 3_000;
        final boolean dryRun = rnd.nextInt(3) == 0;
        final List<String> expect = new ArrayList<>();
        final List<Object[]> gone = new ArrayList<>();
        for (final String s : SUBNETS)
        {
            held.get(s).forEach((o, h) ->
            {
                if (h.time <= t - grace && !live.contains(h.owner))
                {
                    expect.add(s + " " + PREFIX.get(s) + o + " " + h.owner);
                    gone.add(new Object[] {s, o});
                }
            });
        }
        final ReconcileReport r = ipam.reconcile(live, Duration.ofMillis(grace), dryRun);
        final List<String> got = new ArrayList<>();
        for (final Allocation a : r.released())
        {
            got.add(a.subnetId() + " " + a.address() + " " + a.owner());
        }
        assertEquals(expect, got, what + "reconcile live " + live + " grace " + grace + " dry " + dryRun);
        if (!dryRun)
        {
            for (final Object[] g : gone)
            {
                free((String)g[0], (Integer)g[1], t, t);
            }
        }
    }

    private void checkAll(final Ipam ipam, final String what)
    {
        for (final String s : SUBNETS)
        {
            final SubnetInfo info = ipam.subnet(s);
            assertEquals(held.get(s).size(), info.allocated(), what + "allocated in " + s);
            assertEquals(cooling.get(s).size(), info.cooling(), what + "cooling in " + s + " " + cooling.get(s));
            assertEquals(LAST - FIRST + 1 - held.get(s).size() - cooling.get(s).size(), info.free().intValue(),
                what + "free in " + s);
            for (int o = FIRST; o <= LAST; o++)
            {
                final Held h = held.get(s).get(o);
                assertEquals(h == null ? Optional.empty() : Optional.of(h.owner), ipam.owner(s, PREFIX.get(s) + o),
                    what + "owner of " + s + " ." + o);
            }
        }
        for (final UUID owner : OWNERS)
        {
            final List<String> expect = new ArrayList<>();
            for (final String s : SUBNETS)
            {
                held.get(s).forEach((o, h) ->
                {
                    if (h.owner.equals(owner))
                    {
                        expect.add(s + " " + PREFIX.get(s) + o + " " + h.time + " " +
                            (h.expires == 0 ? "-" : String.valueOf(h.expires)));
                    }
                });
            }
            final List<String> got = new ArrayList<>();
            for (final Allocation a : ipam.allocations(owner))
            {
                got.add(a.subnetId() + " " + a.address() + " " + a.time().toEpochMilli() + " " +
                    a.expiresAt().map(Instant::toEpochMilli).map(String::valueOf).orElse("-"));
            }
            got.sort(null);
            expect.sort(null);
            assertEquals(expect, got, what + "allocations of " + owner);
        }
    }
}
