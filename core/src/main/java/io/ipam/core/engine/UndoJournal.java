package io.ipam.core.engine;

import java.util.Arrays;

import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;

/**
 * Sits between the engine and the store's listener and remembers the address changes of the current command, so
 * that a command that faults part way (an {@code Error}, a failing store, a broken random source) can be undone:
 * newest first, each address it took is released again and each address it released is allocated again to the
 * owner and time it had, in memory and, through the same listener chain, in the store. The journal is told first,
 * before the store, so a change whose store write failed is undone in memory too. Allocates nothing while a
 * command stays within its capacity (it grows for a bulk).
 * <p>
 * Known limit: administrative changes (a subnet created, pools updated, a prefix pool changed) are not journalled;
 * they validate everything before they change anything.
 */
public final class UndoJournal implements StateListener
{
    /** The terms a router's allocation is given back under: its mark (its lease and key are not given back). */
    private static final AllocationTerms ROUTER_TERMS = new AllocationTerms().set(null, 0, true);

    private final EngineResult scratch = new EngineResult();
    private boolean expiring;
    private final StateListener next;
    private String[] subnetIds = new String[16];
    private long[] addresses = new long[16];
    private long[] addressHi = new long[16];
    private int[] flags = new int[16];
    private long[] ownerMsb = new long[16];
    private long[] ownerLsb = new long[16];
    private long[] times = new long[16];
    private boolean[] released = new boolean[16];
    private boolean[] refused = new boolean[16];
    private int count;
    private boolean undoing;
    private boolean silent;

    /**
     * @param next the listener after this one (the durable store), never null.
     */
    public UndoJournal(final StateListener next)
    {
        this.next = next;
    }

    /**
     * Start a command.
     */
    public void begin()
    {
        count = 0;
    }

    /**
     * Release what the current command allocated.
     *
     * @param engine the engine.
     * @return addresses released.
     */
    public int undo(final AllocatorEngine engine)
    {
        undoing = true;
        try
        {
            int undone = 0;
            for (int i = count - 1; i >= 0; i--)
            {
                final int handle = engine.handle(subnetIds[i]);
                silent = refused[i]; // the store never took this change: it hears nothing of its undo
                if (handle != AllocatorEngine.NO_HANDLE && (released[i] ?
                    engine.allocateSpecific(handle, addressHi[i], addresses[i], ownerMsb[i], ownerLsb[i], times[i],
                        (flags[i] & ROUTER) != 0 ? ROUTER_TERMS : AllocationTerms.NONE, scratch) ==
                        AllocatorEngine.OK :
                    engine.release(handle, addressHi[i], addresses[i], false, 0, 0) == AllocatorEngine.RELEASED))
                {
                    undone++;
                }
                subnetIds[i] = null;
            }
            count = 0;
            return undone;
        }
        finally
        {
            undoing = false;
            silent = false;
        }
    }

    @Override
    public void onAllocated(final String subnetId, final long hi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int f, final long keySerial)
    {
        change(false, subnetId, hi, address, ownerMsb, ownerLsb, timeMs, f, keySerial);
    }

    @Override
    public void onReleased(final String subnetId, final long hi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int f)
    {
        change(true, subnetId, hi, address, ownerMsb, ownerLsb, timeMs, f, 0);
    }

    @Override
    public void onExpired(final String subnetId, final long hi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int f)
    {
        expiring = true;
        try
        {
            change(true, subnetId, hi, address, ownerMsb, ownerLsb, timeMs, f, 0);
        }
        finally
        {
            expiring = false;
        }
    }

    @Override
    public void onCooling(final String subnetId, final long hi, final long address, final long freedAt)
    {
        pass(() -> next.onCooling(subnetId, hi, address, freedAt));
    }

    @Override
    public void onCoolingEnded(final String subnetId, final long hi, final long address)
    {
        pass(() -> next.onCoolingEnded(subnetId, hi, address));
    }

    @Override
    public void onLease(final String subnetId, final long hi, final long address, final long expiresAt)
    {
        pass(() -> next.onLease(subnetId, hi, address, expiresAt));
    }

    @Override
    public void onKey(final RequestKeys.Key key)
    {
        pass(() -> next.onKey(key));
    }

    @Override
    public void onKeyLink(final String subnetId, final long hi, final long address, final RequestKeys.Key key)
    {
        pass(() -> next.onKeyLink(subnetId, hi, address, key));
    }

    @Override
    public void onKeyForgotten(final RequestKeys.Key key)
    {
        pass(() -> next.onKeyForgotten(key));
    }

    /**
     * Pass a lifecycle event on (only commands with lifecycle state make these: a lambda is fine here). While
     * undoing, the store's answer is ignored as for address changes; otherwise its refusal undoes the command.
     */
    private void pass(final Runnable event)
    {
        if (undoing)
        {
            if (!silent)
            {
                try
                {
                    event.run();
                }
                catch (final RuntimeException storeRefused)
                {
                    // see change()
                }
            }
            return;
        }
        try
        {
            event.run();
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }

    /**
     * Remember an address change and pass it on. While undoing, what the listeners after this one say is ignored
     * (memory is put back regardless: a store that refuses is failed until it is reopened), and a change the store
     * had refused is not passed on at all.
     */
    private void change(final boolean release, final String subnetId, final long hi, final long address,
        final long msb, final long lsb, final long timeMs, final int f, final long keySerial)
    {
        record(release, subnetId, hi, address, msb, lsb, timeMs, f);
        if (undoing)
        {
            if (!silent)
            {
                try
                {
                    tell(release, subnetId, hi, address, msb, lsb, timeMs, f, keySerial);
                }
                catch (final RuntimeException storeRefused)
                {
                    // see above
                }
            }
            return;
        }
        try
        {
            tell(release, subnetId, hi, address, msb, lsb, timeMs, f, keySerial);
        }
        catch (final RuntimeException | Error ex)
        {
            refused[count - 1] = true;
            throw wrap(ex);
        }
    }

    private void tell(final boolean release, final String subnetId, final long hi, final long address,
        final long msb, final long lsb, final long timeMs, final int f, final long keySerial)
    {
        if (release && expiring)
        {
            next.onExpired(subnetId, hi, address, msb, lsb, timeMs, f);
        }
        else if (release)
        {
            next.onReleased(subnetId, hi, address, msb, lsb, timeMs, f);
        }
        else
        {
            next.onAllocated(subnetId, hi, address, msb, lsb, timeMs, f, keySerial);
        }
    }

    /**
     * A store's {@code IpamException} must not be taken for a rule the command broke (which the adapter answers
     * as is): it travels as a {@link StoreRefusal}, so the writer undoes the command.
     */
    private static RuntimeException wrap(final Throwable t)
    {
        if (t instanceof IpamException)
        {
            return new StoreRefusal((IpamException)t);
        }
        if (t instanceof Error)
        {
            throw (Error)t;
        }
        return (RuntimeException)t;
    }

    private void record(final boolean release, final String subnetId, final long hi, final long address,
        final long msb, final long lsb, final long timeMs, final int f)
    {
        if (undoing)
        {
            return;
        }
        if (count == addresses.length)
        {
            final int n = count * 2;
            addresses = Arrays.copyOf(addresses, n);
            addressHi = Arrays.copyOf(addressHi, n);
            flags = Arrays.copyOf(flags, n);
            subnetIds = Arrays.copyOf(subnetIds, n);
            this.ownerMsb = Arrays.copyOf(this.ownerMsb, n);
            this.ownerLsb = Arrays.copyOf(this.ownerLsb, n);
            times = Arrays.copyOf(times, n);
            released = Arrays.copyOf(released, n);
            refused = Arrays.copyOf(refused, n);
        }
        subnetIds[count] = subnetId;
        addresses[count] = address;
        addressHi[count] = hi;
        flags[count] = f;
        this.ownerMsb[count] = msb;
        this.ownerLsb[count] = lsb;
        times[count] = timeMs;
        refused[count] = false;
        released[count++] = release;
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        try
        {
            next.onSubnet(subnet);
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        try
        {
            next.onSubnetDeleted(subnetId);
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }

    @Override
    public void onPrefixPool(final EngineImage.PrefixPoolImage pool)
    {
        try
        {
            next.onPrefixPool(pool);
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }

    @Override
    public void onPrefixAllocated(final String poolId, final Cidr child, final String tenant)
    {
        try
        {
            next.onPrefixAllocated(poolId, child, tenant);
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        try
        {
            next.onPrefixReleased(poolId, child);
        }
        catch (final IpamException ex)
        {
            throw new StoreRefusal(ex);
        }
    }
}
