package io.ipam.core.writer;

import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.StateListener;

/**
 * Sits between the engine and the store's listener and remembers the addresses the current command allocated,
 * so that a command that faults part way (an {@code Error}, a failing store, a broken random source) can be
 * undone: each address it took is released again, newest first, in memory and, through the same listener
 * chain, in the store. The journal is told first, before the store, so an address whose store write failed is
 * undone in memory too. Allocates nothing while a command stays within its capacity (it grows for a bulk).
 * <p>
 * Known limit: addresses a faulting command released (release by owner, a forced delete) are not re-allocated;
 * single-address commands fault before they change anything, so the gap is confined to those two.
 */
final class UndoJournal implements StateListener
{
    private final StateListener next;
    private String[] subnetIds = new String[16];
    private long[] addresses = new long[16];
    private int count;
    private boolean undoing;

    /**
     * @param next the listener after this one (the durable store), never null.
     */
    UndoJournal(final StateListener next)
    {
        this.next = next;
    }

    /**
     * Start a command.
     */
    void begin()
    {
        count = 0;
    }

    /**
     * Release what the current command allocated.
     *
     * @param engine the engine.
     * @return addresses released.
     */
    int undo(final AllocatorEngine engine)
    {
        undoing = true;
        try
        {
            int undone = 0;
            for (int i = count - 1; i >= 0; i--)
            {
                final int handle = engine.handle(subnetIds[i]);
                if (handle != AllocatorEngine.NO_HANDLE &&
                    engine.release(handle, addresses[i]) == AllocatorEngine.RELEASED)
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
        }
    }

    @Override
    public void onAllocated(final String subnetId, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs)
    {
        if (!undoing)
        {
            if (count == addresses.length)
            {
                addresses = java.util.Arrays.copyOf(addresses, count * 2);
                subnetIds = java.util.Arrays.copyOf(subnetIds, count * 2);
            }
            subnetIds[count] = subnetId;
            addresses[count++] = address;
        }
        next.onAllocated(subnetId, address, ownerMsb, ownerLsb, timeMs);
    }

    @Override
    public void onReleased(final String subnetId, final long address)
    {
        next.onReleased(subnetId, address);
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        next.onSubnet(subnet);
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        next.onSubnetDeleted(subnetId);
    }

    @Override
    public void onPrefixPool(final EngineImage.PrefixPoolImage pool)
    {
        next.onPrefixPool(pool);
    }

    @Override
    public void onPrefixAllocated(final String poolId, final Cidr child, final String tenant)
    {
        next.onPrefixAllocated(poolId, child, tenant);
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        next.onPrefixReleased(poolId, child);
    }
}
