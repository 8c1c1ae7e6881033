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
    private long lastExpiresAt;
    private long pickedOffset;
    private int lookupFailure;
    private int pickedPool;
    // lifecycle (SPEC 9): the engine's clock is the newest command time it was given; nothing reads a wall clock
    private long now;
    private final Leases leases = new Leases();
    private RequestKeys keys = new RequestKeys(Long.MAX_VALUE);
    private long keyRetentionMs = 3_600_000L;
    private RequestKeys.Key pendingKey;
    private long pendingLease;
    private long pendingLeaseMs;
    private long stateVersion;
    private final java.util.function.Consumer<RequestKeys.Key> forgetKey = k -> listener.onKeyForgotten(k);

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
        if (!(lowest ? pickLowest(s) : pickRandom(s)) && !(retryAfterLifecycle(s) &&
            (lowest ? pickLowest(s) : pickRandom(s))))
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
        if (s.cooling != null && s.cooling.size() > 0 && s.allocated.contains(offset))
        {
            // a specific request may take a cooling address (SPEC 9)
            s.cooling.remove(offset);
            uncool(s, offset);
            listener.onCoolingEnded(s.id, address);
        }
        commit(s, offset, s.poolOf(offset), ownerMsb, ownerLsb, timeMs);
        return OK;
    }

    private int checkSpecific(final Subnet s, final long address)
    {
        if (!s.containsValue(address) || !s.usableOffset(s.offsetOf(address)))
        {
            return ADDRESS_INVALID;
        }
        return liveRecord(s, s.offsetOf(address)) != Records.NONE ? ADDRESS_TAKEN : OK;
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
        if (Long.compareUnsigned(s.poolFree(), count) < 0 &&
            (!retryAfterLifecycle(s) || Long.compareUnsigned(s.poolFree(), count) < 0))
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
        final int r = liveRecord(s, offset);
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        free(s, offset, r, false);
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
        final int r = liveRecord(s, offset);
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        final int o = records.owner(r);
        if (owners.msb(o) != ownerMsb || owners.lsb(o) != ownerLsb)
        {
            return OWNER_MISMATCH;
        }
        free(s, offset, r, false);
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
        sweepDue();
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
            free(s, s.offsetOf(records.address(r)), r, false);
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
        final int r = liveRecord(s, s.offsetOf(address));
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        final int o = records.owner(r);
        lastOwnerMsb = owners.msb(o);
        lastOwnerLsb = owners.lsb(o);
        lastTime = records.time(r);
        lastExpiresAt = leases.leased(r) ? leases.expiresAt(r) : 0;
        return FOUND;
    }

    /**
     * @param handle subnet handle.
     * @return addresses allocated in the subnet, or a negative error code.
     */
    public long allocatedCount(final int handle)
    {
        final Subnet s = subnetAt(handle);
        return s == null ? SUBNET_NOT_FOUND : s.held();
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

    /** Cooled addresses returned to the pools before an automatic pick (more wait for the tick). */
    private static final int DRAIN_PER_PICK = 64;

    private boolean pickLowest(final Subnet s)
    {
        if (s.cooling != null)
        {
            drainCooling(s, DRAIN_PER_PICK);
        }
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
        if (s.cooling != null)
        {
            drainCooling(s, DRAIN_PER_PICK);
        }
        final long free = s.poolFree();
        if (free == 0)
        {
            return false;
        }
        final AddressSet set = s.allocated;
        // two probes uniform over all pool addresses (rejection sampling: each free address equally likely); the
        // pool of a rank comes from a table, so a pick costs the same with one pool or a thousand
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final long r = below(s.poolTotal);
            final int p = s.poolAtRank(r);
            final long candidate = s.poolFirst[p] + (r - s.poolStart[p]);
            // the record index answers "taken?" with one array read in small subnets
            if (s.recordByOffset.get(candidate) == Records.NONE &&
                (s.cooling == null || s.cooling.size() == 0 || !set.contains(candidate)))
            {
                pickedOffset = candidate;
                pickedPool = p;
                return true;
            }
        }
        // both taken (a full region): the first pool with room from a random one on, from a random point in it
        final int p = s.poolWithRoom(s.poolAtRank(below(s.poolTotal)));
        if (p < 0)
        {
            throw new IllegalStateException("pool accounting broken in subnet " + s.id);
        }
        final long first = s.poolFirst[p];
        final long last = s.poolLast[p];
        final long start = first + below(last - first + 1);
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
        final int r = records.add(s.handle, address, owner, timeMs);
        s.recordByOffset.put(offset, r);
        stateVersion++;
        lastAddress = address;
        listener.onAllocated(s.id, address, ownerMsb, ownerLsb, timeMs);
        if (pendingLease != 0 || pendingKey != null)
        {
            stamp(s, address, r);
        }
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

    private void free(final Subnet s, final long offset, final int record, final boolean expired)
    {
        final boolean cool = s.cooldownMs > 0;
        if (!cool)
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
        }
        s.recordByOffset.remove(offset);
        stateVersion++;
        long freedAt = now;
        if (leases.leased(record))
        {
            if (expired)
            {
                freedAt = leases.expiresAt(record); // an expired address was freed when its lease ended
            }
            leases.clear(record);
            s.leased--;
        }
        final RequestKeys.Key idle = keys.unlink(record, now);
        if (idle != null)
        {
            listener.onKey(idle); // its idle time, from which its retention counts
        }
        final int o = records.owner(record);
        final long ownerMsb = owners.msb(o);
        final long ownerLsb = owners.lsb(o);
        final long timeMs = records.time(record);
        records.remove(record);
        final long address = s.addressOf(offset);
        if (expired)
        {
            s.expired++;
            listener.onExpired(s.id, address, ownerMsb, ownerLsb, timeMs);
        }
        else
        {
            listener.onReleased(s.id, address, ownerMsb, ownerLsb, timeMs);
        }
        if (cool)
        {
            // the bit stays set and the pool count taken: automatic choice passes it by until it has cooled
            cool(s, offset, freedAt);
            listener.onCooling(s.id, address, freedAt);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // lifecycle: the engine's clock, leases, cooldown, request keys (SPEC 9)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Move the engine's clock to a command's time (never back: a command older than the newest seen runs at the
     * newest time). Expiry, cooldown and key retention are judged by this clock only.
     *
     * @param timeMs the command's time.
     */
    public void advance(final long timeMs)
    {
        if (timeMs > now)
        {
            now = timeMs;
        }
    }

    /**
     * @return a number that changes whenever the engine's state does (allocations, releases, expiry, cooldown,
     * keys): a command that moved it changed state, whatever its type, and belongs in the command log.
     */
    public long stateVersion()
    {
        return stateVersion;
    }

    /**
     * @return the engine's clock: the newest command time it was given.
     */
    public long now()
    {
        return now;
    }

    /**
     * @param retentionMs how long a key is remembered after the last allocation it made is gone.
     * @param maxKeys     most keys remembered at once ({@code LIMIT_EXCEEDED} beyond).
     */
    public void keyPolicy(final long retentionMs, final long maxKeys)
    {
        this.keyRetentionMs = retentionMs;
        if (keys.size() == 0)
        {
            this.keys = new RequestKeys(maxKeys);
        }
    }

    /**
     * @return the request keys.
     */
    public RequestKeys keys()
    {
        return keys;
    }

    /**
     * Options for the allocations of the next command: a lease and/or a key they are made under. Cleared with
     * {@link #clearOptions()} after the command.
     *
     * @param key     the key (from {@link #beginKey}) or null.
     * @param leaseMs lease length, 0 for none.
     */
    public void options(final RequestKeys.Key key, final long leaseMs)
    {
        this.pendingKey = key;
        this.pendingLeaseMs = leaseMs;
        this.pendingLease = leaseMs > 0 ? saturatedAdd(now, leaseMs) : 0;
    }

    /**
     * Back to allocations without options.
     */
    public void clearOptions()
    {
        pendingKey = null;
        pendingLease = 0;
        pendingLeaseMs = 0;
    }

    /**
     * @return the key remembered for a tenant, or null (keys past their retention are forgotten first).
     */
    public RequestKeys.Key findKey(final String tenant, final String key)
    {
        stateVersion += keys.expire(now, keyRetentionMs, Integer.MAX_VALUE, forgetKey);
        return keys.find(tenant, key);
    }

    /**
     * Start a keyed request.
     */
    public RequestKeys.Key beginKey(final String tenant, final String key, final long fingerprint)
    {
        return keys.begin(tenant, key, fingerprint);
    }

    /**
     * The keyed request succeeded: remember its answer.
     */
    public void commitKey(final RequestKeys.Key k, final int code, final long value, final byte[] payload)
    {
        keys.commit(k, code, value, payload, now);
        stateVersion++;
        listener.onKey(k);
    }

    /**
     * The keyed request failed: forget its key.
     */
    public void abortKey(final RequestKeys.Key k)
    {
        keys.abort(k);
    }

    private static long saturatedAdd(final long a, final long b)
    {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void stamp(final Subnet s, final long address, final int r)
    {
        if (pendingLease != 0)
        {
            lease(s, r, pendingLease);
            listener.onLease(s.id, address, pendingLease);
        }
        if (pendingKey != null)
        {
            keys.link(r, pendingKey);
            listener.onKeyLink(s.id, address, pendingKey);
        }
    }

    /**
     * The record at an offset, after expiring it if its lease has run out: every answer sees expired
     * allocations as gone (SPEC 9).
     */
    private int liveRecord(final Subnet s, final long offset)
    {
        final int r = s.recordByOffset.get(offset);
        if (r != Records.NONE && leases.leased(r) && leases.expiresAt(r) <= now)
        {
            free(s, offset, r, true);
            return Records.NONE;
        }
        return r;
    }

    /**
     * Before an automatic choice says EXHAUSTED: let due leases expire and cooled addresses return.
     *
     * @return true if anything came free in the subnet.
     */
    private boolean retryAfterLifecycle(final Subnet s)
    {
        final long before = s.poolFree();
        sweepDue();
        drainCooling(s, Integer.MAX_VALUE);
        return s.poolFree() != before;
    }

    /**
     * Cooling addresses whose cooldown has passed become free again, oldest first.
     *
     * @return how many did.
     */
    private int drainCooling(final Subnet s, final int budget)
    {
        final CoolingQueue q = s.cooling;
        int n = 0;
        if (q == null)
        {
            return 0;
        }
        final long cutoff = now - s.cooldownMs;
        while (n < budget && q.hasHead() && q.headFreedAt() <= cutoff)
        {
            final long offset = q.headOffset();
            q.pop();
            uncool(s, offset);
            listener.onCoolingEnded(s.id, s.addressOf(offset));
            n++;
        }
        return n;
    }

    /**
     * An address leaves cooling (it cooled down, or a specific request takes it): free it in the bitmap and pools.
     */
    private void uncool(final Subnet s, final long offset)
    {
        stateVersion++;
        s.allocated.remove(offset);
        final int pool = s.poolOf(offset);
        if (pool >= 0)
        {
            s.poolFreed(pool);
            if (Long.compareUnsigned(offset, s.poolHint[pool]) < 0)
            {
                s.poolHint[pool] = offset;
            }
        }
    }

    /**
     * Expire at most {@code budget} due leases, oldest first: every command starts with this, so that expiry
     * happens in time order with the other changes whatever the ticker did, and a million leases falling due at
     * once are spread over many commands and ticks.
     *
     * @param budget most leases expired.
     * @return leases expired.
     */
    public int expireDue(final int budget)
    {
        return leases.size() == 0 ? 0 : expireLeases(budget);
    }

    /**
     * Expire every lease that is due (count answers must not show expired allocations).
     */
    public void sweepDue()
    {
        expireLeases(Integer.MAX_VALUE);
    }

    private int expireLeases(final int budget)
    {
        int n = 0;
        for (int r = leases.first(); n < budget && r != Records.NONE && leases.expiresAt(r) <= now;
            r = leases.first())
        {
            final Subnet s = byHandle[records.subnet(r)];
            free(s, s.offsetOf(records.address(r)), r, true);
            n++;
        }
        return n;
    }

    /**
     * The writer's periodic step: expire due leases, return cooled addresses, forget keys past retention, each
     * at most {@code budget} items, so that a million leases falling due at once are spread over many ticks
     * with requests served in between.
     *
     * @param budget most items of each kind handled.
     * @return true if due work is left (tick again soon).
     */
    public boolean tick(final int budget)
    {
        boolean more = expireLeases(budget) == budget;
        int cooled = 0;
        // only the subnets with cooling addresses, however many subnets there are
        for (int h = coolingSubnets.nextSetBit(0); h >= 0 && cooled < budget; h = coolingSubnets.nextSetBit(h + 1))
        {
            final Subnet s = byHandle[h];
            if (s != null && s.cooling != null)
            {
                cooled += drainCooling(s, budget - cooled);
            }
            if (s == null || s.cooling == null || s.cooling.size() == 0)
            {
                coolingSubnets.clear(h);
            }
        }
        more |= cooled >= budget;
        final int forgotten = keys.expire(now, keyRetentionMs, budget, forgetKey);
        stateVersion += forgotten;
        more |= forgotten == budget;
        return more;
    }

    /**
     * @return true if this engine holds leases, cooling addresses or keys: state a periodic tick must look after.
     */
    public boolean hasLifecycleState()
    {
        if (leases.size() > 0 || keys.size() > 0)
        {
            return true;
        }
        for (int h = 0; h < nextHandle; h++)
        {
            final Subnet s = byHandle[h];
            if (s != null && s.cooldownMs > 0)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Move an allocation's expiry to now + lease (it gets a lease if it had none).
     *
     * @return {@link #RELEASED} (renewed: 1), {@link #WAS_FREE}, or a negative code ({@code OWNER_MISMATCH}).
     */
    public int renew(final int handle, final long address, final long ownerMsb, final long ownerLsb,
        final long leaseMs)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        if (leaseMs <= 0)
        {
            return MALFORMED;
        }
        final int r = liveRecord(s, s.offsetOf(address));
        if (r == Records.NONE)
        {
            return WAS_FREE;
        }
        final int o = records.owner(r);
        if (owners.msb(o) != ownerMsb || owners.lsb(o) != ownerLsb)
        {
            return OWNER_MISMATCH;
        }
        final long expiresAt = saturatedAdd(now, leaseMs);
        lease(s, r, expiresAt);
        stateVersion++;
        listener.onLease(s.id, address, expiresAt);
        lastExpiresAt = expiresAt;
        return RELEASED;
    }

    /**
     * @return the lease end of the allocation last reported by {@link #ownerOf}, {@link #renew} or a visitor, or
     * 0 for one without a lease.
     */
    public long lastExpiresAt()
    {
        return lastExpiresAt;
    }

    /**
     * Set a subnet's cooldown (creation, restore).
     */
    public void cooldown(final String subnetId, final long cooldownMs)
    {
        require(subnetId).cooldownMs = Math.max(0, cooldownMs);
    }

    /**
     * Lifecycle counts of a subnet, for metrics: {allocated, free (pool, unsigned), cooling, leased, expired
     * since start, reclaimed since start}.
     */
    public long[] lifecycleCounts(final String subnetId)
    {
        final Subnet s = require(subnetId);
        return new long[] {s.held(), s.poolFree(), s.coolingCount(), s.leased, s.expired, s.reclaimed};
    }

    /**
     * Count a reclaim (reconcile) in its subnet's counter.
     */
    public void countReclaimed(final String subnetId)
    {
        final Subnet s = byId.get(subnetId);
        if (s != null)
        {
            s.reclaimed++;
        }
    }

    /**
     * Put an address back into cooling (restore): it must be free now; it becomes free when it has cooled.
     *
     * @return {@link #OK} or a negative code.
     */
    public int restoreCooling(final int handle, final long address, final long freedAt)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        final long offset = s.offsetOf(address);
        if (!s.usableOffset(offset))
        {
            return ADDRESS_INVALID;
        }
        if (!s.allocated.add(offset))
        {
            return ADDRESS_TAKEN;
        }
        final int pool = s.poolOf(offset);
        if (pool >= 0)
        {
            s.poolTaken(pool);
        }
        cool(s, offset, freedAt);
        return OK;
    }

    /**
     * Give a restored allocation its lease.
     *
     * @return {@link #OK} or a negative code (no such allocation).
     */
    public int restoreLease(final int handle, final long address, final long expiresAt)
    {
        final int r = heldRecord(handle, address);
        if (r >= 0)
        {
            lease(heldSubnet, r, expiresAt);
        }
        return Math.min(r, OK);
    }

    /**
     * Give a record a lease or move it, counting the subnet's leased allocations.
     */
    private void cool(final Subnet s, final long offset, final long freedAt)
    {
        s.coolingQueue().add(offset, freedAt);
        coolingSubnets.set(s.handle);
    }

    /** Handles of the subnets that may hold cooling addresses (cleared by the tick once one holds none). */
    private final java.util.BitSet coolingSubnets = new java.util.BitSet();

    private void lease(final Subnet s, final int r, final long expiresAt)
    {
        if (!leases.leased(r))
        {
            s.leased++;
        }
        leases.set(r, expiresAt);
    }

    private Subnet heldSubnet;

    /**
     * @return the record of the allocation at an address (its subnet in {@link #heldSubnet}), or a negative code:
     * the subnet's lookup failure, or {@code ADDRESS_INVALID} when the address is not allocated.
     */
    private int heldRecord(final int handle, final long address)
    {
        final Subnet s = subnetFor(handle, address);
        if (s == null)
        {
            return lookupFailure;
        }
        heldSubnet = s;
        final int r = s.recordByOffset.get(s.offsetOf(address));
        return r == Records.NONE ? ADDRESS_INVALID : r;
    }

    /**
     * Remember a restored key.
     */
    public RequestKeys.Key restoreKey(final String tenant, final String key, final long fingerprint, final int code,
        final long value, final byte[] payload, final long goneAt, final long serial)
    {
        return keys.restore(tenant, key, fingerprint, code, value, payload, goneAt, serial);
    }

    /**
     * Link a restored allocation to the key it was made under.
     *
     * @return {@link #OK} or a negative code (no such allocation).
     */
    public int restoreKeyLink(final RequestKeys.Key k, final int handle, final long address)
    {
        final int r = heldRecord(handle, address);
        if (r >= 0)
        {
            keys.link(r, k);
        }
        return Math.min(r, OK);
    }

    /**
     * Keys restored and linked: queue the idle ones for retention.
     */
    public void restoreKeysDone()
    {
        keys.restoreDone();
    }

    /**
     * Restore the engine's clock (a snapshot's or store's newest command time).
     */
    public void restoreNow(final long timeMs)
    {
        advance(timeMs);
    }

    /**
     * Visit every cooling address: (subnet id, address value, time freed).
     */
    public void forEachCooling(final LifecycleVisitor visitor)
    {
        for (int h = 0; h < nextHandle; h++)
        {
            final Subnet s = byHandle[h];
            if (s != null && s.cooling != null)
            {
                s.cooling.forEach((offset, freedAt) -> visitor.visit(s.id, s.addressOf(offset), freedAt));
            }
        }
    }

    /**
     * Visit every lease: (subnet id, address value, expiry).
     */
    public void forEachLease(final LifecycleVisitor visitor)
    {
        leases.forEach((r, expiresAt) ->
        {
            final Subnet s = byHandle[records.subnet(r)];
            visitor.visit(s.id, records.address(r), expiresAt);
        });
    }

    /**
     * Visit every allocation made under a key: the key, subnet id, address value.
     */
    public void forEachKeyLink(final KeyLinkVisitor visitor)
    {
        forEachAllocation((id, v6, hi, value, msb, lsb, t) ->
        {
            final Subnet s = byId.get(id);
            final RequestKeys.Key k = keys.keyOf(s.recordByOffset.get(s.offsetOf(value)));
            if (k != null)
            {
                visitor.visit(k, id, value);
            }
        });
    }

    /**
     * Copy the lifecycle state (writer's thread).
     *
     * @param lastSequence the change feed's last sequence, carried along.
     * @return the copy.
     */
    public LifecycleImage captureLifecycle(final long lastSequence)
    {
        final LifecycleImage img = new LifecycleImage();
        img.clockMs = now;
        img.lastSequence = lastSequence;
        final List<Subnet> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(x -> x.id));
        for (final Subnet s : all)
        {
            if (s.cooldownMs > 0)
            {
                img.cooldowns.put(s.id, s.cooldownMs);
            }
        }
        forEachCooling((id, address, t) -> img.cooling.computeIfAbsent(id, k -> new ArrayList<>())
            .add(new long[] {address, t}));
        forEachLease((id, address, t) -> img.leases.computeIfAbsent(id, k -> new ArrayList<>())
            .add(new long[] {address, t}));
        final java.util.IdentityHashMap<RequestKeys.Key, LifecycleImage.KeyImage> byKey =
            new java.util.IdentityHashMap<>();
        final List<RequestKeys.Key> remembered = keys.all();
        remembered.sort(Comparator.comparing((RequestKeys.Key k) -> k.tenant == null ? "" : k.tenant)
            .thenComparing(k -> k.key));
        for (final RequestKeys.Key k : remembered)
        {
            final LifecycleImage.KeyImage ki = new LifecycleImage.KeyImage(k.tenant, k.key, k.fingerprint, k.code(),
                k.value(), k.payload(), k.goneAt(), k.serial);
            byKey.put(k, ki);
            img.keys.add(ki);
        }
        forEachKeyLink((k, id, address) ->
        {
            final LifecycleImage.KeyImage ki = byKey.get(k);
            if (ki != null)
            {
                ki.linkSubnets.add(id);
                ki.linkAddresses.add(address);
            }
        });
        return img;
    }

    private long restoredSequence;

    /**
     * Set by {@link Restorer}: the change feed sequence a restored engine continues from.
     *
     * @param sequence the restored state's last sequence.
     */
    public void restoredSequence(final long sequence)
    {
        restoredSequence = sequence;
    }

    /**
     * @return the change feed sequence a restored engine continues from (0 for a fresh one).
     */
    public long restoredSequence()
    {
        return restoredSequence;
    }

    /**
     * Receives (subnet id, address value, a time).
     */
    public interface LifecycleVisitor
    {
        void visit(String subnetId, long address, long timeMs);
    }

    /**
     * Receives (key, subnet id, address value).
     */
    public interface KeyLinkVisitor
    {
        void visit(RequestKeys.Key key, String subnetId, long address);
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
        s.cooldownMs = plan.cooldownMs;
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
            s.poolLast, s.held(), s.cooldownMs);
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
        final Subnet s = require(subnetId);
        sweepDue();
        drainCooling(s, Integer.MAX_VALUE);
        return info(s);
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
            pools, s.strategy, s.held(), unsigned(s.poolFree()), s.cooldownMs, s.coolingCount());
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
        sweepDue();
        final List<Subnet> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(s -> s.id));
        final List<SubnetInfo> out = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            drainCooling(s, Integer.MAX_VALUE);
            out.add(info(s));
        }
        return out;
    }

    /**
     * @return the number of allocated addresses over all subnets.
     */
    public long allocationCount()
    {
        sweepDue();
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
        sweepDue();
        final long held = s.held();
        if (held > 0 && !force)
        {
            throw new IpamException(ErrorCode.SUBNET_IN_USE, "subnet " + s.id + " holds " + held +
                " allocation(s); release them or delete with force");
        }
        if (s.allocated.cardinality() > 0)
        {
            final long[] offsets = new long[(int)s.allocated.cardinality()];
            final int[] n = {0};
            s.allocated.forEach(o -> offsets[n[0]++] = o);
            // a deleted subnet has nothing left to cool: its cooling addresses go with it
            s.cooldownMs = 0;
            for (final long offset : offsets)
            {
                final int r = s.recordByOffset.get(offset);
                if (r != Records.NONE)
                {
                    free(s, offset, r, false);
                }
                else
                {
                    listener.onCoolingEnded(s.id, s.addressOf(offset));
                }
            }
            s.cooling = null;
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
        sweepDue();
        final int o = owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return;
        }
        for (int r = owners.head(o); r != Records.NONE; r = records.nextOfOwner(r))
        {
            final Subnet s = byHandle[records.subnet(r)];
            lastExpiresAt = leases.leased(r) ? leases.expiresAt(r) : 0;
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
        sweepDue();
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
            if (r == Records.NONE)
            {
                return; // cooling
            }
            final int o = records.owner(r);
            lastExpiresAt = leases.leased(r) ? leases.expiresAt(r) : 0;
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
