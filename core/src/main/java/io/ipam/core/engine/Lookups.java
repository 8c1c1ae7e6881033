package io.ipam.core.engine;

/**
 * Who holds what, and giving it back: releases (by address, checked or not, and by owner), owner lookups, lease
 * renewals, and the visits of an owner's or a subnet's allocations; every change goes through
 * {@link Allocations#free}. Answers see expired allocations as gone (SPEC 9). Writer's thread only; the hot path
 * allocates nothing.
 */
final class Lookups
{
    private final Allocations allocations;

    Lookups(final Allocations allocations)
    {
        this.allocations = allocations;
    }

    /**
     * Who holds an address as it is recorded now: nothing is expired first, nothing changes.
     *
     * @return {@link AllocatorEngine#FOUND} (owner, time and lease end in {@code out}) or
     * {@link AllocatorEngine#WAS_FREE} (also for an unknown handle or an address outside it).
     */
    int peek(final int handle, final boolean withHi, final long addressHi, final long address,
        final EngineResult out)
    {
        final Subnet s = allocations.subnet(handle);
        if (s == null)
        {
            return AllocatorEngine.WAS_FREE;
        }
        final long hi = withHi ? addressHi : s.hi;
        if (!s.contains(hi, address))
        {
            return AllocatorEngine.WAS_FREE;
        }
        final int r = Allocations.recordAt(s, s.offsetHiOf(hi), s.offsetOf(address));
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        describe(r, out);
        return AllocatorEngine.FOUND;
    }

    // ---------------------------------------------------------------------------------------------------------
    // releasing and looking up
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @return the code for an address that is no subnet's of this handle, or {@link AllocatorEngine#OK}.
     */
    private static int check(final Subnet s, final long addressHi, final long address)
    {
        return s == null ? ErrorCodes.SUBNET_NOT_FOUND : s.contains(addressHi, address) ? AllocatorEngine.OK :
            ErrorCodes.ADDRESS_INVALID;
    }

    /**
     * Release an address, whoever holds it when {@code checkOwner} is false, else only if the owner given does; the
     * address's high word is {@code addressHi} when {@code withHi}, else the subnet's own.
     *
     * @return {@link AllocatorEngine#RELEASED}, {@link AllocatorEngine#WAS_FREE} or a negative error code.
     */
    int release(final int handle, final boolean withHi, final long addressHi, final long address,
        final boolean checkOwner, final long ownerMsb, final long ownerLsb)
    {
        return release(allocations.subnet(handle), withHi, addressHi, address, checkOwner, ownerMsb, ownerLsb);
    }

    /**
     * {@link #release(int, boolean, long, long, boolean, long, long)} in a subnet the caller looked up (null: none
     * has the handle): the engine's hot path reads the subnet from the registry it holds, not through this room.
     */
    int release(final Subnet s, final boolean withHi, final long addressHi, final long address,
        final boolean checkOwner, final long ownerMsb, final long ownerLsb)
    {
        final long hi = s == null || withHi ? addressHi : s.hi;
        final int check = check(s, hi, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        final long offsetHi = s.offsetHiOf(hi);
        final long offset = s.offsetOf(address);
        final int r = allocations.liveRecord(s, offsetHi, offset);
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        if (checkOwner && !ownedBy(r, ownerMsb, ownerLsb))
        {
            return ErrorCodes.OWNER_MISMATCH;
        }
        allocations.free(s, offsetHi, offset, r, false);
        return AllocatorEngine.RELEASED;
    }

    /**
     * @return {@link AllocatorEngine#FOUND} (owner, time and lease end in {@code out}),
     * {@link AllocatorEngine#WAS_FREE} or a negative error code.
     */
    int ownerOf(final int handle, final boolean withHi, final long addressHi, final long address,
        final EngineResult out)
    {
        final Subnet s = allocations.subnet(handle);
        final long hi = s == null || withHi ? addressHi : s.hi;
        final int check = check(s, hi, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        final int r = allocations.liveRecord(s, s.offsetHiOf(hi), s.offsetOf(address));
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
    int renew(final int handle, final boolean withHi, final long addressHi, final long address,
        final long ownerMsb, final long ownerLsb, final long leaseMs, final EngineResult out)
    {
        final Subnet s = allocations.subnet(handle);
        final long hi = s == null || withHi ? addressHi : s.hi;
        final int check = check(s, hi, address);
        if (check != AllocatorEngine.OK)
        {
            return check;
        }
        if (leaseMs <= 0)
        {
            return ErrorCodes.MALFORMED;
        }
        final int r = allocations.liveRecord(s, s.offsetHiOf(hi), s.offsetOf(address));
        if (r == Records.NONE)
        {
            return AllocatorEngine.WAS_FREE;
        }
        if (!ownedBy(r, ownerMsb, ownerLsb))
        {
            return ErrorCodes.OWNER_MISMATCH;
        }
        out.expiresAt = allocations.lifecycle.renew(s, r, hi, address, leaseMs);
        return AllocatorEngine.RELEASED;
    }

    /**
     * @return true if the record's owner is the one given.
     */
    private boolean ownedBy(final int r, final long ownerMsb, final long ownerLsb)
    {
        final int o = allocations.records.owner(r);
        return allocations.owners.msb(o) == ownerMsb && allocations.owners.lsb(o) == ownerLsb;
    }

    /**
     * Write a record's owner, time and lease end into a result.
     */
    private void describe(final int r, final EngineResult out)
    {
        final int o = allocations.records.owner(r);
        out.ownerMsb = allocations.owners.msb(o);
        out.ownerLsb = allocations.owners.lsb(o);
        out.timeMs = allocations.records.time(r);
        out.expiresAt = allocations.lifecycle.expiresAt(r);
        out.router = allocations.records.router(r);
    }

    /**
     * Release what an owner holds in the subnets a scope sees.
     *
     * @param scope a view's tenant, or null for all.
     * @return how many addresses were released.
     */
    int releaseOwner(final long ownerMsb, final long ownerLsb, final String scope)
    {
        final int o = allocations.owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return 0;
        }
        int released = 0;
        int r = allocations.owners.head(o);
        final int total = allocations.owners.count(o);
        // the owner's id is recycled when its last record goes, so count down instead of re-reading it
        for (int i = 0; i < total; i++)
        {
            final int next = allocations.records.nextOfOwner(r);
            final Subnet s = allocations.subnet(allocations.records.subnet(r));
            if (SubnetRegistry.inScope(s, scope))
            {
                allocations.freeRecord(r, false);
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
        final int o = allocations.owners.find(ownerMsb, ownerLsb);
        if (o == OwnerTable.NONE)
        {
            return;
        }
        for (int r = allocations.owners.head(o); r != Records.NONE; r = allocations.records.nextOfOwner(r))
        {
            final Subnet s = allocations.subnet(allocations.records.subnet(r));
            if (SubnetRegistry.inScope(s, scope))
            {
                visitor.onAllocation(s.id, s.v6, allocations.addressHi(s, r), allocations.records.address(r), ownerMsb, ownerLsb,
                    allocations.records.time(r), allocations.lifecycle.expiresAt(r), allocations.records.router(r));
            }
        }
    }

    /**
     * Visit one subnet's allocations in ascending address order (cooling addresses are not allocations).
     */
    void forEachAllocation(final Subnet s, final AllocationVisitor visitor)
    {
        if (s.wide)
        {
            s.wideSet.forEach((oh, ol) ->
            {
                final int r = s.wideIndex.get(oh, ol);
                if (r != Records.NONE)
                {
                    visit(s, r, visitor);
                }
            });
            return;
        }
        s.allocated.forEach(offset ->
        {
            final int r = s.recordByOffset.get(offset);
            if (r != Records.NONE)
            {
                visit(s, r, visitor); // else cooling
            }
        });
    }

    private void visit(final Subnet s, final int r, final AllocationVisitor visitor)
    {
        final int o = allocations.records.owner(r);
        visitor.onAllocation(s.id, s.v6, allocations.addressHi(s, r), allocations.records.address(r), allocations.owners.msb(o), allocations.owners.lsb(o),
            allocations.records.time(r), allocations.lifecycle.expiresAt(r), allocations.records.router(r));
    }
}
