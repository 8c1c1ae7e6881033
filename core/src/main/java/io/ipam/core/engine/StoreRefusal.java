package io.ipam.core.engine;

import io.ipam.core.IpamException;

/**
 * A store's refusal of a change, carried from the listener chain to the writer through the engine and the
 * adapter, past the adapter's handling of rule violations: the writer undoes the command and answers with the
 * store's code. Stackless: it only carries the refusal.
 */
public final class StoreRefusal extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final IpamException refusal;

    StoreRefusal(final IpamException refusal)
    {
        super(refusal.getMessage(), refusal, false, false);
        this.refusal = refusal;
    }

    /**
     * @return the store's refusal.
     */
    public IpamException refusal()
    {
        return refusal;
    }
}
