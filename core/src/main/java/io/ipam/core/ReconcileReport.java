package io.ipam.core;

import java.util.List;

/**
 * What {@code reconcile} released, or with a dry run would release; for {@code reconcileSubnet} also what it
 * allocated to its expected owner and what it gave from another owner to the expected one. An immutable value.
 */
public final class ReconcileReport
{
    private final List<Allocation> released;
    private final List<Allocation> allocated;
    private final List<Allocation> reowned;
    private final boolean dryRun;

    /**
     * @param released the allocations released (or that would be), ascending by subnet id then address.
     * @param dryRun   true if nothing was changed.
     */
    public ReconcileReport(final List<Allocation> released, final boolean dryRun)
    {
        this(released, List.of(), List.of(), dryRun);
    }

    /**
     * @param released  the allocations released (or that would be), ascending by subnet id then address.
     * @param allocated the expected addresses that were free and were allocated to their expected owner (or would
     *                  be), ascending by address.
     * @param reowned   the expected addresses held by another owner and given to the expected one (or that would
     *                  be), as they are afterwards, ascending by address.
     * @param dryRun    true if nothing was changed.
     */
    public ReconcileReport(final List<Allocation> released, final List<Allocation> allocated,
        final List<Allocation> reowned, final boolean dryRun)
    {
        this.released = List.copyOf(released);
        this.allocated = List.copyOf(allocated);
        this.reowned = List.copyOf(reowned);
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
     * @return the expected addresses allocated to their owner (or that a dry run would allocate); always empty for
     * {@code reconcile}.
     */
    public List<Allocation> allocated()
    {
        return allocated;
    }

    /**
     * @return the expected addresses taken from another owner and given to the expected one, with the expected
     * owner (or that a dry run would give); always empty for {@code reconcile}.
     */
    public List<Allocation> reowned()
    {
        return reowned;
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
        return (dryRun ? "would release " : "released ") + released.size() + ": " + released +
            (allocated.isEmpty() ? "" : (dryRun ? "; would allocate " : "; allocated ") + allocated.size() + ": " +
            allocated) +
            (reowned.isEmpty() ? "" : (dryRun ? "; would re-own " : "; re-owned ") + reowned.size() + ": " + reowned);
    }
}
