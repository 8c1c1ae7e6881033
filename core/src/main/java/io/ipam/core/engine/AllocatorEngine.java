package io.ipam.core.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetInfo;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * The allocator as a pure, single-threaded state machine: subnets, pools, allocations with owners and
 * times, prefix pools. No threads, no I/O, no clock: time is carried in each command and randomness comes
 * from the injected {@link RandomSource}, so the same commands in the same order give the same state and the
 * same answers (the basis of replay and replication).
 * <p>
 * Hot path: methods taking an int subnet handle and primitive addresses return a result code ({@link #OK},
 * a count, or the negative {@link ErrorCode#value()}) and allocate nothing in steady state; the address an
 * allocation chose is read with {@link #lastAddress()}. An address value is the unsigned IPv4 value or the
 * low 64 bits of an IPv6 address (the high 64 bits are the subnet's). Administrative methods taking strings
 * and objects throw {@link IpamException}.
 * <p>
 * Only one thread may call an instance.
 */
public final class AllocatorEngine
{
    /** Success. */
    public static final int OK = 0;
    /** A release freed the address. */
    public static final int RELEASED = 1;
    /** A release found the address free already. */
    public static final int WAS_FREE = 0;
    /** An owner lookup found an owner. */
    public static final int FOUND = 1;
    /** No such subnet handle. */
    public static final int NO_HANDLE = -1;

    private static final int SUBNET_NOT_FOUND = -ErrorCode.SUBNET_NOT_FOUND.value();
    private static final int ADDRESS_INVALID = -ErrorCode.ADDRESS_INVALID.value();
    private static final int ADDRESS_TAKEN = -ErrorCode.ADDRESS_TAKEN.value();
    private static final int EXHAUSTED = -ErrorCode.EXHAUSTED.value();
    private static final int OWNER_MISMATCH = -ErrorCode.OWNER_MISMATCH.value();
    private static final int MALFORMED = -ErrorCode.MALFORMED.value();
    private static final int BULK_TOO_LARGE = -ErrorCode.BULK_TOO_LARGE.value();
    private static final int STORE_FULL = -ErrorCode.STORE_FULL.value();

    private RandomSource random;
    private final int maxBulk;
    private final long maxEntries;
    private int fullCode = STORE_FULL;
    private final OwnerTable owners = new OwnerTable();
    private final Records records = new Records(owners);
    private final Map<String, Subnet> byId = new HashMap<>();
    private final Map<String, TreeMap<IpAddress, Subnet>> byTenant = new HashMap<>();
    private final PrefixPools prefixPools;
    private StateListener listener = StateListener.NONE;
    private Subnet[] byHandle = new Subnet[16];
    private int nextHandle;
    private long lastAddress;
    private long lastOwnerMsb;
    private long lastOwnerLsb;
    private long lastTime;
    private long pickedOffset;
    private int lookupFailure;
    private int pickedPool;

    /**
     * @param random  random source for {@link AllocationStrategy#RANDOM}.
     * @param maxBulk largest bulk request.
     */
    public AllocatorEngine(final RandomSource random, final int maxBulk)
    {
        this(random, maxBulk, Long.MAX_VALUE);
    }

    /**
     * @param random     random source for {@link AllocationStrategy#RANDOM}.
     * @param maxBulk    largest bulk request.
     * @param maxEntries most address allocations plus prefix children held at once ({@code STORE_FULL} beyond):
     *                   the capacity of a durable store.
     */
    public AllocatorEngine(final RandomSource random, final int maxBulk, final long maxEntries)
    {
        this.random = random;
        this.maxBulk = maxBulk;
        this.maxEntries = maxEntries;
        this.prefixPools = new PrefixPools(this);
    }

    /**
     * Install the listener told of every change (a durable store). Writer's thread only.
     *
     * @param listener the listener, or {@link StateListener#NONE}.
     */
    public void listener(final StateListener listener)
    {
        this.listener = listener == null ? StateListener.NONE : listener;
    }

    /**
     * @return the listener told of every change.
     */
    public StateListener listener()
    {
        return listener;
    }

    /**
     * Replace the random source (a restore continuing the stream a snapshot or store carried). Writer's thread only.
     *
     * @param random the source; null is refused.
     */
    public void randomSource(final RandomSource random)
    {
        if (random == null)
        {
            throw new IllegalArgumentException("random source is null");
        }
        this.random = random;
    }

    /**
     * @return the random source (its {@link RandomSource#state()} is engine state).
     */
    public RandomSource randomSource()
    {
        return random;
    }

    /**
     * @param n entries about to be added.
     * @return true if the configured capacity leaves room for them.
     */
    boolean hasRoom(final long n)
    {
        return records.live() + prefixPools.childTotal() + n <= maxEntries;
    }

    /**
     * @param code the code a request gets when the entries would go over the bound: {@code STORE_FULL} for a
     *             durable store's capacity (the default), {@code LIMIT_EXCEEDED} for a memory allocator's
     *             {@code maxAllocations}.
     * @return this.
     */
    public AllocatorEngine capacityCode(final ErrorCode code)
    {
        fullCode = -code.value();
        return this;
    }

    /**
     * @return the negative code of a request over the bound of entries.
     */
    int fullCode()
    {
        return fullCode;
    }

    /**
     * @param subnetId a subnet id.
     * @return its tenant, or null for the default tenant or an unknown id.
     */
    public String tenantOf(final String subnetId)
    {
        final Subnet s = byId.get(subnetId);
        return s == null ? null : s.tenant;
    }

    /**
     * @return subnets held.
     */
    public int subnetCount()
    {
        return byId.size();
    }

    // ---------------------------------------------------------------------------------------------------------
    // hot path
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param subnetId id.
     * @return the subnet's handle, or {@link #NO_HANDLE}.
     */
    public int handle(final String subnetId)
    {
        final Subnet s = subnetId == null ? null : byId.get(subnetId);
        return s == null ? NO_HANDLE : s.handle;
    }

    /**
     * @return the subnet of a handle if the address lies in its CIDR, else null with the code in
     * {@link #lookupFailure}.
     */
    private Subnet subnetFor(final int handle, final long address)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            lookupFailure = SUBNET_NOT_FOUND;
            return null;
        }
        if (!s.containsValue(address))
        {
            lookupFailure = ADDRESS_INVALID;
            return null;
        }
        return s;
    }

    private Subnet subnetAt(final int handle)
    {
        return handle >= 0 && handle < nextHandle ? byHandle[handle] : null;
    }

    /**
     * @param handle subnet handle.
     * @return the subnet's id, or null for an unknown handle.
     */
    public String subnetId(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s == null ? null : s.id;
    }

    /**
     * @return the address chosen by the last successful allocation.
     */
    public long lastAddress()
    {
        return lastAddress;
    }

    /**
     * @return owner high bits from the last {@link #ownerOf(int, long)}.
     */
    public long lastOwnerMsb()
    {
        return lastOwnerMsb;
    }

    /**
     * @return owner low bits from the last {@link #ownerOf(int, long)}.
     */
    public long lastOwnerLsb()
    {
        return lastOwnerLsb;
    }

    /**
     * @return allocation time (epoch ms) from the last {@link #ownerOf(int, long)}.
     */
    public long lastTime()
    {
        return lastTime;
    }

    /**
     * Allocate an address chosen by the subnet's strategy.
     *
     * @param handle   subnet handle.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time, carried in the command.
     * @return {@link #OK} (address in {@link #lastAddress()}) or a negative error code.
     */
    public int allocate(final int handle, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        return allocateAuto(s, s.strategy == AllocationStrategy.LOWEST, ownerMsb, ownerLsb, timeMs);
    }

    /**
     * Allocate the lowest free pool address, whatever the strategy.
     *
     * @param handle   subnet handle.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @return {@link #OK} or a negative error code.
     */
    public int allocateNext(final int handle, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        return allocateAuto(s, true, ownerMsb, ownerLsb, timeMs);
    }

    private int allocateAuto(
        final Subnet s, final boolean lowest, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        if (!hasRoom(1))
        {
            return fullCode;
        }
        if (!(lowest ? pickLowest(s) : pickRandom(s)))
        {
            return EXHAUSTED;
        }
        commit(s, pickedOffset, pickedPool, ownerMsb, ownerLsb, timeMs);
        return OK;
    }

    /**
     * Allocate one given address (it need not lie in a pool).
     *
     * @param handle   subnet handle.
     * @param address  address value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @return {@link #OK} or a negative error code.
     */
    public int allocateSpecific(
        final int handle, final long address, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        final int check = checkSpecific(s, address);
        if (check != OK)
        {
            return check;
        }
        if (!hasRoom(1))
        {
            return fullCode;
        }
        final long offset = s.offsetOf(address);
        commit(s, offset, s.poolOf(offset), ownerMsb, ownerLsb, timeMs);
        return OK;
    }

    private static int checkSpecific(final Subnet s, final long address)
    {
        if (!s.containsValue(address) || !s.usableOffset(s.offsetOf(address)))
        {
            return ADDRESS_INVALID;
        }
        return s.recordByOffset.get(s.offsetOf(address)) != Records.NONE ? ADDRESS_TAKEN : OK;
    }

    /**
     * Allocate the modified EUI-64 address of a MAC in an IPv6 /64.
     *
     * @param handle   subnet handle.
     * @param mac      48-bit MAC.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @return {@link #OK} or a negative error code ({@code ADDRESS_INVALID} unless the subnet is an IPv6 /64).
     */
    public int allocateEui64(
        final int handle, final long mac, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        if (!isEui64Subnet(s))
        {
            return ADDRESS_INVALID;
        }
        return allocateSpecific(handle, AddressText.eui64InterfaceId(mac), ownerMsb, ownerLsb, timeMs);
    }

    private static boolean isEui64Subnet(final Subnet s)
    {
        return s.v6 && s.cidr.prefixLength() == 64;
    }

    /**
     * Allocate {@code count} addresses by the subnet's strategy, all or nothing, spilling across pools.
     *
     * @param handle   subnet handle.
     * @param count    1 .. max bulk.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @param out      receives the address values, at least {@code count} long.
     * @return {@link #OK} or a negative error code (nothing taken then).
     */
    public int allocateBulk(
        final int handle,
        final int count,
        final long ownerMsb,
        final long ownerLsb,
        final long timeMs,
        final long[] out)
    {
        if (count < 1)
        {
            return MALFORMED;
        }
        if (count > maxBulk)
        {
            return BULK_TOO_LARGE;
        }
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        if (Long.compareUnsigned(s.poolFree(), count) < 0)
        {
            return EXHAUSTED;
        }
        if (!hasRoom(count))
        {
            return fullCode;
        }
        final boolean lowest = s.strategy == AllocationStrategy.LOWEST;
        for (int i = 0; i < count; i++)
        {
            if (!(lowest ? pickLowest(s) : pickRandom(s)))
            {
                throw new IllegalStateException("pool accounting broken in subnet " + s.id);
            }
            commit(s, pickedOffset, pickedPool, ownerMsb, ownerLsb, timeMs);
            out[i] = lastAddress;
        }
        return OK;
    }

    /**
     * Bulk load of one subnet's allocations, for snapshot restore and durable open: no strategy, no pool search,
     * the rules checked once per call where they can be (room, subnet) and per address only where they must be
     * (usable range, no duplicate). Addresses in ascending order load the bitmap a whole word at a time; any
     * order is accepted. Every allocation is reported to the listener as by an allocation.
     * <p>
     * Unlike the hot-path calls this one is not all or nothing: on a negative code the engine holds part of the
     * input and must be discarded (a snapshot or store that fails to load is refused as a whole).
     *
     * @param handle   subnet handle.
     * @param address  address values.
     * @param ownerMsb owner high bits per address.
     * @param ownerLsb owner low bits per address.
     * @param timeMs   allocation time per address.
     * @param count    number of allocations, from index 0.
     * @return {@link #OK} or a negative code: {@code SUBNET_NOT_FOUND}, {@code STORE_FULL},
     * {@code ADDRESS_INVALID} (outside the usable range), {@code ADDRESS_TAKEN} (twice, or already held).
     */
    public int load(
        final int handle,
        final long[] address,
        final long[] ownerMsb,
        final long[] ownerLsb,
        final long[] timeMs,
        final int count)
    {
        final Subnet s = subnetAt(handle);
        if (s == null)
        {
            return SUBNET_NOT_FOUND;
        }
        if (!hasRoom(count))
        {
            return fullCode;
        }
        for (int i = 0; i < count; i++)
        {
            if (!s.containsValue(address[i]) || !s.usableOffset(s.offsetOf(address[i])))
            {
                return ADDRESS_INVALID;
            }
        }
        return commitLoaded(s, address, ownerMsb, ownerLsb, timeMs, count) ? OK : ADDRESS_TAKEN;
    }

    /**
     * @return the largest bulk request this engine accepts.
     */
    public int maxBulk()
    {
        return maxBulk;
    }

    /**
     * Release an address whoever owns it.
     *
     * @param handle  subnet handle.
     * @param address address value.
     * @return {@link #RELEASED}, {@link #WAS_FREE} or a negative error code.
     */
    public int release(final int handle, final long address)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        final long offset = s.offsetOf(address);
        final int r = s.recordByOffset.get(offset);
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        free(s, offset, r);
        return RELEASED;
    }

    /**
     * Release an address only if the given owner holds it.
     *
     * @param handle   subnet handle.
     * @param address  address value.
     * @param ownerMsb expected owner high bits.
     * @param ownerLsb expected owner low bits.
     * @return {@link #RELEASED}, {@link #WAS_FREE} or a negative error code ({@code OWNER_MISMATCH}).
     */
    public int release(final int handle, final long address, final long ownerMsb, final long ownerLsb)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        final long offset = s.offsetOf(address);
        final int r = s.recordByOffset.get(offset);
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        final int o = records.owner(r);
        if (owners.msb(o) != ownerMsb || owners.lsb(o) != ownerLsb)
        {
            return OWNER_MISMATCH;
        }
        free(s, offset, r);
        return RELEASED;
    }

    /**
     * Release everything an owner holds.
     *
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @return how many addresses were released.
     */
    public int releaseOwner(final long ownerMsb, final long ownerLsb)
    {
        final int o = owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return 0;
        }
        int released = 0;
        int r = owners.head(o);
        final int total = owners.count(o);
        // the owner's id is recycled when its last record goes, so count down instead of re-reading it
        for (int i = 0; i < total; i++)
        {
            final int next = records.nextOfOwner(r);
            final Subnet s = byHandle[records.subnet(r)];
            free(s, s.offsetOf(records.address(r)), r);
            released++;
            r = next;
        }
        return released;
    }

    /**
     * Who holds an address.
     *
     * @param handle  subnet handle.
     * @param address address value.
     * @return {@link #FOUND} (see {@link #lastOwnerMsb()}, {@link #lastOwnerLsb()}, {@link #lastTime()}),
     * {@link #WAS_FREE} or a negative error code.
     */
    public int ownerOf(final int handle, final long address)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        final int r = s.recordByOffset.get(s.offsetOf(address));
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        final int o = records.owner(r);
        lastOwnerMsb = owners.msb(o);
        lastOwnerLsb = owners.lsb(o);
        lastTime = records.time(r);
        return FOUND;
    }

    /**
     * @param handle subnet handle.
     * @return addresses allocated in the subnet, or a negative error code.
     */
    public long allocatedCount(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s == null ? SUBNET_NOT_FOUND : s.allocated.cardinality();
    }

    /**
     * @param handle subnet handle.
     * @return pool addresses still free, unsigned (an IPv6 /64 may hold more than 2^63).
     */
    public long freeCountUnsigned(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s == null ? 0 : s.poolFree();
    }

    /**
     * @param handle subnet handle.
     * @return true if the subnet is IPv6.
     */
    public boolean isV6(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s != null && s.v6;
    }

    /**
     * @param handle subnet handle.
     * @return the high 64 bits shared by all addresses of an IPv6 subnet (0 for IPv4).
     */
    public long subnetHigh(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s == null ? 0 : s.hi;
    }

    /**
     * Serve a port request all or nothing: specific and EUI-64 items first, then automatic ones, each in
     * item order; on any failure everything taken by the request is returned before the code is.
     *
     * @param req      the request; results are written into it.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @return {@link #OK} or a negative error code ({@link PortRequest#failedItem()} names the item).
     */
    public int allocatePort(final PortRequest req, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        req.failedItem = -1;
        req.failedHandle = -1;
        Arrays.fill(req.done, 0, req.count, false);
        if (!hasRoom(req.count))
        {
            req.failedItem = 0;
            return fullCode;
        }
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < req.count; i++)
            {
                final byte kind = req.kind[i];
                final boolean fixed = kind == PortRequest.SPECIFIC || kind == PortRequest.EUI64;
                if (fixed != (pass == 0))
                {
                    continue;
                }
                final int rc = serveItem(req, i, ownerMsb, ownerLsb, timeMs);
                if (rc != OK)
                {
                    rollback(req);
                    req.failedItem = i;
                    return rc;
                }
                req.done[i] = true;
                req.resultAddress[i] = lastAddress;
            }
        }
        return OK;
    }

    private int serveItem(final PortRequest req, final int i, final long msb, final long lsb, final long time)
    {
        final int h = req.handle[i];
        req.resultHandle[i] = h;
        req.failedHandle = h;
        switch (req.kind[i])
        {
            case PortRequest.ANY:
                return allocate(h, msb, lsb, time);
            case PortRequest.NEXT:
                return allocateNext(h, msb, lsb, time);
            case PortRequest.SPECIFIC:
            {
                final Subnet s = subnetAt(h);
                if (s == null)
                {
                    return SUBNET_NOT_FOUND;
                }
                if (req.v6[i] != s.v6 || (s.v6 && req.hi[i] != s.hi))
                {
                    return ADDRESS_INVALID;
                }
                final int rc = allocateSpecific(h, req.lo[i], msb, lsb, time);
                if (rc == OK)
                {
                    lastAddress = req.lo[i];
                }
                return rc;
            }
            case PortRequest.EUI64:
            {
                final int rc = allocateEui64(h, req.lo[i], msb, lsb, time);
                if (rc == OK)
                {
                    lastAddress = AddressText.eui64InterfaceId(req.lo[i]) | subnetAt(h).base;
                }
                return rc;
            }
            default:
            {
                final int start = req.groupStart[i];
                final int n = req.groupLength[i];
                if (n == 0)
                {
                    return MALFORMED;
                }
                for (int g = 0; g < n; g++)
                {
                    final int gh = req.groupHandles[start + g];
                    req.resultHandle[i] = gh;
                    req.failedHandle = gh;
                    final int rc = allocate(gh, msb, lsb, time);
                    if (rc != EXHAUSTED)
                    {
                        return rc;
                    }
                }
                return EXHAUSTED;
            }
        }
    }

    private void rollback(final PortRequest req)
    {
        for (int i = 0; i < req.count; i++)
        {
            if (req.done[i])
            {
                release(req.resultHandle[i], req.resultAddress[i]);
                req.done[i] = false;
            }
        }
    }

    private boolean pickLowest(final Subnet s)
    {
        final AddressSet set = s.allocated;
        for (int p = 0; p < s.poolCount; p++)
        {
            final long first = s.poolFirst[p];
            final long last = s.poolLast[p];
            if (s.poolAllocated[p] == last - first + 1)
            {
                continue;
            }
            final long from = Long.compareUnsigned(s.poolHint[p], first) > 0 ? s.poolHint[p] : first;
            if (Long.compareUnsigned(from, last) <= 0 && set.nextAbsent(from, last))
            {
                pickedOffset = set.found;
                pickedPool = p;
                // everything below the pick is taken, so the next search may start after it
                s.poolHint[p] = set.found + 1;
                return true;
            }
            if (set.nextAbsent(first, last))
            {
                pickedOffset = set.found;
                pickedPool = p;
                s.poolHint[p] = set.found + 1;
                return true;
            }
        }
        return false;
    }

    private boolean pickRandom(final Subnet s)
    {
        final long free = s.poolFree();
        if (free == 0)
        {
            return false;
        }
        // the pool holding the r-th free address, weighted by free counts: O(log pools)
        final int p = s.poolAt(below(free));
        final long first = s.poolFirst[p];
        final long last = s.poolLast[p];
        final long size = last - first + 1;
        final AddressSet set = s.allocated;
        // two uniform probes; when both hit taken addresses (a full pool), search forward from a random point
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final long candidate = first + below(size);
            // the record index answers "taken?" with one array read in small subnets
            if (s.recordByOffset.get(candidate) == Records.NONE)
            {
                pickedOffset = candidate;
                pickedPool = p;
                return true;
            }
        }
        final long start = first + below(size);
        if (set.nextAbsent(start, last) || (start != first && set.nextAbsent(first, start - 1)))
        {
            pickedOffset = set.found;
            pickedPool = p;
            return true;
        }
        throw new IllegalStateException("pool accounting broken in subnet " + s.id);
    }

    /**
     * @return a random value in [0, bound) for an unsigned bound; the modulo bias is at most bound / 2^64.
     */
    private long below(final long bound)
    {
        if (bound > 0 && bound <= 0xFFFF_FFFFL)
        {
            // multiply and shift (Lemire): no division for the common case of a pool under 2^32 addresses
            return ((random.nextLong() >>> 32) * bound) >>> 32;
        }
        return bound == 0 ? random.nextLong() : Long.remainderUnsigned(random.nextLong(), bound);
    }

    private void commit(
        final Subnet s,
        final long offset,
        final int pool,
        final long ownerMsb,
        final long ownerLsb,
        final long timeMs)
    {
        if (!s.allocated.add(offset))
        {
            throw new IllegalStateException("double allocation in subnet " + s.id);
        }
        if (pool >= 0)
        {
            s.poolTaken(pool);
        }
        final int owner = owners.acquire(ownerMsb, ownerLsb);
        final long address = s.addressOf(offset);
        s.recordByOffset.put(offset, records.add(s.handle, address, owner, timeMs));
        lastAddress = address;
        listener.onAllocated(s.id, address, ownerMsb, ownerLsb, timeMs);
    }

    /**
     * The bulk twin of {@link #commit}: the only other place where addresses become allocated. Bitmap words
     * are set whole for each run of addresses sharing a word; records, index, pool counts and the listener then
     * follow per address. Runs on an engine being loaded (restore, open), never inside a hot-path command.
     *
     * @return false when an address is taken twice (the engine then holds part of the input).
     */
    private boolean commitLoaded(
        final Subnet s,
        final long[] address,
        final long[] ownerMsb,
        final long[] ownerLsb,
        final long[] timeMs,
        final int count)
    {
        final AddressSet set = s.allocated;
        set.reserve(count);
        s.recordByOffset.reserve(count);
        int i = 0;
        while (i < count)
        {
            final long word = s.offsetOf(address[i]) >>> 6;
            long bits = 0;
            int j = i;
            for (; j < count; j++)
            {
                final long offset = s.offsetOf(address[j]);
                if (offset >>> 6 != word)
                {
                    break;
                }
                final long bit = 1L << offset;
                if ((bits & bit) != 0)
                {
                    return false;
                }
                bits |= bit;
            }
            if (!set.addWord(word, bits))
            {
                return false;
            }
            i = j;
        }
        int owner = OwnerTable.NONE;
        long lastMsb = 0;
        long lastLsb = 0;
        for (int k = 0; k < count; k++)
        {
            final long offset = s.offsetOf(address[k]);
            final int pool = s.poolCount == 0 ? -1 : s.poolOf(offset);
            if (pool >= 0)
            {
                s.poolTaken(pool);
            }
            // owners repeat in runs (bulk allocations): skip the table probe for a run
            if (owner == OwnerTable.NONE || ownerMsb[k] != lastMsb || ownerLsb[k] != lastLsb)
            {
                lastMsb = ownerMsb[k];
                lastLsb = ownerLsb[k];
                owner = owners.acquire(lastMsb, lastLsb);
            }
            s.recordByOffset.put(offset, records.add(s.handle, address[k], owner, timeMs[k]));
            listener.onAllocated(s.id, address[k], lastMsb, lastLsb, timeMs[k]);
        }
        return true;
    }

    private void free(final Subnet s, final long offset, final int record)
    {
        if (!s.allocated.remove(offset))
        {
            throw new IllegalStateException("double free in subnet " + s.id);
        }
        final int pool = s.poolOf(offset);
        if (pool >= 0)
        {
            s.poolFreed(pool);
            if (Long.compareUnsigned(offset, s.poolHint[pool]) < 0)
            {
                s.poolHint[pool] = offset;
            }
        }
        s.recordByOffset.remove(offset);
        final int o = records.owner(record);
        final long ownerMsb = owners.msb(o);
        final long ownerLsb = owners.lsb(o);
        final long timeMs = records.time(record);
        records.remove(record);
        listener.onReleased(s.id, s.addressOf(offset), ownerMsb, ownerLsb, timeMs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // subnets (administrative, throwing)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @return the handle the next subnet created gets (handles are never reused).
     */
    public int nextHandle()
    {
        return nextHandle;
    }

    /**
     * Give the next subnet created this handle, leaving the unused ones below it unused. Commands name subnets by
     * handle, so a replica rebuilt from a snapshot must number its subnets as the replica that took the snapshot did
     * (ipam-cluster restores each subnet at its handle this way). Not for the hot path.
     *
     * @param handle at least {@link #nextHandle()}.
     */
    public void nextHandle(final int handle)
    {
        if (handle < nextHandle)
        {
            throw new IllegalArgumentException("handle " + handle + " is below the next handle " + nextHandle +
                ": handles are never reused");
        }
        if (handle >= byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, Math.max(byHandle.length * 2, handle + 1));
        }
        nextHandle = handle;
    }

    /**
     * Create a subnet from validated parts. See {@link SubnetRules} for the validation.
     *
     * @param plan the validated subnet.
     * @return the new subnet's handle.
     */
    public int createSubnet(final SubnetRules.Plan plan)
    {
        if (byId.containsKey(plan.id))
        {
            throw new IpamException(ErrorCode.SUBNET_EXISTS, "subnet " + plan.id + " exists");
        }
        final TreeMap<IpAddress, Subnet> tenantSubnets = byTenant.computeIfAbsent(tenantKey(plan.tenant),
            k -> new TreeMap<>());
        final Subnet overlap = findOverlap(tenantSubnets, plan.cidr);
        if (overlap != null)
        {
            throw new IpamException(ErrorCode.SUBNET_OVERLAP, "subnet " + plan.cidr + " overlaps subnet " +
                overlap.id + " (" + overlap.cidr + ")" + (plan.tenant == null ? "" : " of tenant " + plan.tenant));
        }
        if (nextHandle == byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, byHandle.length * 2);
        }
        final Subnet s = new Subnet(nextHandle, plan.id, plan.tenant, plan.cidr, plan.strategy, plan.poolFirst,
            plan.poolLast);
        s.gateway = plan.gateway;
        s.setPools(plan.poolFirst, plan.poolLast);
        byHandle[nextHandle++] = s;
        byId.put(s.id, s);
        tenantSubnets.put(s.cidr.address(), s);
        listener.onSubnet(image(s));
        return s.handle;
    }

    private static EngineImage.SubnetImage image(final Subnet s)
    {
        // pool arrays are replaced, never written in place, so sharing them is safe
        return new EngineImage.SubnetImage(s.handle, s.id, s.tenant, s.cidr, s.strategy, s.gateway, s.poolFirst,
            s.poolLast, s.allocated.cardinality());
    }

    private static String tenantKey(final String tenant)
    {
        return tenant == null ? "" : "t:" + tenant;
    }

    private static Subnet findOverlap(final TreeMap<IpAddress, Subnet> subnets, final Cidr cidr)
    {
        final Map.Entry<IpAddress, Subnet> below = subnets.floorEntry(cidr.address());
        if (below != null && below.getValue().cidr.overlaps(cidr))
        {
            return below.getValue();
        }
        final Map.Entry<IpAddress, Subnet> above = subnets.higherEntry(cidr.address());
        if (above != null && above.getValue().cidr.overlaps(cidr))
        {
            return above.getValue();
        }
        return null;
    }

    /**
     * @param subnetId id.
     * @return the subnet.
     * @throws IpamException {@code SUBNET_NOT_FOUND}.
     */
    Subnet require(final String subnetId)
    {
        final Subnet s = byId.get(subnetId);
        if (s == null)
        {
            throw new IpamException(ErrorCode.SUBNET_NOT_FOUND, "subnet " + AddressText.quote(subnetId) +
                " not found");
        }
        return s;
    }

    /**
     * @param subnetId id.
     * @return the subnet's CIDR.
     */
    public Cidr cidr(final String subnetId)
    {
        return require(subnetId).cidr;
    }

    /**
     * @param subnetId id.
     * @return a view of the subnet now.
     */
    public SubnetInfo info(final String subnetId)
    {
        return info(require(subnetId));
    }

    private static SubnetInfo info(final Subnet s)
    {
        final List<IpRange> pools = new ArrayList<>(s.poolCount);
        for (int i = 0; i < s.poolCount; i++)
        {
            pools.add(IpRange.of(s.address(s.addressOf(s.poolFirst[i])).toString(),
                s.address(s.addressOf(s.poolLast[i])).toString()));
        }
        return new SubnetInfo(s.id, s.cidr.toString(), s.tenant, s.gateway == null ? null : s.gateway.toString(),
            pools, s.strategy, s.allocated.cardinality(), unsigned(s.poolFree()));
    }

    private static BigInteger unsigned(final long v)
    {
        return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v & Long.MAX_VALUE).setBit(63);
    }

    /**
     * @return every subnet, ascending by id.
     */
    public List<SubnetInfo> subnets()
    {
        final List<Subnet> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(s -> s.id));
        final List<SubnetInfo> out = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            out.add(info(s));
        }
        return out;
    }

    /**
     * @return the number of allocated addresses over all subnets.
     */
    public long allocationCount()
    {
        return records.live();
    }

    /**
     * Replace a subnet's pools. Never evicts; allocated addresses outside the new pools stay allocated.
     *
     * @param subnetId id.
     * @param ranges   parsed pools (validated here against the subnet).
     * @return the subnet now.
     */
    public SubnetInfo updatePools(final String subnetId, final List<IpAddress[]> ranges)
    {
        final Subnet s = require(subnetId);
        final long[][] pools = SubnetRules.checkPools(s.cidr, s.gateway, ranges);
        s.setPools(pools[0], pools[1]);
        listener.onSubnet(image(s));
        return info(s);
    }

    /**
     * Change or remove the gateway. Pools are never recomputed.
     *
     * @param subnetId id.
     * @param gateway  new gateway or null.
     * @return the subnet now.
     */
    public SubnetInfo updateGateway(final String subnetId, final IpAddress gateway)
    {
        final Subnet s = require(subnetId);
        if (gateway != null)
        {
            SubnetRules.checkGateway(s.cidr, gateway);
            final int p = s.cidr.contains(gateway) ? s.poolOf(s.offsetOf(gateway.lo())) : -1;
            if (p >= 0)
            {
                throw new IpamException(ErrorCode.GATEWAY_IN_POOL, "gateway " + gateway + " lies in pool " +
                    s.address(s.addressOf(s.poolFirst[p])) + "-" + s.address(s.addressOf(s.poolLast[p])) +
                    " of subnet " + s.id);
            }
        }
        final IpAddress old = s.gateway;
        if (old != null && !old.equals(gateway) && s.cidr.contains(old) &&
            s.allocated.contains(s.offsetOf(old.lo())))
        {
            throw new IpamException(ErrorCode.GATEWAY_IN_USE, "gateway " + old + " of subnet " + s.id +
                " is allocated; release it before changing the gateway");
        }
        s.gateway = gateway;
        listener.onSubnet(image(s));
        return info(s);
    }

    /**
     * Delete a subnet.
     *
     * @param subnetId id.
     * @param force    release its allocations too; else {@code SUBNET_IN_USE} while it holds any.
     * @return the number of allocations released.
     */
    public long deleteSubnet(final String subnetId, final boolean force)
    {
        final Subnet s = require(subnetId);
        final long held = s.allocated.cardinality();
        if (held > 0 && !force)
        {
            throw new IpamException(ErrorCode.SUBNET_IN_USE, "subnet " + s.id + " holds " + held +
                " allocation(s); release them or delete with force");
        }
        if (held > 0)
        {
            final long[] offsets = new long[(int)held];
            final int[] n = {0};
            s.allocated.forEach(o -> offsets[n[0]++] = o);
            for (final long offset : offsets)
            {
                free(s, offset, s.recordByOffset.get(offset));
            }
        }
        byId.remove(s.id);
        byTenant.get(tenantKey(s.tenant)).remove(s.cidr.address());
        byHandle[s.handle] = null;
        listener.onSubnetDeleted(s.id);
        return held;
    }

    /**
     * Visit every allocation of an owner (unordered).
     *
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param visitor  receives (subnet id, address) of each.
     */
    public void forEachOfOwner(final long ownerMsb, final long ownerLsb, final AllocationVisitor visitor)
    {
        final int o = owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return;
        }
        for (int r = owners.head(o); r != Records.NONE; r = records.nextOfOwner(r))
        {
            final Subnet s = byHandle[records.subnet(r)];
            visitor.onAllocation(s.id, s.v6, s.hi, records.address(r), ownerMsb, ownerLsb, records.time(r));
        }
    }

    /**
     * Visit every subnet's allocations in ascending subnet id and address order.
     *
     * @param visitor receives each allocation.
     */
    public void forEachAllocation(final AllocationVisitor visitor)
    {
        final List<Subnet> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(s -> s.id));
        for (final Subnet s : all)
        {
            forEachAllocation(s, visitor);
        }
    }

    /**
     * Visit one subnet's allocations in ascending address order.
     *
     * @param subnetId id.
     * @param visitor  receives each allocation.
     */
    public void forEachAllocation(final String subnetId, final AllocationVisitor visitor)
    {
        forEachAllocation(require(subnetId), visitor);
    }

    private void forEachAllocation(final Subnet s, final AllocationVisitor visitor)
    {
        s.allocated.forEach(offset ->
        {
            final int r = s.recordByOffset.get(offset);
            final int o = records.owner(r);
            visitor.onAllocation(s.id, s.v6, s.hi, records.address(r), owners.msb(o), owners.lsb(o),
                records.time(r));
        });
    }

    /**
     * @return the prefix pools of this engine.
     */
    public PrefixPools prefixPools()
    {
        return prefixPools;
    }

    /**
     * Copy all state for a snapshot. Runs on the writer's thread; costs array copies proportional to the number
     * of allocations (no per-allocation objects) and leaves the engine untouched.
     *
     * @return the image.
     */
    public EngineImage capture()
    {
        final List<Subnet> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(s -> s.id));
        final List<EngineImage.SubnetImage> subnets = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            subnets.add(image(s));
        }
        return records.capture(subnets, owners, prefixPools.capture()).randomState(random.state());
    }

    /**
     * Receives allocations.
     */
    @FunctionalInterface
    public interface AllocationVisitor
    {
        /**
         * @param subnetId subnet id.
         * @param v6       family.
         * @param hi       high 64 bits (IPv6).
         * @param address  address value.
         * @param ownerMsb owner high bits.
         * @param ownerLsb owner low bits.
         * @param timeMs   allocation time.
         */
        void onAllocation(String subnetId, boolean v6, long hi, long address, long ownerMsb, long ownerLsb,
            long timeMs);
    }
}
