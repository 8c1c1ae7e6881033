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
    /** Releases, lookups and visits of what this holds. */
    final Lookups lookups = new Lookups(this);

    private final SubnetRegistry subnets;
    final Lifecycle lifecycle;
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
        lifecycle.leaseTies(new TiedLeaseOrder(subnets, records));
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
     * @return the record at an offset as it is (no expiry), or {@link Records#NONE}.
     */
    static int recordAt(final Subnet s, final long offsetHi, final long offset)
    {
        return s.wide ? s.wideIndex.get(offsetHi, offset) : s.recordByOffset.get(offset);
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
     * An address chosen by a strategy, in a subnet the caller looked up ({@link #subnet}; null: no subnet has the
     * handle). The engine's hot path looks it up in the registry it holds itself: fewer dependent loads before the
     * subnet is known.
     *
     * @param lowest the lowest free one, else by the subnet's strategy.
     * @return {@link AllocatorEngine#OK} (address in {@code out}) or a negative error code.
     */
    int allocate(final Subnet s, final boolean lowest, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult out)
    {
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
        out.address = commit(s, pick.offsetHi, pick.offset, pick.pool, ownerMsb, ownerLsb, timeMs, terms);
        out.addressHi = s.addressHiOf(pick.offsetHi);
        out.wide = s.wide;
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
     * A given address (it need not lie in a pool; a cooling address may be taken, SPEC 9) with its high word
     * ({@code withHi}; else the subnet's own, as every command before wide subnets meant), in a subnet the caller
     * looked up (null: none has the handle). A router's request may also take the IPv6 subnet-router anycast
     * address (SPEC 2).
     */
    int allocateSpecific(final Subnet s, final boolean withHi, final long addressHi, final long address,
        final long ownerMsb, final long ownerLsb, final long timeMs, final AllocationTerms terms,
        final EngineResult out)
    {
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        final long hi = withHi ? addressHi : s.hi;
        if (!s.contains(hi, address))
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        final long offsetHi = s.offsetHiOf(hi);
        final long offset = s.offsetOf(address);
        if (!s.usable(offsetHi, offset) && !(terms.router() && s.v6 && offset == 0 && offsetHi == 0))
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        if (liveRecord(s, offsetHi, offset) != Records.NONE)
        {
            return ErrorCodes.ADDRESS_TAKEN;
        }
        if (!hasRoom(1))
        {
            return fullCode;
        }
        lifecycle.takeCooling(s, offsetHi, offset);
        out.address = commit(s, offsetHi, offset, poolOf(s, offsetHi, offset), ownerMsb, ownerLsb, timeMs, terms);
        out.addressHi = hi;
        out.wide = s.wide;
        return AllocatorEngine.OK;
    }

    /**
     * @return the pool an offset lies in, or -1.
     */
    static int poolOf(final Subnet s, final long offsetHi, final long offset)
    {
        return s.wide ? s.widePools.poolOf(offsetHi, offset) : s.poolOf(offset);
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
        return allocateSpecific(s, false, 0, AddressText.eui64InterfaceId(mac), ownerMsb, ownerLsb, timeMs, terms,
            out);
    }

    /**
     * {@code count} addresses by the subnet's strategy, all or nothing, spilling across pools.
     */
    int allocateBulk(final int handle, final int count, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final long[] out)
    {
        return allocateBulk(handle, count, ownerMsb, ownerLsb, timeMs, terms, out, null);
    }

    /**
     * {@code count} addresses, with each one's high word in {@code outHi} when given (a wide subnet's vary).
     */
    int allocateBulk(final int handle, final int count, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final long[] out, final long[] outHi)
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
            out[i] = commit(s, pick.offsetHi, pick.offset, pick.pool, ownerMsb, ownerLsb, timeMs, terms);
            if (outHi != null)
            {
                outHi[i] = s.addressHiOf(pick.offsetHi);
            }
        }
        return AllocatorEngine.OK;
    }

    /**
     * Bulk load of one subnet's allocations, for snapshot restore and durable open: no strategy, no pool search,
     * the rules checked once per call where they can be (room, subnet) and per address only where they must be
     * (usable range, no duplicate). Addresses in ascending order load the bitmap a whole word at a time; any order
     * is accepted. Every allocation is reported to the listener as by an allocation. Unlike the hot-path calls this
     * one is not all or nothing: on a negative code the engine holds part of the input and must be discarded.
     *
     * @return {@link AllocatorEngine#OK} or a negative code: {@code SUBNET_NOT_FOUND}, the capacity's code,
     * {@code ADDRESS_INVALID} (outside the usable range), {@code ADDRESS_TAKEN} (twice, or already held).
     */
    int load(final int handle, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
        final long[] timeMs, final int count)
    {
        return load(handle, null, address, ownerMsb, ownerLsb, timeMs, null, count);
    }

    /**
     * A bulk load with the addresses' high words (null: the subnet's own) and router marks (null: none). A router's
     * allocation may hold the IPv6 subnet-router anycast address.
     */
    int load(final int handle, final long[] addressHi, final long[] address, final long[] ownerMsb,
        final long[] ownerLsb, final long[] timeMs, final boolean[] router, final int count)
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
            final long hi = addressHi == null ? s.hi : addressHi[i];
            if (!s.contains(hi, address[i]))
            {
                return ErrorCodes.ADDRESS_INVALID;
            }
            final long oh = s.offsetHiOf(hi);
            final long ol = s.offsetOf(address[i]);
            if (!s.usable(oh, ol) && !(router != null && router[i] && s.v6 && oh == 0 && ol == 0))
            {
                return ErrorCodes.ADDRESS_INVALID;
            }
        }
        if (s.wide || addressHi != null || router != null)
        {
            return loadOneByOne(s, addressHi, address, ownerMsb, ownerLsb, timeMs, router, count);
        }
        return commitLoaded(s, address, ownerMsb, ownerLsb, timeMs, count) ? AllocatorEngine.OK :
            ErrorCodes.ADDRESS_TAKEN;
    }

    /**
     * The load of a wide subnet, or of allocations with router marks: address by address through the set (no word
     * runs: a wide subnet's allocations are usually sparse).
     */
    private int loadOneByOne(final Subnet s, final long[] addressHi, final long[] address, final long[] ownerMsb,
        final long[] ownerLsb, final long[] timeMs, final boolean[] router, final int count)
    {
        if (s.wide)
        {
            s.wideSet.reserve(count);
            s.wideIndex.reserve(count);
        }
        for (int k = 0; k < count; k++)
        {
            final long hi = addressHi == null ? s.hi : addressHi[k];
            final long oh = s.offsetHiOf(hi);
            final long ol = s.offsetOf(address[k]);
            if (s.wide ? s.wideSet.contains(oh, ol) : s.allocated.contains(ol))
            {
                return ErrorCodes.ADDRESS_TAKEN;
            }
            commit(s, oh, ol, poolOf(s, oh, ol), ownerMsb[k], ownerLsb[k], timeMs[k],
                router != null && router[k] ? ROUTER : AllocationTerms.NONE);
        }
        return AllocatorEngine.OK;
    }

    /** The terms of a loaded router's allocation: the mark, no lease, no key (those are restored after). */
    private static final AllocationTerms ROUTER = new AllocationTerms().set(null, 0, true);

    // ---------------------------------------------------------------------------------------------------------
    // changing state: the only places
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Take an address for an owner.
     *
     * @param offsetHi the offset's high word (zero but in a wide subnet).
     * @param pool     the pool the offset lies in, or -1.
     * @param terms    its lease, key and router mark.
     * @return the address value.
     */
    long commit(final Subnet s, final long offsetHi, final long offset, final int pool, final long ownerMsb,
        final long ownerLsb, final long timeMs, final AllocationTerms terms)
    {
        if (s.wide)
        {
            return commitWide(s, offsetHi, offset, pool, ownerMsb, ownerLsb, timeMs, terms);
        }
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
        if (terms != AllocationTerms.NONE && terms.router())
        {
            records.markRouter(r);
        }
        listener.onAllocated(s.id, s.hi, address, ownerMsb, ownerLsb, timeMs,
            terms.router() ? StateListener.ROUTER : 0, terms.key() == null ? 0 : terms.key().serial);
        if (terms != AllocationTerms.NONE && !terms.isNone())
        {
            lifecycle.stamp(s, s.hi, address, r, terms);
        }
        return address;
    }

    /**
     * {@link #commit} in a wide subnet (IPv6 /1 to /63): its set, index and pools, the record's high word.
     */
    private long commitWide(final Subnet s, final long offsetHi, final long offset, final int pool,
        final long ownerMsb, final long ownerLsb, final long timeMs, final AllocationTerms terms)
    {
        if (!s.wideSet.add(offsetHi, offset))
        {
            throw new IllegalStateException("double allocation in subnet " + s.id);
        }
        if (pool >= 0)
        {
            s.widePools.taken(pool);
        }
        final int owner = owners.acquire(ownerMsb, ownerLsb);
        final long hi = s.addressHiOf(offsetHi);
        final int r = records.add(s.handle, offset, owner, timeMs);
        records.addressHi(r, hi);
        s.wideIndex.put(offsetHi, offset, r);
        changes++;
        if (terms.router())
        {
            records.markRouter(r);
        }
        listener.onAllocated(s.id, hi, offset, ownerMsb, ownerLsb, timeMs, terms.router() ? StateListener.ROUTER : 0,
            terms.key() == null ? 0 : terms.key().serial);
        if (terms != AllocationTerms.NONE && !terms.isNone())
        {
            lifecycle.stamp(s, hi, offset, r, terms);
        }
        return offset;
    }

    /**
     * The bulk twin of {@link #commit}: bitmap words are set whole for each run of addresses sharing a word;
     * records, pool counts and the listener then follow per address, the record index last. The set and the index
     * take their entries as arrays ({@link AddressSet#addWords}, {@link RecordIndex#putAll}), so that a hash table
     * can insert them region by region ({@link SlotOrder}). Runs on an engine being loaded (restore, open), never
     * inside a hot-path command.
     *
     * @return false when an address is taken twice (the engine then holds part of the input).
     */
    boolean commitLoaded(final Subnet s, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
        final long[] timeMs, final int count)
    {
        final AddressSet set = s.allocated;
        set.reserve(count);
        s.recordByOffset.reserve(count);
        final long[] words = new long[count];
        final long[] bits = new long[count];
        int runs = 0;
        int i = 0;
        while (i < count)
        {
            final long word = s.offsetOf(address[i]) >>> 6;
            long run = 0;
            int j = i;
            for (; j < count; j++)
            {
                final long offset = s.offsetOf(address[j]);
                if (offset >>> 6 != word)
                {
                    break;
                }
                final long bit = 1L << offset;
                if ((run & bit) != 0)
                {
                    return false;
                }
                run |= bit;
            }
            words[runs] = word;
            bits[runs++] = run;
            i = j;
        }
        if (!set.addWords(words, bits, runs))
        {
            return false;
        }
        // the words' arrays serve again for the index: offsets in one, records in an int array
        final long[] offsets = words;
        final int[] recordOf = new int[count];
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
            offsets[k] = offset;
            recordOf[k] = records.add(s.handle, address[k], owner, timeMs[k]);
            listener.onAllocated(s.id, s.hi, address[k], lastMsb, lastLsb, timeMs[k], 0, 0);
        }
        s.recordByOffset.putAll(offsets, recordOf, count);
        return true;
    }

    /**
     * Free an allocation: released by a request, expired, or gone with its subnet. With a cooldown the address
     * stays out of automatic choice until it has cooled.
     */
    void free(final Subnet s, final long offset, final int record, final boolean expired)
    {
        free(s, 0, offset, record, expired);
    }

    /**
     * {@link #free(Subnet, long, int, boolean)} with the offset's high word (zero but in a wide subnet).
     */
    void free(final Subnet s, final long offsetHi, final long offset, final int record, final boolean expired)
    {
        free(s, offsetHi, offset, record, expired, 0);
    }

    /**
     * {@link #free(Subnet, long, long, int, boolean)}, with {@link StateListener#RECLAIMED} in {@code flags} for a
     * reconcile's release.
     */
    void free(final Subnet s, final long offsetHi, final long offset, final int record, final boolean expired,
        final int flags)
    {
        final boolean cool = s.cooldownMs > 0;
        if (s.wide)
        {
            if (!cool)
            {
                if (!s.wideSet.remove(offsetHi, offset))
                {
                    throw new IllegalStateException("double free in subnet " + s.id);
                }
                final int pool = s.widePools.poolOf(offsetHi, offset);
                if (pool >= 0)
                {
                    s.widePools.freed(pool, offsetHi, offset);
                }
            }
            s.wideIndex.remove(offsetHi, offset);
        }
        else
        {
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
        }
        changes++;
        final long freedAt = lifecycle.onFree(s, record, expired);
        final int o = records.owner(record);
        final long ownerMsb = owners.msb(o);
        final long ownerLsb = owners.lsb(o);
        final long timeMs = records.time(record);
        final int f = records.router(record) ? flags | StateListener.ROUTER : flags;
        records.remove(record);
        final long address = s.addressOf(offset);
        final long hi = s.addressHiOf(offsetHi);
        if (expired)
        {
            s.expired++;
            listener.onExpired(s.id, hi, address, ownerMsb, ownerLsb, timeMs, f);
        }
        else
        {
            listener.onReleased(s.id, hi, address, ownerMsb, ownerLsb, timeMs, f);
        }
        if (cool)
        {
            lifecycle.cool(s, offsetHi, offset, freedAt);
            listener.onCooling(s.id, hi, address, freedAt);
        }
    }

    /**
     * Free a record's allocation, whichever subnet shape it lies in.
     */
    void freeRecord(final int r, final boolean expired)
    {
        final Subnet s = subnets.at(records.subnet(r));
        if (s.wide)
        {
            free(s, s.offsetHiOf(records.addressHi(r)), records.address(r), r, expired);
        }
        else
        {
            free(s, 0, s.offsetOf(records.address(r)), r, expired);
        }
    }

    /**
     * @return the high 64 bits of a record's address.
     */
    long addressHi(final Subnet s, final int r)
    {
        return s.wide ? records.addressHi(r) : s.hi;
    }

    /**
     * The record at an offset, after expiring it if its lease has run out: every answer sees expired
     * allocations as gone (SPEC 9).
     *
     * @return the record, or {@link Records#NONE}.
     */
    int liveRecord(final Subnet s, final long offset)
    {
        return liveRecord(s, 0, offset);
    }

    /**
     * {@link #liveRecord(Subnet, long)} with the offset's high word.
     */
    int liveRecord(final Subnet s, final long offsetHi, final long offset)
    {
        final int r = recordAt(s, offsetHi, offset);
        if (r != Records.NONE && lifecycle.isDue(r))
        {
            free(s, offsetHi, offset, r, true);
            return Records.NONE;
        }
        return r;
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
            freeRecord(r, true);
            n++;
        }
        return n;
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
