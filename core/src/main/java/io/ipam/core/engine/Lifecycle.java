package io.ipam.core.engine;

import java.util.BitSet;
import java.util.function.Consumer;

/**
 * The lifecycle of allocations (SPEC 9): the engine's clock (the newest command time; nothing reads a wall
 * clock), leases and their expiry order, the cooldown of released addresses, and request keys with their
 * retention. It decides what is due; {@link Allocations} frees what expires. Public: the request keys, for the
 * writer's keyed requests, and the clock. Writer's thread only.
 */
public final class Lifecycle
{
    /** Cooled addresses returned to the pools before an automatic pick (more wait for the tick). */
    static final int DRAIN_PER_PICK = 64;

    private final SubnetRegistry subnets;
    private final Leases leases = new Leases();
    /** Handles of the subnets that may hold cooling addresses (cleared by the tick once one holds none). */
    private final BitSet coolingSubnets = new BitSet();
    private StateListener listener = StateListener.NONE;
    private final Consumer<RequestKeys.Key> forgetKey = k -> listener.onKeyForgotten(k);
    private RequestKeys keys = new RequestKeys(Long.MAX_VALUE, Long.MAX_VALUE);
    private long keyRetentionMs = 3_600_000L;
    private long now;
    private long changes;

    Lifecycle(final SubnetRegistry subnets)
    {
        this.subnets = subnets;
    }

    void listener(final StateListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return changes made here (cooled addresses returned, keys remembered and forgotten, leases renewed).
     */
    long changes()
    {
        return changes;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the clock
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Move the clock to a command's time, never back.
     */
    void advance(final long timeMs)
    {
        if (timeMs > now)
        {
            now = timeMs;
        }
    }

    /**
     * @return the engine's clock: the newest command time it was given.
     */
    public long now()
    {
        return now;
    }

    // ---------------------------------------------------------------------------------------------------------
    // leases
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param ties the order of leases that end at the same time ({@link TiedLeaseOrder}).
     */
    void leaseTies(final Leases.TieOrder ties)
    {
        leases.ties(ties);
    }

    boolean hasLeases()
    {
        return leases.size() > 0;
    }

    /**
     * @return the record whose lease ends first if it is due, else {@link Records#NONE}.
     */
    int firstDue()
    {
        final int r = leases.first();
        return r != Records.NONE && leases.expiresAt(r) <= now ? r : Records.NONE;
    }

    /**
     * @return true if the record holds a lease that has run out.
     */
    boolean isDue(final int r)
    {
        return leases.leased(r) && leases.expiresAt(r) <= now;
    }

    /**
     * @return the record's lease end, or 0 without a lease.
     */
    long expiresAt(final int r)
    {
        return leases.leased(r) ? leases.expiresAt(r) : 0;
    }

    /**
     * Give a record a lease or move it, counting the subnet's leased allocations.
     */
    void lease(final Subnet s, final int r, final long expiresAt)
    {
        if (!leases.leased(r))
        {
            s.leased++;
        }
        leases.set(r, expiresAt);
    }

    /**
     * Move an allocation's lease end to now + lease.
     *
     * @return the new lease end.
     */
    long renew(final Subnet s, final int r, final long addressHi, final long address, final long leaseMs)
    {
        final long expiresAt = saturatedAdd(now, leaseMs);
        lease(s, r, expiresAt);
        changes++;
        listener.onLease(s.id, addressHi, address, expiresAt);
        return expiresAt;
    }

    /**
     * A new allocation takes the terms it was made under: its lease and its request key.
     */
    void stamp(final Subnet s, final long addressHi, final long address, final int r, final AllocationTerms terms)
    {
        if (terms.leaseMs() > 0)
        {
            final long expiresAt = saturatedAdd(now, terms.leaseMs());
            lease(s, r, expiresAt);
            listener.onLease(s.id, addressHi, address, expiresAt);
        }
        final RequestKeys.Key key = terms.key();
        if (key != null)
        {
            keys.link(r, key);
            listener.onKeyLink(s.id, addressHi, address, key);
        }
    }

    /**
     * An allocation is being freed: its lease and key link go.
     *
     * @return when it counts as freed (for its cooldown): now, or the end of the lease that expired it.
     */
    long onFree(final Subnet s, final int r, final boolean expired)
    {
        long freedAt = now;
        if (leases.leased(r))
        {
            if (expired)
            {
                freedAt = leases.expiresAt(r); // an expired address was freed when its lease ended
            }
            leases.clear(r);
            s.leased--;
        }
        final RequestKeys.Key idle = keys.unlink(r, now);
        if (idle != null)
        {
            listener.onKey(idle); // its idle time, from which its retention counts
        }
        return freedAt;
    }

    /**
     * Visit every lease: (record, lease end).
     */
    void forEachLease(final Leases.LeaseVisitor visitor)
    {
        leases.forEach(visitor);
    }

    static long saturatedAdd(final long a, final long b)
    {
        final long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    // ---------------------------------------------------------------------------------------------------------
    // cooldown
    // ---------------------------------------------------------------------------------------------------------

    /**
     * A freed address starts cooling: its bit stays set and its pool count taken, so automatic choice passes it
     * by until it has cooled.
     */
    void cool(final Subnet s, final long offsetHi, final long offset, final long freedAt)
    {
        s.coolingQueue().add(offsetHi, offset, freedAt);
        coolingSubnets.set(s.handle);
    }

    /**
     * A specific request takes a cooling address (SPEC 9): it leaves cooling now.
     *
     * @return true if the offset was cooling.
     */
    boolean takeCooling(final Subnet s, final long offsetHi, final long offset)
    {
        if (s.cooling == null || s.cooling.size() == 0 ||
            !(s.wide ? s.wideSet.contains(offsetHi, offset) : s.allocated.contains(offset)))
        {
            return false;
        }
        s.cooling.remove(offsetHi, offset);
        uncool(s, offsetHi, offset);
        listener.onCoolingEnded(s.id, s.addressHiOf(offsetHi), s.addressOf(offset));
        return true;
    }

    /**
     * Cooling addresses whose cooldown has passed become free again, oldest first.
     *
     * @return how many did.
     */
    int drainCooling(final Subnet s, final int budget)
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
            final long offsetHi = q.headOffsetHi();
            q.pop();
            uncool(s, offsetHi, offset);
            listener.onCoolingEnded(s.id, s.addressHiOf(offsetHi), s.addressOf(offset));
            n++;
        }
        return n;
    }

    /**
     * An address leaves cooling: free it in the bitmap and pools.
     */
    private void uncool(final Subnet s, final long offsetHi, final long offset)
    {
        changes++;
        if (s.wide)
        {
            s.wideSet.remove(offsetHi, offset);
            final int pool = s.widePools.poolOf(offsetHi, offset);
            if (pool >= 0)
            {
                s.widePools.freed(pool, offsetHi, offset);
            }
            return;
        }
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
     * Return cooled addresses of the subnets that have some, at most {@code budget} in all.
     *
     * @return how many came back.
     */
    int drainAllCooling(final int budget)
    {
        int cooled = 0;
        // only the subnets with cooling addresses, however many subnets there are
        for (int h = coolingSubnets.nextSetBit(0); h >= 0 && cooled < budget; h = coolingSubnets.nextSetBit(h + 1))
        {
            final Subnet s = subnets.at(h);
            if (s != null && s.cooling != null)
            {
                cooled += drainCooling(s, budget - cooled);
            }
            if (s == null || s.cooling == null || s.cooling.size() == 0)
            {
                coolingSubnets.clear(h);
            }
        }
        return cooled;
    }

    // ---------------------------------------------------------------------------------------------------------
    // restore (the Restorer's primitives: each checks what it is given against the engine's state)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Restore the clock (a snapshot's or store's newest command time); it never goes back.
     */
    void restoreNow(final long timeMs)
    {
        advance(timeMs);
    }

    /**
     * @return the subnet of a handle if the address lies in it, else null.
     */
    private Subnet subnetOf(final int handle, final boolean withHi, final long addressHi, final long address)
    {
        final Subnet s = subnets.at(handle);
        return s != null && s.contains(withHi ? addressHi : s.hi, address) ? s : null;
    }

    /**
     * @return the live record at a restored allocation's address, or {@link Records#NONE}.
     */
    private int recordOf(final Subnet s, final boolean withHi, final long addressHi, final long address)
    {
        return s == null ? Records.NONE :
            Allocations.recordAt(s, s.offsetHiOf(withHi ? addressHi : s.hi), s.offsetOf(address));
    }

    /**
     * Put an address back into cooling: it must be free now; it becomes free when it has cooled.
     *
     * @return {@link AllocatorEngine#OK} or a negative code.
     */
    int restoreCooling(final int handle, final long address, final long freedAt)
    {
        return restoreCooling(handle, false, 0, address, freedAt);
    }

    /**
     * {@link #restoreCooling(int, long, long)} with the address's high word ({@code withHi}; else the subnet's).
     */
    int restoreCooling(final int handle, final boolean withHi, final long addressHi, final long address,
        final long freedAt)
    {
        final Subnet s = subnets.at(handle);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        final long hi = withHi ? addressHi : s.hi;
        return s.contains(hi, address) ? restoreCooling(s, hi, address, freedAt) : ErrorCodes.ADDRESS_INVALID;
    }

    /**
     * Give a restored allocation its lease.
     *
     * @return {@link AllocatorEngine#OK} or a negative code (no such allocation).
     */
    int restoreLease(final int handle, final long address, final long expiresAt)
    {
        return restoreLease(handle, false, 0, address, expiresAt);
    }

    /**
     * {@link #restoreLease(int, long, long)} with the address's high word ({@code withHi}; else the subnet's).
     */
    int restoreLease(final int handle, final boolean withHi, final long addressHi, final long address,
        final long expiresAt)
    {
        final Subnet s = subnetOf(handle, withHi, addressHi, address);
        final int r = recordOf(s, withHi, addressHi, address);
        if (r == Records.NONE)
        {
            return subnets.at(handle) == null ? ErrorCodes.SUBNET_NOT_FOUND : ErrorCodes.ADDRESS_INVALID;
        }
        lease(s, r, expiresAt);
        return AllocatorEngine.OK;
    }

    /**
     * Remember a restored key.
     */
    RequestKeys.Key restoreKey(final String tenant, final String key, final long fingerprint, final int code,
        final long value, final byte[] payload, final long goneAt, final long serial)
    {
        return keys.restore(tenant, key, fingerprint, code, value, payload, goneAt, serial);
    }

    /**
     * Link a restored allocation to the key it was made under.
     *
     * @return {@link AllocatorEngine#OK} or a negative code (no such allocation).
     */
    int restoreKeyLink(final RequestKeys.Key k, final int handle, final long address)
    {
        return restoreKeyLink(k, handle, false, 0, address);
    }

    /**
     * {@link #restoreKeyLink(RequestKeys.Key, int, long)} with the address's high word.
     */
    int restoreKeyLink(final RequestKeys.Key k, final int handle, final boolean withHi, final long addressHi,
        final long address)
    {
        final Subnet s = subnetOf(handle, withHi, addressHi, address);
        final int r = recordOf(s, withHi, addressHi, address);
        if (r == Records.NONE)
        {
            return subnets.at(handle) == null ? ErrorCodes.SUBNET_NOT_FOUND : ErrorCodes.ADDRESS_INVALID;
        }
        keys.link(r, k);
        return AllocatorEngine.OK;
    }

    /**
     * Keys restored and linked: queue the idle ones for retention.
     */
    void restoreKeysDone()
    {
        keys.restoreDone();
    }

    /**
     * Put an address back into cooling: it must be free now; it becomes free when it has cooled.
     *
     * @return {@link AllocatorEngine#OK} or a negative code.
     */
    int restoreCooling(final Subnet s, final long addressHi, final long address, final long freedAt)
    {
        final long offsetHi = s.offsetHiOf(addressHi);
        final long offset = s.offsetOf(address);
        if (!s.usable(offsetHi, offset))
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        if (!(s.wide ? s.wideSet.add(offsetHi, offset) : s.allocated.add(offset)))
        {
            return ErrorCodes.ADDRESS_TAKEN;
        }
        final int pool = Allocations.poolOf(s, offsetHi, offset);
        if (pool >= 0)
        {
            if (s.wide)
            {
                s.widePools.taken(pool);
            }
            else
            {
                s.poolTaken(pool);
            }
        }
        cool(s, offsetHi, offset, freedAt);
        return AllocatorEngine.OK;
    }

    // ---------------------------------------------------------------------------------------------------------
    // request keys
    // ---------------------------------------------------------------------------------------------------------

    /**
     * @param retentionMs how long a key is remembered after the last allocation it made is gone.
     * @param maxKeys     most keys remembered at once ({@code LIMIT_EXCEEDED} beyond).
     * @param maxBytes    most bytes the remembered keys hold ({@link RequestKeys#cost}; {@code LIMIT_EXCEEDED}
     *                    beyond).
     */
    public void keyPolicy(final long retentionMs, final long maxKeys, final long maxBytes)
    {
        this.keyRetentionMs = retentionMs;
        if (keys.size() == 0)
        {
            this.keys = new RequestKeys(maxKeys, maxBytes);
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
     * @param tenant the key's tenant, or null.
     * @param key    the key.
     * @return the key remembered for a tenant, or null (keys past their retention are forgotten first).
     */
    public RequestKeys.Key findKey(final String tenant, final String key)
    {
        changes += keys.expire(now, keyRetentionMs, Integer.MAX_VALUE, forgetKey);
        return keys.find(tenant, key);
    }

    /**
     * Start a keyed request.
     *
     * @param tenant      the key's tenant, or null.
     * @param key         the key.
     * @param fingerprint what makes the request this request.
     * @return the key, to pass in the request's {@link AllocationTerms}.
     */
    public RequestKeys.Key beginKey(final String tenant, final String key, final long fingerprint)
    {
        return keys.begin(tenant, key, fingerprint);
    }

    /**
     * The keyed request succeeded: remember its answer.
     *
     * @param k       the key.
     * @param code    the answer's code.
     * @param value   its value.
     * @param payload its payload, kept.
     */
    public void commitKey(final RequestKeys.Key k, final int code, final long value, final byte[] payload)
    {
        keys.commit(k, code, value, payload, now);
        changes++;
        listener.onKey(k);
    }

    /**
     * The keyed request failed: forget its key.
     *
     * @param k the key.
     */
    public void abortKey(final RequestKeys.Key k)
    {
        keys.abort(k);
    }

    /**
     * Forget keys past their retention, at most {@code budget}.
     *
     * @return how many were forgotten.
     */
    int forgetKeys(final int budget)
    {
        final int forgotten = keys.expire(now, keyRetentionMs, budget, forgetKey);
        changes += forgotten;
        return forgotten;
    }

    /**
     * @return true if there are leases, cooling addresses or keys, or a subnet with a cooldown: state a periodic
     * tick must look after.
     */
    public boolean hasState()
    {
        if (leases.size() > 0 || keys.size() > 0)
        {
            return true;
        }
        for (int h = 0; h < subnets.handleLimit(); h++)
        {
            final Subnet s = subnets.at(h);
            if (s != null && s.cooldownMs > 0)
            {
                return true;
            }
        }
        return false;
    }
}
