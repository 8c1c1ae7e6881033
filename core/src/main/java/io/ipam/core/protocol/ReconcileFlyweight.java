package io.ipam.core.protocol;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#RECONCILE}: scope (string or null), grace (long ms), dry run (bool), live owner
 * count (int), then each owner's high and low bits (long, long).
 */
public final class ReconcileFlyweight extends BodyFlyweight
{
    private String scope;
    private long graceMs;
    private boolean dryRun;
    private Set<UUID> liveOwners;

    /**
     * Begin the body; the owners follow, each with {@link #owner}.
     *
     * @param w       positioned at the body.
     * @param scope   a view's tenant, or null.
     * @param graceMs allocations younger than this are kept.
     * @param dryRun  report only.
     * @param owners  how many owners follow.
     * @return the wire.
     */
    public static Wire encode(final Wire w, final String scope, final long graceMs, final boolean dryRun,
        final int owners)
    {
        return w.putString(scope).putLong(graceMs).putBoolean(dryRun).putInt(owners);
    }

    /**
     * @param w     the wire.
     * @param owner a live owner.
     * @return the wire.
     */
    public static Wire owner(final Wire w, final UUID owner)
    {
        return w.putLong(owner.getMostSignificantBits()).putLong(owner.getLeastSignificantBits());
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ReconcileFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        graceMs = w.getLong();
        dryRun = w.getBoolean();
        final int n = w.getCount(16);
        liveOwners = new HashSet<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++)
        {
            liveOwners.add(new UUID(w.getLong(), w.getLong()));
        }
        return this;
    }

    /**
     * @return the scope, or null.
     */
    public String scope()
    {
        return scope;
    }

    /**
     * @return the grace in ms.
     */
    public long graceMs()
    {
        return graceMs;
    }

    /**
     * @return true to report only.
     */
    public boolean dryRun()
    {
        return dryRun;
    }

    /**
     * @return the live owners (a new set per command).
     */
    public Set<UUID> liveOwners()
    {
        return liveOwners;
    }
}
