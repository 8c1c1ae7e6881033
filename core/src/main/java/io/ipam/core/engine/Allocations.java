package io.ipam.core.engine;

import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.addr.AddressText;

/**
 * Who holds which address: one record per allocation (owner, time, the owner's list), the subnets' bitmaps and
 * record indexes; allocation by strategy (the {@link AddressPicker} chooses, this takes), of a given address, in
 * bulk, and release; and the only two places where an address changes state, {@link #commit} (and its bulk twin
 * {@link #commitLoaded}) and {@link #free}. Every change is told to the listener before it is acknowledged.
 * Results go into the caller's {@link EngineResult} or arrays. Writer's thread only; the hot path allocates
 * nothing.
 */
final class Allocations
{
    final OwnerTable owners = new OwnerTable();
    final Records records = new Records(owners);

    private final SubnetRegistry subnets;
    private final Lifecycle lifecycle;
    private final AddressPicker picker;
    /** Where the picker writes its choice: read at once by the allocation that asked (not state). */
    private final AddressPicker.Pick pick = new AddressPicker.Pick();
    private final int maxBulk;
    private final long maxEntries;
    private int fullCode = ErrorCodes.STORE_FULL;
    private PrefixPools prefixPools;
    private StateListener listener = StateListener.NONE;
    private long changes;

    Allocations(final SubnetRegistry subnets, final Lifecycle lifecycle, final AddressPicker picker,
        final int maxBulk, final long maxEntries)
    {
        this.subnets = subnets;
        this.lifecycle = lifecycle;
        this.picker = picker;
        this.maxBulk = maxBulk;
        this.maxEntries = maxEntries;
    }

    /**
     * @param prefixPools the prefix pools, whose children count against the same capacity.
     */
    void prefixPools(final PrefixPools prefixPools)
    {
        this.prefixPools = prefixPools;
    }

    void fullCode(final int code)
    {
        fullCode = code;
    }

    int fullCode()
    {
        return fullCode;
    }

    int maxBulk()
    {
        return maxBulk;
    }

    /**
     * @return the lease end an allocation made now under these terms gets, or 0 without a lease.
     */
    long leaseEnd(final AllocationTerms terms)
    {
        return terms.leaseMs() > 0 ? Lifecycle.saturatedAdd(lifecycle.now(), terms.leaseMs()) : 0;
    }

    /**
     * Who holds an address as it is recorded now: nothing is expired first, nothing changes.
     *
     * @return {@link AllocatorEngine#FOUND} (owner, time and lease end in {@code out}) or
     * {@link AllocatorEngine#WAS_FREE} (also for an unknown handle or an address outside it).
     */
    int peek(final int handle, final long address, final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        if (s == null || !s.containsValue(address))
        {
            return AllocatorEngine.WAS_FREE;
        }
        final int r = s.recordByOffset.get(s.offsetOf(address));
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        describe(r, out);
        return AllocatorEngine.FOUND;
    }

    /**
     * @return the subnet of a handle, or null.
     */
    Subnet subnet(final int handle)
    {
        return subnets.at(handle);
    }

    /**
     * @param n entries about to be added.
     * @return true if the capacity leaves room for them (allocations and prefix children count).
     */
    boolean hasRoom(final long n)
    {
        return records.live() + prefixPools.childTotal() + n <= maxEntries;
    }

    void listener(final StateListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return changes made here (allocations and releases).
     */
    long changes()
    {
        return changes;
    }

    /**
     * @return allocations held.
     */
    long live()
    {
        return records.live();
    }

    // ---------------------------------------------------------------------------------------------------------
    // taking addresses
    // ---------------------------------------------------------------------------------------------------------

    /**
     * An address chosen by a strategy.
     *
     * @param lowest the lowest free one, else by the subnet's strategy.
     * @return {@link AllocatorEngine#OK} (address in {@code out}) or a negative error code.
     */
    int allocate(final int handle, final boolean lowest, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (!hasRoom(1))
        {
            return fullCode;
        }
        final boolean low = lowest || s.strategy == AllocationStrategy.LOWEST;
        if (!pickIn(s, low) && !(retryAfterLifecycle(s) && pickIn(s, low)))
        {
            return ErrorCodes.EXHAUSTED;
        }
        out.address = commit(s, pick.offset, pick.pool, ownerMsb, ownerLsb, timeMs, terms);
        return AllocatorEngine.OK;
    }

    private boolean pickIn(final Subnet s, final boolean lowest)
    {
        if (s.cooling != null)
        {
            lifecycle.drainCooling(s, Lifecycle.DRAIN_PER_PICK);
        }
        return picker.pick(s, lowest, pick);
    }

    /**
     * Before an automatic choice says EXHAUSTED: let due leases expire and cooled addresses return.
     *
     * @return true if anything came free in the subnet.
     */
    private boolean retryAfterLifecycle(final Subnet s)
    {
        final long before = s.poolFree();
        expire(Integer.MAX_VALUE);
        lifecycle.drainCooling(s, Integer.MAX_VALUE);
        return s.poolFree() != before;
    }

    /**
     * A given address (it need not lie in a pool); a cooling address may be taken (SPEC 9).
     */
    int allocateSpecific(final int handle, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms, final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (!s.containsValue(address) || !s.usableOffset(s.offsetOf(address)))
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        final long offset = s.offsetOf(address);
        if (liveRecord(s, offset) != Records.NONE)
        {
            return ErrorCodes.ADDRESS_TAKEN;
        }
        if (!hasRoom(1))
        {
            return fullCode;
        }
        lifecycle.takeCooling(s, offset, address);
        out.address = commit(s, offset, s.poolOf(offset), ownerMsb, ownerLsb, timeMs, terms);
        return AllocatorEngine.OK;
    }

    /**
     * The modified EUI-64 address of a MAC in an IPv6 /64 ({@code ADDRESS_INVALID} in any other subnet).
     */
    int allocateEui64(final int handle, final long mac, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (!s.v6 || s.cidr.prefixLength() != 64)
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        return allocateSpecific(handle, AddressText.eui64InterfaceId(mac), ownerMsb, ownerLsb, timeMs, terms, out);
    }

    /**
     * {@code count} addresses by the subnet's strategy, all or nothing, spilling across pools.
     */
    int allocateBulk(final int handle, final int count, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final long[] out)
    {
        if (count < 1)
        {
            return ErrorCodes.MALFORMED;
        }
        if (count > maxBulk)
        {
            return ErrorCodes.BULK_TOO_LARGE;
        }
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (Long.compareUnsigned(s.poolFree(), count) < 0 &&
            (!retryAfterLifecycle(s) || Long.compareUnsigned(s.poolFree(), count) < 0))
        {
            return ErrorCodes.EXHAUSTED;
        }
        if (!hasRoom(count))
        {
            return fullCode;
        }
        final boolean lowest = s.strategy == AllocationStrategy.LOWEST;
        for (int i = 0; i < count; i++)
        {
            if (!pickIn(s, lowest))
            {
                throw new IllegalStateException("pool accounting broken in subnet " + s.id);
            }
            out[i] = commit(s, pick.offset, pick.pool, ownerMsb, ownerLsb, timeMs, terms);
        }
        return AllocatorEngine.OK;
    }

    /**
     * A bulk load: see {@link AllocatorEngine#load}.
     */
    int load(final int handle, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
        final long[] timeMs, final int count)
    {
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (!hasRoom(count))
        {
            return fullCode;
        }
        for (int i = 0; i < count; i++)
        {
            if (!s.containsValue(address[i]) || !s.usableOffset(s.offsetOf(address[i])))
            {
                return ErrorCodes.ADDRESS_INVALID;
            }
        }
        return commitLoaded(s, address, ownerMsb, ownerLsb, timeMs, count) ? AllocatorEngine.OK :
            ErrorCodes.ADDRESS_TAKEN;
    }

    // ---------------------------------------------------------------------------------------------------------
    // releasing and looking up
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @return the code for an address that is no subnet's of this handle, or {@link AllocatorEngine#OK}.
     */
    private static int check(final Subnet s, final long address)
    {
        return s == null ? ErrorCodes.SUBNET_NOT_FOUND : s.containsValue(address) ? AllocatorEngine.OK :
            ErrorCodes.ADDRESS_INVALID;
    }

    /**
     * Release an address, whoever holds it when {@code checkOwner} is false, else only if the owner given does.
     *
     * @return {@link AllocatorEngine#RELEASED}, {@link AllocatorEngine#WAS_FREE} or a negative error code.
     */
    int release(final int handle, final long address, final boolean checkOwner, final long ownerMsb,
        final long ownerLsb)
    {
        final Subnet s = subnets.at(handle);
        final int check = check(s, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        final long offset = s.offsetOf(address);
        final int r = liveRecord(s, offset);
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        if (checkOwner && !ownedBy(r, ownerMsb, ownerLsb))
        {
            return ErrorCodes.OWNER_MISMATCH;
        }
        free(s, offset, r, false);
        return AllocatorEngine.RELEASED;
    }

    /**
     * @return {@link AllocatorEngine#FOUND} (owner, time and lease end in {@code out}),
     * {@link AllocatorEngine#WAS_FREE} or a negative error code.
     */
    int ownerOf(final int handle, final long address, final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        final int check = check(s, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        final int r = liveRecord(s, s.offsetOf(address));
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        describe(r, out);
        return AllocatorEngine.FOUND;
    }

    /**
     * @return {@link AllocatorEngine#RELEASED} (renewed; lease end in {@code out}), {@link AllocatorEngine#WAS_FREE}
     * or a negative error code.
     */
    int renew(final int handle, final long address, final long ownerMsb, final long ownerLsb, final long leaseMs,
        final EngineResult out)
    {
        final Subnet s = subnets.at(handle);
        final int check = check(s, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        if (leaseMs <= 0)
        {
            return ErrorCodes.MALFORMED;
        }
        final int r = liveRecord(s, s.offsetOf(address));
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        if (!ownedBy(r, ownerMsb, ownerLsb))
        {
            return ErrorCodes.OWNER_MISMATCH;
        }
        out.expiresAt = lifecycle.renew(s, r, address, leaseMs);
        return AllocatorEngine.RELEASED;
    }

    // ---------------------------------------------------------------------------------------------------------
    // changing state: the only places
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Take an address for an owner.
     *
     * @param pool  the pool the offset lies in, or -1.
     * @param terms its lease and key.
     * @return the address value.
     */
    long commit(final Subnet s, final long offset, final int pool, final long ownerMsb, final long ownerLsb,
        final long timeMs, final AllocationTerms terms)
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
        changes++;
        listener.onAllocated(s.id, address, ownerMsb, ownerLsb, timeMs);
        if (terms != AllocationTerms.NONE && !terms.isNone())
        {
            lifecycle.stamp(s, address, r, terms);
        }
        return address;
    }

    /**
     * The bulk twin of {@link #commit}: bitmap words are set whole for each run of addresses sharing a word;
     * records, index, pool counts and the listener then follow per address. Runs on an engine being loaded
     * (restore, open), never inside a hot-path command.
     *
     * @return false when an address is taken twice (the engine then holds part of the input).
     */
    boolean commitLoaded(final Subnet s, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
        final long[] timeMs, final int count)
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

    /**
     * Free an allocation: released by a request, expired, or gone with its subnet. With a cooldown the address
     * stays out of automatic choice until it has cooled.
     */
    void free(final Subnet s, final long offset, final int record, final boolean expired)
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
        changes++;
        final long freedAt = lifecycle.onFree(s, record, expired);
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
            lifecycle.cool(s, offset, freedAt);
            listener.onCooling(s.id, address, freedAt);
        }
    }

    /**
     * The record at an offset, after expiring it if its lease has run out: every answer sees expired
     * allocations as gone (SPEC 9).
     *
     * @return the record, or {@link Records#NONE}.
     */
    int liveRecord(final Subnet s, final long offset)
    {
        final int r = s.recordByOffset.get(offset);
        if (r != Records.NONE && lifecycle.isDue(r))
        {
            free(s, offset, r, true);
            return Records.NONE;
        }
        return r;
    }

    /**
     * @return true if the record's owner is the one given.
     */
    private boolean ownedBy(final int r, final long ownerMsb, final long ownerLsb)
    {
        final int o = records.owner(r);
        return owners.msb(o) == ownerMsb && owners.lsb(o) == ownerLsb;
    }

    /**
     * Write a record's owner, time and lease end into a result.
     */
    private void describe(final int r, final EngineResult out)
    {
        final int o = records.owner(r);
        out.ownerMsb = owners.msb(o);
        out.ownerLsb = owners.lsb(o);
        out.timeMs = records.time(r);
        out.expiresAt = lifecycle.expiresAt(r);
    }

    /**
     * Expire at most {@code budget} due leases, oldest first.
     *
     * @return leases expired.
     */
    int expire(final int budget)
    {
        int n = 0;
        for (int r = lifecycle.firstDue(); n < budget && r != Records.NONE; r = lifecycle.firstDue())
        {
            final Subnet s = subnets.at(records.subnet(r));
            free(s, s.offsetOf(records.address(r)), r, true);
            n++;
        }
        return n;
    }

    /**
     * Release what an owner holds in the subnets a scope sees.
     *
     * @param scope a view's tenant, or null for all.
     * @return how many addresses were released.
     */
    int releaseOwner(final long ownerMsb, final long ownerLsb, final String scope)
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
            final Subnet s = subnets.at(records.subnet(r));
            if (SubnetRegistry.inScope(s, scope))
            {
                free(s, s.offsetOf(records.address(r)), r, false);
                released++;
            }
            r = next;
        }
        return released;
    }

    /**
     * Visit every allocation of an owner in the subnets a scope sees (unordered).
     */
    void forEachOfOwner(final long ownerMsb, final long ownerLsb, final String scope,
        final AllocationVisitor visitor)
    {
        final int o = owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return;
        }
        for (int r = owners.head(o); r != Records.NONE; r = records.nextOfOwner(r))
        {
            final Subnet s = subnets.at(records.subnet(r));
            if (SubnetRegistry.inScope(s, scope))
            {
                visitor.onAllocation(s.id, s.v6, s.hi, records.address(r), ownerMsb, ownerLsb, records.time(r),
                    lifecycle.expiresAt(r));
            }
        }
    }

    /**
     * Visit one subnet's allocations in ascending address order (cooling addresses are not allocations).
     */
    void forEachAllocation(final Subnet s, final AllocationVisitor visitor)
    {
        s.allocated.forEach(offset ->
        {
            final int r = s.recordByOffset.get(offset);
            if (r == Records.NONE)
            {
                return; // cooling
            }
            final int o = records.owner(r);
            visitor.onAllocation(s.id, s.v6, s.hi, records.address(r), owners.msb(o), owners.lsb(o),
                records.time(r), lifecycle.expiresAt(r));
        });
    }

    /**
     * Copy the allocations for a snapshot: array copies, no per-allocation objects.
     */
    EngineImage capture(final List<EngineImage.SubnetImage> subnetImages,
        final List<EngineImage.PrefixPoolImage> prefixPools)
    {
        return records.capture(subnetImages, owners, prefixPools);
    }
}
