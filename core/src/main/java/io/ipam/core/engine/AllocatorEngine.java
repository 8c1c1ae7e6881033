package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.addr.Cidr;

/**
 * The allocator as a pure, single-threaded state machine, and the one door into it: subnets, pools, allocations
 * with owners and times, their lifecycle, prefix pools. No threads, no I/O, no clock: time is carried in each
 * command and randomness comes from the injected {@link RandomSource}, so the same commands in the same order give
 * the same state and the same answers (the basis of replay and replication).
 * <p>
 * The work is done in rooms this class holds: {@link SubnetRegistry} (subnets by handle, id and tenant),
 * {@link AddressPicker} (which free address), {@link Allocations} (who holds what; the only places an address
 * changes state), {@link Lifecycle} (the clock, leases, cooldown, request keys), {@link SubnetAdmin} (subnets as
 * administered), {@link PrefixPools}, and {@link LifecycleImages} (lifecycle state into snapshots; {@link Restorer}
 * puts it back).
 * <p>
 * Hot path: methods taking an int subnet handle and primitive addresses return a result code ({@link #OK}, a count,
 * or an {@link ErrorCode#resultCode()}) and write what they made or found into the caller's {@link EngineResult};
 * they allocate nothing in steady state. An address value is the unsigned IPv4 value or the low 64 bits of an IPv6
 * address; the high 64 bits are the subnet's unless given (a wide subnet's, IPv6 /1 to /63, vary: the variants with
 * {@code addressHi}, and {@link EngineResult#addressHi()}). Administrative methods taking strings and objects throw
 * {@link IpamException}. Every command starts with {@link #beginCommand}.
 * <p>
 * Only one thread may call an instance.
 */
public final class AllocatorEngine
{
    /** Success. */
    public static final int OK = 0;
    /** A release freed the address; a renewal moved the lease. */
    public static final int RELEASED = 1;
    /** A release found the address free already. */
    public static final int WAS_FREE = 0;
    /** An owner lookup found an owner. */
    public static final int FOUND = 1;
    /** No such subnet handle. */
    public static final int NO_HANDLE = -1;
    /** Due leases each command expires before its own work (the periodic tick does the rest). */
    public static final int EXPIRE_PER_COMMAND = 64;

    private final SubnetRegistry subnets = new SubnetRegistry();
    private final Lifecycle lifecycle = new Lifecycle(subnets);
    private final Allocations allocations;
    /** Releases and lookups ({@code allocations.lookups}, held here so a call reads one field, not two). */
    private final Lookups lookups;
    private final PortAllocation ports;
    private final SubnetAdmin admin;
    private final SubnetMaps maps;
    private final LifecycleImages images;
    private final AddressPicker picker;
    private final PrefixPools prefixPools;
    private StateListener listener = StateListener.NONE;
    private long restoredSequence;

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
        this.picker = new AddressPicker(random);
        this.allocations = new Allocations(subnets, lifecycle, picker, maxBulk, maxEntries);
        this.lookups = allocations.lookups;
        this.ports = new PortAllocation(allocations);
        this.admin = new SubnetAdmin(subnets, allocations, lifecycle);
        this.maps = new SubnetMaps(subnets, allocations, lifecycle, admin);
        this.images = new LifecycleImages(subnets, allocations, lifecycle);
        this.prefixPools = new PrefixPools(this);
        allocations.prefixPools(prefixPools);
    }

    /**
     * Install the listener told of every change (a durable store). Writer's thread only.
     *
     * @param listener the listener, or {@link StateListener#NONE}.
     */
    public void listener(final StateListener listener)
    {
        this.listener = listener == null ? StateListener.NONE : listener;
        allocations.listener(this.listener);
        lifecycle.listener(this.listener);
        admin.listener(this.listener);
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
        picker.random(random);
    }

    /**
     * @return the random source (its {@link RandomSource#state()} is engine state).
     */
    public RandomSource randomSource()
    {
        return picker.random();
    }

    /**
     * @param n entries about to be added.
     * @return true if the configured capacity leaves room for them.
     */
    boolean hasRoom(final long n)
    {
        return allocations.hasRoom(n);
    }

    /**
     * @param code the code a request gets when the entries would go over the bound: {@code STORE_FULL} for a
     *             durable store's capacity (the default), {@code LIMIT_EXCEEDED} for a memory allocator's
     *             {@code maxAllocations}.
     * @return this.
     */
    public AllocatorEngine capacityCode(final ErrorCode code)
    {
        allocations.fullCode(code.resultCode());
        return this;
    }

    /**
     * @return the result code of a request over the bound of entries.
     */
    int fullCode()
    {
        return allocations.fullCode();
    }

    /**
     * @return the largest bulk request this engine accepts.
     */
    public int maxBulk()
    {
        return allocations.maxBulk();
    }

    // ---------------------------------------------------------------------------------------------------------
    // every command
    // ---------------------------------------------------------------------------------------------------------

    /**
     * What every command does first, once: move the engine's clock to the command's time (never back), then let up
     * to {@link #EXPIRE_PER_COMMAND} due leases expire, oldest first, so that expiry happens in time order with the
     * other changes whatever the ticker did.
     *
     * @param timeMs the command's time.
     * @return leases expired.
     */
    public int beginCommand(final long timeMs)
    {
        lifecycle.advance(timeMs);
        return lifecycle.hasLeases() ? allocations.expire(EXPIRE_PER_COMMAND) : 0;
    }

    /**
     * @return a number that changes whenever the engine's state does (allocations, releases, expiry, cooldown,
     * keys): a command that moved it changed state, whatever its type, and belongs in the command log.
     */
    public long stateVersion()
    {
        return allocations.changes() + lifecycle.changes();
    }

    /**
     * @return the engine's clock: the newest command time it was given.
     */
    public long now()
    {
        return lifecycle.now();
    }

    // ---------------------------------------------------------------------------------------------------------
    // subnets by handle (hot path)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param subnetId id.
     * @return the subnet's handle, or {@link #NO_HANDLE}.
     */
    public int handle(final String subnetId)
    {
        final Subnet s = subnets.byId(subnetId);
        return s == null ? NO_HANDLE : s.handle;
    }

    /**
     * @param handle subnet handle.
     * @return the subnet's id, or null for an unknown handle.
     */
    public String subnetId(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s == null ? null : s.id;
    }

    /**
     * @param handle subnet handle.
     * @return true if the subnet is wide (IPv6 /1 to /63: addresses' high bits vary).
     */
    public boolean isWide(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s != null && s.wide;
    }

    /**
     * @param handle subnet handle.
     * @return true if the subnet is IPv6.
     */
    public boolean isV6(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s != null && s.v6;
    }

    /**
     * @param handle subnet handle.
     * @return the high 64 bits shared by all addresses of an IPv6 subnet (0 for IPv4).
     */
    public long subnetHigh(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s == null ? 0 : s.hi;
    }

    /**
     * @param handle subnet handle.
     * @return addresses allocated in the subnet, or a negative error code.
     */
    public long allocatedCount(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s == null ? ErrorCodes.SUBNET_NOT_FOUND : s.held();
    }

    /**
     * @param handle subnet handle.
     * @return pool addresses still free, unsigned (an IPv6 /64 may hold more than 2^63).
     */
    public long freeCountUnsigned(final int handle)
    {
        final Subnet s = subnets.at(handle);
        return s == null ? 0 : s.poolFree();
    }

    // ---------------------------------------------------------------------------------------------------------
    // the hot path: allocation, release, lookup
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Allocate an address chosen by the subnet's strategy.
     *
     * @param handle   subnet handle.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time, carried in the command.
     * @param terms    its lease and request key ({@link AllocationTerms#NONE} for neither).
     * @param out      receives the address.
     * @return {@link #OK} or a negative error code.
     */
    public int allocate(final int handle, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult out)
    {
        return allocations.allocate(subnets.at(handle), false, ownerMsb, ownerLsb, timeMs, terms, out);
    }

    /**
     * As {@link #allocate}, the lowest free pool address whatever the subnet's strategy.
     */
    public int allocateNext(final int handle, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult out)
    {
        return allocations.allocate(subnets.at(handle), true, ownerMsb, ownerLsb, timeMs, terms, out);
    }

    /**
     * As {@link #allocate}, one given address (it need not lie in a pool; a cooling address may be taken, SPEC 9).
     */
    public int allocateSpecific(final int handle, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms, final EngineResult out)
    {
        return allocations.allocateSpecific(subnets.at(handle), false, 0, address, ownerMsb, ownerLsb, timeMs, terms,
            out);
    }

    /**
     * As {@link #allocateSpecific(int, long, long, long, long, AllocationTerms, EngineResult)}, with the address's
     * high 64 bits (those of a wide subnet, IPv6 /1 to /63, vary; a narrow subnet's must be its own). A router's
     * terms may take the IPv6 subnet-router anycast address.
     */
    public int allocateSpecific(final int handle, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final AllocationTerms terms, final EngineResult out)
    {
        return allocations.allocateSpecific(subnets.at(handle), true, addressHi, address, ownerMsb, ownerLsb, timeMs,
            terms, out);
    }

    /**
     * As {@link #allocate}, the modified EUI-64 address of a 48-bit MAC ({@code ADDRESS_INVALID} unless the subnet
     * is an IPv6 /64).
     */
    public int allocateEui64(final int handle, final long mac, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms, final EngineResult out)
    {
        return allocations.allocateEui64(handle, mac, ownerMsb, ownerLsb, timeMs, terms, out);
    }

    /**
     * Allocate {@code count} addresses by the subnet's strategy, all or nothing, spilling across pools.
     *
     * @param handle   subnet handle.
     * @param count    1 .. max bulk.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @param terms    their lease and request key.
     * @param out      receives the address values, at least {@code count} long.
     * @return {@link #OK} or a negative error code (nothing taken then).
     */
    public int allocateBulk(final int handle, final int count, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms, final long[] out)
    {
        return allocations.allocateBulk(handle, count, ownerMsb, ownerLsb, timeMs, terms, out);
    }

    /**
     * As {@link #allocateBulk(int, int, long, long, long, AllocationTerms, long[])}, with each address's high 64 bits
     * in {@code outHi} (a wide subnet's vary).
     */
    public int allocateBulk(final int handle, final int count, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms, final long[] out, final long[] outHi)
    {
        return allocations.allocateBulk(handle, count, ownerMsb, ownerLsb, timeMs, terms, out, outHi);
    }

    /**
     * Serve a port request all or nothing (see {@link PortRequest}).
     *
     * @param req      the request; results are written into it.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @param terms    their lease and request key.
     * @param scratch  a result the items are served through; on success it holds their time and lease end.
     * @return {@link #OK} or a negative error code ({@link PortRequest#failedItem()} names the item).
     */
    public int allocatePort(final PortRequest req, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult scratch)
    {
        return ports.serve(req, ownerMsb, ownerLsb, timeMs, terms, scratch);
    }

    /**
     * @return the allocations room: the bulk loads of a restore ({@link Allocations#load}) go there directly.
     */
    Allocations allocations()
    {
        return allocations;
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
        return lookups.release(subnets.at(handle), false, 0, address, false, 0, 0);
    }

    /**
     * As {@link #release(int, long)}, only if the given owner holds the address ({@code OWNER_MISMATCH} otherwise).
     */
    public int release(final int handle, final long address, final long ownerMsb, final long ownerLsb)
    {
        return lookups.release(subnets.at(handle), false, 0, address, true, ownerMsb, ownerLsb);
    }

    /**
     * Release an address given with its high 64 bits, only if the given owner holds it when {@code checkOwner}.
     */
    public int release(final int handle, final long addressHi, final long address, final boolean checkOwner,
        final long ownerMsb, final long ownerLsb)
    {
        return lookups.release(subnets.at(handle), true, addressHi, address, checkOwner, ownerMsb, ownerLsb);
    }

    /**
     * Release everything an owner holds in the subnets a scope sees (due leases expired first).
     *
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param scope    a view's tenant, or null for all.
     * @return how many addresses were released.
     */
    public int releaseOwner(final long ownerMsb, final long ownerLsb, final String scope)
    {
        allocations.expire(Integer.MAX_VALUE);
        return lookups.releaseOwner(ownerMsb, ownerLsb, scope);
    }

    /**
     * Who holds an address.
     *
     * @param handle  subnet handle.
     * @param address address value.
     * @param out     receives the owner, allocation time and lease end when found.
     * @return {@link #FOUND}, {@link #WAS_FREE} or a negative error code.
     */
    public int ownerOf(final int handle, final long address, final EngineResult out)
    {
        return lookups.ownerOf(handle, false, 0, address, out);
    }

    /**
     * As {@link #ownerOf(int, long, EngineResult)}, the address given with its high 64 bits.
     */
    public int ownerOf(final int handle, final long addressHi, final long address, final EngineResult out)
    {
        return lookups.ownerOf(handle, true, addressHi, address, out);
    }

    /**
     * Move an allocation's lease end to now + lease (it gets a lease if it had none).
     *
     * @param handle    subnet handle.
     * @param addressHi the address's high 64 bits ({@link #subnetHigh} for a narrow subnet).
     * @param address   address value.
     * @param ownerMsb  its owner's high bits.
     * @param ownerLsb  its owner's low bits.
     * @param leaseMs   the lease, 1 ms or more.
     * @param out       receives the new lease end.
     * @return {@link #RELEASED} (renewed: 1), {@link #WAS_FREE}, or a negative code ({@code OWNER_MISMATCH}).
     */
    public int renew(final int handle, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long leaseMs, final EngineResult out)
    {
        return lookups.renew(handle, true, addressHi, address, ownerMsb, ownerLsb, leaseMs, out);
    }

    /**
     * Who holds an address (given with its high 64 bits) as it is recorded now: unlike {@link #ownerOf} nothing is
     * expired first and nothing changes (for answers that describe an allocation already made).
     *
     * @return {@link #FOUND} or {@link #WAS_FREE} (also for an unknown handle or an address outside it).
     */
    public int peek(final int handle, final long addressHi, final long address, final EngineResult out)
    {
        return lookups.peek(handle, true, addressHi, address, out);
    }

    /**
     * Visit every allocation of an owner in the subnets a scope sees (unordered), due leases expired first.
     *
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param scope    a view's tenant, or null for all.
     * @param visitor  receives each.
     */
    public void forEachOfOwner(final long ownerMsb, final long ownerLsb, final String scope,
        final AllocationVisitor visitor)
    {
        allocations.expire(Integer.MAX_VALUE);
        lookups.forEachOfOwner(ownerMsb, ownerLsb, scope, visitor);
    }

    /**
     * Visit the allocations of the subnets a scope sees in ascending subnet id and address order, due leases
     * expired first.
     *
     * @param scope   a view's tenant, or null for all.
     * @param visitor receives each allocation.
     */
    public void forEachAllocation(final String scope, final AllocationVisitor visitor)
    {
        allocations.expire(Integer.MAX_VALUE);
        for (final Subnet s : subnets.sorted(scope))
        {
            lookups.forEachAllocation(s, visitor);
        }
    }

    /**
     * @return the number of allocated addresses over all subnets (due leases expired first).
     */
    public long allocationCount()
    {
        allocations.expire(Integer.MAX_VALUE);
        return allocations.live();
    }

    // ---------------------------------------------------------------------------------------------------------
    // lifecycle (SPEC 9)
    // ---------------------------------------------------------------------------------------------------------

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
        boolean more = allocations.expire(budget) == budget;
        more |= lifecycle.drainAllCooling(budget) >= budget;
        more |= lifecycle.forgetKeys(budget) == budget;
        return more;
    }

    /**
     * Copy the lifecycle state (writer's thread). Due leases are expired before the key links are copied.
     *
     * @param lastSequence the change feed's last sequence, carried along.
     * @return the copy.
     */
    public LifecycleImage captureLifecycle(final long lastSequence)
    {
        return images.capture(lastSequence);
    }

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

    // ---------------------------------------------------------------------------------------------------------
    // subnets (administrative, throwing)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @return the handle the next subnet created gets (handles are never reused).
     */
    public int nextHandle()
    {
        return subnets.nextHandle();
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
        subnets.nextHandle(handle);
    }

    /**
     * Create a subnet from validated parts. See {@link SubnetRules} for the validation.
     *
     * @param plan the validated subnet.
     * @return the new subnet's handle.
     */
    public int createSubnet(final SubnetRules.Plan plan)
    {
        return admin.create(plan);
    }

    /**
     * @return subnets held.
     */
    public int subnetCount()
    {
        return subnets.count();
    }

    /**
     * @param subnetId a subnet id.
     * @return its tenant, or null for the default tenant or an unknown id.
     */
    public String tenantOf(final String subnetId)
    {
        final Subnet s = subnets.byId(subnetId);
        return s == null ? null : s.tenant;
    }

    /**
     * @param subnetId id.
     * @return the subnet's CIDR.
     */
    public Cidr cidr(final String subnetId)
    {
        return subnets.require(subnetId).cidr;
    }

    /**
     * @return the subnet of an id (tests in this package).
     * @throws IpamException {@code SUBNET_NOT_FOUND}.
     */
    Subnet require(final String subnetId)
    {
        return subnets.require(subnetId);
    }

    /**
     * @return the lifecycle: the clock, leases, cooldown and request keys.
     */
    public Lifecycle lifecycle()
    {
        return lifecycle;
    }

    /**
     * @return the subnets as administered: described, reshaped, deleted, reconciled, through a view or not.
     */
    public SubnetAdmin admin()
    {
        return admin;
    }

    /**
     * @return the room that summarises a subnet for a map (a query).
     */
    public SubnetMaps maps()
    {
        return maps;
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
        final List<Subnet> all = subnets.sorted(null);
        final List<EngineImage.SubnetImage> images = new ArrayList<>(all.size());
        for (final Subnet s : all)
        {
            images.add(SubnetAdmin.image(s));
        }
        return allocations.capture(images, prefixPools.capture()).randomState(picker.random().state());
    }
}
