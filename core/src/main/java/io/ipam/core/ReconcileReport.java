package io.ipam.core;

import java.util.List;

/**
 * What {@code reconcile} released, or with a dry run would release. An immutable value.
 */
public final class ReconcileReport
{
    private final List<Allocation> released;
    private final boolean dryRun;

    /**
     * @param released the allocations released (or that would be), ascending by subnet id then address.
     * @param dryRun   true if nothing was changed.
     */
    public ReconcileReport(final List<Allocation> released, final boolean dryRun)
    {
        this.released = List.copyOf(released);
        this.dryRun = dryRun;
    }

    /**
     * @return the allocations released (or that a dry run would release).
     */
    public List<Allocation> released()
    {
        return released;
    }

    /**
     * @return true if this was a dry run.
     */
    public boolean dryRun()
    {
        return dryRun;
    }

    @Override
    public String toString()
    {
        return (dryRun ? "would release " : "released ") + released.size() + ": " + released;
    }
}
