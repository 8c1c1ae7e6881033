package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage.KeyImage;

/**
 * Rebuilds an empty engine: the one way state comes back, shared by a snapshot restore (an image: whole subnets
 * of ascending allocations, then the lifecycle state) and a durable store's open (a stream of records in any
 * order). Every subnet and prefix pool passes the rules of its creation again; allocations go in by bulk load
 * ({@link Allocations#load}: usable range and duplicates checked, a bitmap word at a time), those arriving in
 * any order queued per subnet and sorted in batches of up to 65,536; leases, cooling addresses and request keys
 * go in last, once the allocations they refer to are there. The listener installed on the engine is told of
 * every piece (a store being built from a snapshot).
 * <p>
 * Anything that does not fit is refused with the exception the caller's {@code corrupt} function makes
 * ({@code STORE_CORRUPT} naming the file or store); the engine then holds part of the state and must be
 * discarded. Single-threaded: for the thread building an engine that nothing else uses yet.
 * <pre>{@code
 * Restorer r = new Restorer(engine, corrupt);
 * r.lifecycle(image);            // first, when it carries cooldowns
 * r.subnet(subnet); r.allocations(...) or r.allocation(...); r.pool(pool); r.child(...); r.lease(...); ...
 * r.finish();
 * }</pre>
 */
public final class Restorer
{
    private static final int BATCH = 1 << 16;

    private final AllocatorEngine engine;
    private final Function<String, IpamException> corrupt;
    /** Cooldowns of subnets not created yet (a snapshot's LIFECYCLE section): applied as each is created. */
    private final Map<String, Long> cooldowns = new HashMap<>();
    private final Set<String> cooled = new HashSet<>();
    private final Map<String, List<long[]>> cooling = new LinkedHashMap<>();
    private final Map<String, List<long[]>> leases = new LinkedHashMap<>();
    private final List<KeyImage> keys = new ArrayList<>();
    /** Key links that name their key by serial (a store's allocation entries): (subnet id, address) per serial. */
    private final Map<Long, List<Object[]>> linksBySerial = new HashMap<>();
    private long clockMs;
    private long lastSequence;
    private Batch[] byHandle = new Batch[16];
    private String lastSubnet;
    private int lastHandle = AllocatorEngine.NO_HANDLE;

    /**
     * Allocations of one subnet waiting to be loaded: each buffer starts small and doubles, so many small
     * subnets cost little.
     */
    private static final class Batch
    {
        /** High words (null until an address of a wide subnet or a router mark comes) and router marks. */
        long[] hi;
        boolean[] router;
        long[] address = new long[16];
        long[] msb = new long[16];
        long[] lsb = new long[16];
        long[] time = new long[16];
        int count;
    }

    /**
     * @param engine  an engine holding no state, with the listener (if any) that should be told of everything.
     * @param corrupt makes the exception for a description of what does not fit.
     */
    public Restorer(final AllocatorEngine engine, final Function<String, IpamException> corrupt)
    {
        this.engine = engine;
        this.corrupt = corrupt;
    }

    /**
     * Continue a captured random generator exactly.
     *
     * @param state the generator's state ({@link RandomSource#state()}).
     */
    public void random(final byte[] state)
    {
        try
        {
            engine.randomSource(RandomSource.fromState(state));
        }
        catch (final IllegalArgumentException ex)
        {
            throw corrupt.apply("random generator state: " + ex.getMessage());
        }
    }

    /**
     * Take a whole lifecycle image (a snapshot's): its cooldowns, cooling addresses, leases, keys with their links,
     * clock and sequence. Give it before the subnets, so that their cooldowns are set as they are created.
     *
     * @param l the image.
     */
    public void lifecycle(final LifecycleImage l)
    {
        for (final Map.Entry<String, Long> e : l.cooldowns.entrySet())
        {
            cooldowns.put(e.getKey(), e.getValue());
        }
        for (final Map.Entry<String, List<long[]>> e : l.cooling.entrySet())
        {
            cooling.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
        }
        for (final Map.Entry<String, List<long[]>> e : l.leases.entrySet())
        {
            leases.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
        }
        keys.addAll(l.keys);
        clock(l.clockMs);
        sequence(l.lastSequence);
    }

    // ------------------------------------------------------------------------------------------------------------
    // settings
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Create a subnet at the next handle, with its cooldown (its own, or one given by {@link #lifecycle}).
     *
     * @param m the subnet's settings.
     * @return its handle.
     */
    public int subnet(final SubnetImage m)
    {
        final Long cooldown = cooldowns.get(m.id);
        try
        {
            final int handle = engine.createSubnet(SubnetRules.Plan.restored(m.id, m.tenant, m.cidr, m.gateway,
                m.poolFirstHi, m.poolFirst, m.poolLastHi, m.poolLast, m.strategy)
                .cooldown(cooldown == null ? m.cooldownMs : cooldown));
            if (cooldown != null)
            {
                cooled.add(m.id);
            }
            return handle;
        }
        catch (final IpamException ex)
        {
            throw corrupt.apply("subnet " + m.id + " is invalid: " + ex.getMessage());
        }
    }

    /**
     * Create a subnet at a given handle: commands name subnets by handle, so a replica rebuilt from another's
     * snapshot numbers them as that one did. Handles must come ascending.
     *
     * @param m      the subnet's settings.
     * @param handle its handle, at least {@link AllocatorEngine#nextHandle()}.
     * @return the handle.
     */
    public int subnet(final SubnetImage m, final int handle)
    {
        try
        {
            engine.nextHandle(handle);
        }
        catch (final IllegalArgumentException ex)
        {
            throw corrupt.apply("subnet " + m.id + " cannot have its handle: " + ex.getMessage());
        }
        return subnet(m);
    }

    /**
     * Create a prefix pool and allocate its children (those the image carries).
     *
     * @param p the pool.
     */
    public void pool(final PrefixPoolImage p)
    {
        try
        {
            SubnetRules.checkId(p.id, "pool id");
            engine.prefixPools().create(p.id, p.prefixes, p.min, p.max, p.def, p.quota);
        }
        catch (final IpamException ex)
        {
            throw corrupt.apply("prefix pool " + p.id + " is invalid: " + ex.getMessage());
        }
        for (int i = 0; i < p.children.size(); i++)
        {
            child(p.id, p.children.get(i), p.tenants.get(i));
        }
    }

    /**
     * Allocate one child of a prefix pool created before.
     *
     * @param poolId the pool.
     * @param child  the child.
     * @param tenant its tenant.
     */
    public void child(final String poolId, final Cidr child, final String tenant)
    {
        final int rc = engine.prefixPools().allocate(poolId, tenant, child);
        if (rc != AllocatorEngine.OK)
        {
            throw corrupt.apply("child " + child + " of prefix pool " + poolId + " cannot be restored: " +
                ErrorCode.fromValue(-rc));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // allocations
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Load a subnet's allocations in one go (an image: ascending addresses, so the bitmap is set a word at a time).
     *
     * @param handle   the subnet.
     * @param address  address values, ascending.
     * @param ownerMsb owner high bits per address.
     * @param ownerLsb owner low bits per address.
     * @param timeMs   allocation time per address.
     * @param count    number of allocations, from index 0.
     */
    public void allocations(final int handle, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
        final long[] timeMs, final int count)
    {
        allocations(handle, null, address, ownerMsb, ownerLsb, timeMs, null, count);
    }

    /**
     * Load a subnet's allocations in one go, with their addresses' high words (null: the subnet's own; a wide
     * subnet's vary) and router marks (null: none).
     */
    public void allocations(final int handle, final long[] addressHi, final long[] address, final long[] ownerMsb,
        final long[] ownerLsb, final long[] timeMs, final boolean[] router, final int count)
    {
        final int rc = engine.allocations().load(handle, addressHi, address, ownerMsb, ownerLsb, timeMs, router,
            count);
        if (rc != AllocatorEngine.OK)
        {
            throw failedLoad(handle, rc);
        }
    }

    /**
     * Queue one allocation arriving in any order (a store's map iterates in hash order); loaded in sorted
     * batches per subnet, the rest by {@link #finish()}.
     *
     * @param subnetId the subnet (records of one subnet in a run may pass the same string: it is looked up once).
     * @param address  address value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     */
    public void allocation(final String subnetId, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs)
    {
        allocation(subnetId, false, 0, address, ownerMsb, ownerLsb, timeMs, false);
    }

    /**
     * Queue one allocation with its address's high word ({@code withHi}: a wide subnet's) and router mark.
     */
    public void allocation(final String subnetId, final boolean withHi, final long addressHi, final long address,
        final long ownerMsb, final long ownerLsb, final long timeMs, final boolean router)
    {
        if (subnetId != lastSubnet)
        {
            lastSubnet = subnetId;
            lastHandle = engine.handle(subnetId);
        }
        final int handle = lastHandle;
        if (handle < 0)
        {
            throw corrupt.apply("allocations of subnet " + subnetId + " cannot be restored: " +
                ErrorCode.SUBNET_NOT_FOUND);
        }
        if (handle >= byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, Math.max(handle + 1, byHandle.length * 2));
        }
        Batch b = byHandle[handle];
        if (b == null)
        {
            b = new Batch();
            byHandle[handle] = b;
        }
        if (b.count == b.address.length)
        {
            if (b.count == BATCH)
            {
                flush(handle, b);
            }
            else
            {
                final int n = b.count * 2;
                b.address = Arrays.copyOf(b.address, n);
                b.msb = Arrays.copyOf(b.msb, n);
                b.lsb = Arrays.copyOf(b.lsb, n);
                b.time = Arrays.copyOf(b.time, n);
                b.hi = b.hi == null ? null : Arrays.copyOf(b.hi, n);
                b.router = b.router == null ? null : Arrays.copyOf(b.router, n);
            }
        }
        if ((withHi || router) && b.hi == null)
        {
            // from here on the batch carries high words and marks; those before were narrow and unmarked
            b.hi = new long[b.address.length];
            b.router = new boolean[b.address.length];
            final long own = engine.subnetHigh(handle);
            Arrays.fill(b.hi, 0, b.count, own);
        }
        final int i = b.count++;
        if (b.hi != null)
        {
            b.hi[i] = withHi ? addressHi : engine.subnetHigh(handle);
            b.router[i] = router;
        }
        b.address[i] = address;
        b.msb[i] = ownerMsb;
        b.lsb[i] = ownerLsb;
        b.time[i] = timeMs;
    }

    private void flush(final int handle, final Batch b)
    {
        if (b.hi == null)
        {
            sortByAddress(b);
        }
        final int n = b.count;
        b.count = 0;
        allocations(handle, b.hi, b.address, b.msb, b.lsb, b.time, b.router, n);
    }

    private IpamException failedLoad(final int handle, final int rc)
    {
        final String id = engine.subnetId(handle);
        return corrupt.apply("allocations of subnet " + (id == null ? "with handle " + handle : id) +
            " cannot be restored: " + ErrorCode.fromValue(-rc));
    }

    /**
     * Ascending addresses let the engine set its bitmap a word at a time and keep the index pages warm; the
     * batch is sorted by (address, position) packed when the addresses of the batch span under 2^40.
     */
    private static void sortByAddress(final Batch b)
    {
        final int n = b.count;
        if (n < 2)
        {
            return;
        }
        long min = b.address[0];
        long max = b.address[0];
        for (int i = 1; i < n; i++)
        {
            final long a = b.address[i];
            if (Long.compareUnsigned(a, min) < 0)
            {
                min = a;
            }
            if (Long.compareUnsigned(a, max) > 0)
            {
                max = a;
            }
        }
        if (Long.compareUnsigned(max - min, 1L << 40) >= 0)
        {
            return;     // sparse (IPv6 RANDOM): order buys no whole words, the load takes any order
        }
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((b.address[i] - min) << 23) | i;     // 40 + 23 bits: a batch is at most 2^16
        }
        Arrays.sort(keys);
        final long[] address = new long[b.address.length];
        final long[] msb = new long[b.address.length];
        final long[] lsb = new long[b.address.length];
        final long[] time = new long[b.address.length];
        for (int i = 0; i < n; i++)
        {
            final int from = (int)(keys[i] & ((1 << 23) - 1));
            address[i] = b.address[from];
            msb[i] = b.msb[from];
            lsb[i] = b.lsb[from];
            time[i] = b.time[from];
        }
        b.address = address;
        b.msb = msb;
        b.lsb = lsb;
        b.time = time;
    }

    // ------------------------------------------------------------------------------------------------------------
    // lifecycle records, any order
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param subnetId the subnet.
     * @param address  an address cooling down (free, not allocated).
     * @param freedAt  when it was freed; cooling addresses go back in this order.
     */
    public void cooling(final String subnetId, final long address, final long freedAt)
    {
        cooling.computeIfAbsent(subnetId, k -> new ArrayList<>()).add(new long[] {address, freedAt});
    }

    /**
     * A wide subnet's cooling address, with its high word.
     */
    public void cooling(final String subnetId, final long addressHi, final long address, final long freedAt)
    {
        cooling.computeIfAbsent(subnetId, k -> new ArrayList<>()).add(new long[] {address, freedAt, addressHi});
    }

    /**
     * @param subnetId  the subnet.
     * @param address   an allocated address.
     * @param expiresAt its lease end.
     */
    public void lease(final String subnetId, final long address, final long expiresAt)
    {
        leases.computeIfAbsent(subnetId, k -> new ArrayList<>()).add(new long[] {address, expiresAt});
    }

    /**
     * A wide subnet's lease, with its address's high word.
     */
    public void lease(final String subnetId, final long addressHi, final long address, final long expiresAt)
    {
        leases.computeIfAbsent(subnetId, k -> new ArrayList<>()).add(new long[] {address, expiresAt, addressHi});
    }

    /**
     * @param k a request key, with the links it carries itself.
     */
    public void key(final KeyImage k)
    {
        keys.add(k);
    }

    /**
     * Link an allocation to the key with a serial; a link whose key never comes is dropped (a crash between the
     * two writes: the allocation stays, unkeyed).
     *
     * @param serial   the key's serial.
     * @param subnetId the allocation's subnet.
     * @param address  its address.
     */
    public void keyLink(final long serial, final String subnetId, final long address)
    {
        linksBySerial.computeIfAbsent(serial, x -> new ArrayList<>()).add(new Object[] {subnetId, address, null});
    }

    /**
     * {@link #keyLink(long, String, long)} for a wide subnet's address, with its high word.
     */
    public void keyLink(final long serial, final String subnetId, final long addressHi, final long address)
    {
        linksBySerial.computeIfAbsent(serial, x -> new ArrayList<>()).add(new Object[] {subnetId, address, addressHi});
    }

    /**
     * @param timeMs the newest command time the engine had seen (its clock never goes back behind it).
     */
    public void clock(final long timeMs)
    {
        clockMs = timeMs;
    }

    /**
     * @param sequence the change feed's last sequence, which the engine's feed continues.
     */
    public void sequence(final long sequence)
    {
        lastSequence = sequence;
    }

    // ------------------------------------------------------------------------------------------------------------
    // finishing
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Load every queued allocation, then the lifecycle state: clock, cooling addresses (oldest first), leases,
     * keys with their links, the sequence.
     */
    public void finish()
    {
        for (int h = 0; h < byHandle.length; h++)
        {
            final Batch b = byHandle[h];
            if (b != null && b.count > 0)
            {
                flush(h, b);
            }
            byHandle[h] = null;
        }
        for (final Map.Entry<String, Long> e : cooldowns.entrySet())
        {
            if (!cooled.contains(e.getKey()))
            {
                throw lifecycle("cooldown of subnet " + e.getKey() + " (" + e.getValue() + " ms)");
            }
        }
        final Lifecycle lifecycle = engine.lifecycle();
        lifecycle.restoreNow(clockMs);
        final StateListener told = engine.listener();
        for (final Map.Entry<String, List<long[]>> e : cooling.entrySet())
        {
            e.getValue().sort((a, b) -> Long.compare(a[1], b[1]));
        }
        restorePairs(cooling, "cooling address", lifecycle::restoreCooling, told::onCooling);
        restorePairs(leases, "lease of address", lifecycle::restoreLease, told::onLease);
        linkBySerial();
        for (final KeyImage ki : keys)
        {
            if (lifecycle.findKey(ki.tenant, ki.key) != null)
            {
                throw lifecycle("request key " + ki.key + " twice");
            }
            final RequestKeys.Key k = lifecycle.restoreKey(ki.tenant, ki.key, ki.fingerprint, ki.code, ki.value,
                ki.payload, ki.goneAt, ki.serial);
            for (int i = 0; i < ki.linkSubnets.size(); i++)
            {
                final int h = engine.handle(ki.linkSubnets.get(i));
                final boolean withHi = i < ki.linkAddressHi.size() && ki.linkAddressHi.get(i) != null;
                final long hi = withHi ? ki.linkAddressHi.get(i) : engine.subnetHigh(h);
                if (lifecycle.restoreKeyLink(k, h, withHi, hi, ki.linkAddresses.get(i)) != AllocatorEngine.OK)
                {
                    throw lifecycle("allocation " + ki.linkAddresses.get(i) + " of subnet " +
                        ki.linkSubnets.get(i) + " under request key " + ki.key);
                }
                told.onKeyLink(ki.linkSubnets.get(i), hi, ki.linkAddresses.get(i), k);
            }
            told.onKey(k);
        }
        lifecycle.restoreKeysDone();
        engine.restoredSequence(lastSequence);
    }

    private void linkBySerial()
    {
        if (linksBySerial.isEmpty())
        {
            return;
        }
        final Map<Long, KeyImage> bySerial = new HashMap<>();
        for (final KeyImage k : keys)
        {
            bySerial.put(k.serial, k);
        }
        for (final Map.Entry<Long, List<Object[]>> e : linksBySerial.entrySet())
        {
            final KeyImage key = bySerial.get(e.getKey());
            if (key != null)
            {
                for (final Object[] link : e.getValue())
                {
                    while (key.linkAddressHi.size() < key.linkSubnets.size())
                    {
                        key.linkAddressHi.add(null); // links before this one: the subnet's own high word
                    }
                    key.linkSubnets.add((String)link[0]);
                    key.linkAddresses.add((Long)link[1]);
                    key.linkAddressHi.add((Long)link[2]);
                }
            }
        }
    }

    private interface PairRestore
    {
        int apply(int handle, boolean withHi, long addressHi, long address, long timeMs);
    }

    private interface PairTold
    {
        void visit(String subnetId, long addressHi, long address, long timeMs);
    }

    /**
     * Put back per-subnet (address, time) pairs (cooling addresses or leases; triples with the address's high word
     * in a wide subnet), telling the listener of each.
     */
    private void restorePairs(final Map<String, List<long[]>> bySubnet, final String what, final PairRestore restore,
        final PairTold told)
    {
        for (final Map.Entry<String, List<long[]>> e : bySubnet.entrySet())
        {
            final int h = engine.handle(e.getKey());
            final long own = engine.subnetHigh(h);
            for (final long[] pair : e.getValue())
            {
                final boolean withHi = pair.length > 2;
                final long hi = withHi ? pair[2] : own;
                if (restore.apply(h, withHi, hi, pair[0], pair[1]) != AllocatorEngine.OK)
                {
                    throw lifecycle(what + " " + pair[0] + " of subnet " + e.getKey());
                }
                told.visit(e.getKey(), hi, pair[0], pair[1]);
            }
        }
    }

    private IpamException lifecycle(final String what)
    {
        return corrupt.apply("lifecycle state does not fit the allocations: " + what);
    }
}
