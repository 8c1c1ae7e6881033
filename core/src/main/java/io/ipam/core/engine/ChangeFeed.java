package io.ipam.core.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;

/**
 * The change feed (SPEC 9): sits in the listener chain after the undo journal and records every state change
 * with a gapless sequence, the command's time, its kind, tenant, subnet, address and owner, then passes the
 * change on (to the store). The newest {@code retention} changes are kept in a ring of pages of 4,096 changes
 * (under half a G1 region: never a humongous object), each made on first use and never copied (no growth pause):
 * per change six contiguous longs and two references, so recording one touches two places in memory. Once the
 * pages exist recording allocates nothing.
 * <p>
 * Writer's thread only. The writer tells the feed each command's time and how its releases count
 * ({@link #begin}), and takes back what a faulting command recorded ({@link #truncate}).
 */
public final class ChangeFeed implements StateListener
{
    private static final ChangeKind[] KINDS = ChangeKind.values();

    private final StateListener next;
    private final AllocatorEngine engine;
    private final int retention;

    /** Changes a page holds; pages are made on first use and never copied or grown. */
    private static final int PAGE_BITS = 12;
    private static final int PAGE = 1 << PAGE_BITS;
    private static final int MASK = PAGE - 1;

    /** Longs a change takes in a page: time, kind/family/length, address high, low, owner high, low. */
    private static final int LONGS = 6;

    /** Slots in the ring: the retention rounded up to whole pages. */
    private final long slots;
    /** Per page: {@link #LONGS} longs a change, contiguous (one or two cache lines a change). */
    private final long[][] data;
    /** Per page: tenant and subnet id of each change. */
    private final String[][] refs;
    private long first = 1;
    private long last;
    /** The slot of {@link #last} ({@code index(last)}, -1 before the first change): appending steps it, no division. */
    private int lastSlot = -1;
    private long committed;
    private ChangeSink sink;

    private long timeMs;
    private ChangeKind releaseKind = ChangeKind.RELEASED;
    private boolean creating;
    private String contextTenant;

    private String cachedId;
    private String cachedTenant;
    private boolean cachedV6;

    /**
     * @param engine    the engine (for the tenant and family of a subnet).
     * @param retention changes kept, 1 or more.
     * @param next      the listener after this one, never null.
     */
    public ChangeFeed(final AllocatorEngine engine, final int retention, final StateListener next)
    {
        this.engine = engine;
        this.retention = retention;
        this.next = next;
        final int pages = (int)((retention + PAGE - 1L) >>> PAGE_BITS);
        slots = (long)pages << PAGE_BITS;
        data = new long[pages][];
        refs = new String[pages][];
    }

    /**
     * Start a command: its time, and whether a subnet it reports is a new one. Its releases are recorded as
     * {@code RELEASED} unless {@link #releasesAs} says otherwise; a tenant context is cleared.
     *
     * @param commandTimeMs its time.
     * @param creates       true if a subnet it reports is a new one.
     */
    public void begin(final long commandTimeMs, final boolean creates)
    {
        this.timeMs = commandTimeMs;
        this.releaseKind = ChangeKind.RELEASED;
        this.creating = creates;
        this.contextTenant = null;
    }

    /**
     * @param releases how the command's releases are recorded: {@code RELEASED} or {@code RECLAIMED}.
     */
    public void releasesAs(final ChangeKind releases)
    {
        this.releaseKind = releases;
    }

    /**
     * @param tenant the tenant of a subnet the command deletes or a child it releases (gone from the engine by the
     *               time the change is reported), or null.
     */
    public void tenantContext(final String tenant)
    {
        this.contextTenant = tenant;
    }

    /**
     * @return the sequence of the newest change, 0 before the first.
     */
    public long lastSequence()
    {
        return last;
    }

    /**
     * @return the sequence of the oldest change kept (one above {@link #lastSequence()} when none is kept).
     */
    public long firstSequence()
    {
        return first;
    }

    /**
     * Restart the sequence after a restore (the feed then continues the snapshot's or store's sequence).
     *
     * @param lastSequence the newest sequence that was recorded before.
     */
    public void resume(final long lastSequence)
    {
        first = lastSequence + 1;
        last = lastSequence;
        lastSlot = index(lastSequence);
        committed = lastSequence;
    }

    /**
     * @param sink receives each change of a command that stands, or null.
     */
    public void sink(final ChangeSink sink)
    {
        this.sink = sink;
    }

    /**
     * Put back a change read from a journal (opening a store), in sequence; it is not handed to the sink again.
     *
     * @param sequence  its sequence: one above the last (or any, for the first one put back).
     * @param timeMs    time.
     * @param kind      kind ordinal.
     * @param tenant    tenant or null.
     * @param subnetId  subnet or pool id or null.
     * @param family    0, 4 or 6.
     * @param hi        address high bits.
     * @param lo        address low bits.
     * @param prefixLen prefix length or -1.
     * @param ownerMsb  owner high bits.
     * @param ownerLsb  owner low bits.
     */
    public void restore(final long sequence, final long timeMs, final int kind, final String tenant,
        final String subnetId, final int family, final long hi, final long lo, final int prefixLen,
        final long ownerMsb, final long ownerLsb)
    {
        if (last == 0 && first == 1)
        {
            resume(sequence - 1);
        }
        if (sequence != last + 1 || kind < 0 || kind >= KINDS.length)
        {
            throw new IllegalArgumentException("change " + sequence + " does not follow " + last);
        }
        final long now = this.timeMs;
        this.timeMs = timeMs;
        final int i = append(KINDS[kind], tenant, subnetId);
        this.timeMs = now;
        fill(i, kind, family, prefixLen, hi, lo, ownerMsb, ownerLsb);
        committed = last;
    }

    /**
     * The current command stands: hand its changes to the sink.
     */
    public void commit()
    {
        final ChangeSink s = sink;
        if (s != null)
        {
            for (long seq = Math.max(committed + 1, first); seq <= last; seq++)
            {
                final int i = index(seq);
                final long[] d = data[i >>> PAGE_BITS];
                final int o = (i & MASK) * LONGS;
                final long meta = d[o + 1];
                s.onChange(seq, d[o], kindOf(meta), refs[i >>> PAGE_BITS][(i & MASK) * 2],
                    refs[i >>> PAGE_BITS][(i & MASK) * 2 + 1], familyOf(meta), d[o + 2], d[o + 3], lengthOf(meta),
                    d[o + 4], d[o + 5]);
            }
        }
        committed = last;
    }

    /**
     * Drop every change after a sequence (the changes of a command that was undone).
     *
     * @param sequence the last sequence to keep.
     */
    public void truncate(final long sequence)
    {
        if (sequence < last)
        {
            last = Math.max(sequence, first - 1);
            lastSlot = index(last);
        }
        committed = Math.min(committed, last);
    }

    /**
     * The newest change of a tenant at or before the end of the feed.
     *
     * @param scope a tenant, or null for any.
     * @return its sequence, or 0 if none is kept.
     */
    public long lastSequence(final String scope)
    {
        if (scope == null)
        {
            return last;
        }
        for (long s = last; s >= first; s--)
        {
            final int i = index(s);
            if (scope.equals(refs[i >>> PAGE_BITS][(i & MASK) * 2]))
            {
                return s;
            }
        }
        return 0;
    }

    /**
     * @param after  the sequence after which to start.
     * @param max    most changes to return.
     * @param scope  a tenant whose changes alone to return, or null for all.
     * @return the changes, ascending.
     */
    public List<Change> changes(final long after, final int max, final String scope)
    {
        final List<Change> out = new ArrayList<>(Math.min(max, 1024));
        for (long s = Math.max(after + 1, first); s <= last && out.size() < max; s++)
        {
            final int i = index(s);
            if (scope == null || scope.equals(refs[i >>> PAGE_BITS][(i & MASK) * 2]))
            {
                out.add(change(s, i));
            }
        }
        return out;
    }

    private Change change(final long sequence, final int i)
    {
        final long[] d = data[i >>> PAGE_BITS];
        final int o = (i & MASK) * LONGS;
        final long meta = d[o + 1];
        final int family = familyOf(meta);
        final String address;
        if (family == 0)
        {
            address = null;
        }
        else
        {
            final String text = family == 6 ? AddressText.formatV6(d[o + 2], d[o + 3]) : AddressText.formatV4(d[o + 3]);
            address = lengthOf(meta) < 0 ? text : text + "/" + lengthOf(meta);
        }
        final UUID owner = d[o + 4] == 0 && d[o + 5] == 0 ? null : new UUID(d[o + 4], d[o + 5]);
        return new Change(sequence, Instant.ofEpochMilli(d[o]), KINDS[kindOf(meta)],
            refs[i >>> PAGE_BITS][(i & MASK) * 2], refs[i >>> PAGE_BITS][(i & MASK) * 2 + 1], address, owner);
    }

    private static int kindOf(final long meta)
    {
        return (int)(meta & 0xFF);
    }

    private static int familyOf(final long meta)
    {
        return (int)((meta >>> 8) & 0xFF);
    }

    private static int lengthOf(final long meta)
    {
        return (int)((meta >>> 16) & 0xFF) - 1;
    }

    /**
     * Write the fields of a change appended at slot i (its time and references are written by append).
     */
    private void fill(final int i, final int kind, final int family, final int prefixLen, final long hi,
        final long lo, final long msb, final long lsb)
    {
        final long[] d = data[i >>> PAGE_BITS];
        final int o = (i & MASK) * LONGS;
        d[o + 1] = kind | (long)family << 8 | (long)(prefixLen + 1) << 16;
        d[o + 2] = hi;
        d[o + 3] = lo;
        d[o + 4] = msb;
        d[o + 5] = lsb;
    }

    private int index(final long sequence)
    {
        return (int)((sequence - 1) % slots);
    }

    private int append(final ChangeKind kind, final String tenant, final String subnetId)
    {
        final long s = last + 1;
        if (s - first + 1 > retention)
        {
            first++; // the oldest change gives way
        }
        last = s;
        final int i = lastSlot + 1 == slots ? 0 : lastSlot + 1; // index(s) without a 64-bit division
        lastSlot = i;
        final int p = i >>> PAGE_BITS;
        if (data[p] == null)
        {
            data[p] = new long[PAGE * LONGS];
            refs[p] = new String[PAGE * 2];
        }
        data[p][(i & MASK) * LONGS] = timeMs;
        data[p][(i & MASK) * LONGS + 1] = kind.ordinal(); // no family, address or owner until filled
        refs[p][(i & MASK) * 2] = tenant;
        refs[p][(i & MASK) * 2 + 1] = subnetId;
        data[p][(i & MASK) * LONGS + 4] = 0;
        data[p][(i & MASK) * LONGS + 5] = 0;
        return i;
    }

    private void subnet(final String subnetId)
    {
        if (subnetId != cachedId)
        {
            final Cidr cidr = engine.cidr(subnetId);
            cachedId = subnetId;
            cachedTenant = engine.tenantOf(subnetId);
            cachedV6 = cidr.isV6();
        }
    }

    private void address(final ChangeKind kind, final String subnetId, final long addressHi, final long address,
        final long msb, final long lsb)
    {
        subnet(subnetId);
        final int i = append(kind, cachedTenant, subnetId);
        fill(i, kind.ordinal(), cachedV6 ? 6 : 4, -1, cachedV6 ? addressHi : 0, address, msb, lsb);
    }

    @Override
    public void onAllocated(final String subnetId, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long time, final int flags, final long keySerial)
    {
        address(ChangeKind.ALLOCATED, subnetId, addressHi, address, ownerMsb, ownerLsb);
        next.onAllocated(subnetId, addressHi, address, ownerMsb, ownerLsb, time, flags, keySerial);
    }

    @Override
    public void onReleased(final String subnetId, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long time, final int flags)
    {
        address((flags & RECLAIMED) != 0 ? ChangeKind.RECLAIMED : releaseKind, subnetId, addressHi, address, ownerMsb,
            ownerLsb);
        next.onReleased(subnetId, addressHi, address, ownerMsb, ownerLsb, time, flags);
    }

    @Override
    public void onExpired(final String subnetId, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long time, final int flags)
    {
        address(ChangeKind.EXPIRED, subnetId, addressHi, address, ownerMsb, ownerLsb);
        next.onExpired(subnetId, addressHi, address, ownerMsb, ownerLsb, time, flags);
    }

    @Override
    public void onCooling(final String subnetId, final long addressHi, final long address, final long freedAt)
    {
        next.onCooling(subnetId, addressHi, address, freedAt);
    }

    @Override
    public void onCoolingEnded(final String subnetId, final long addressHi, final long address)
    {
        next.onCoolingEnded(subnetId, addressHi, address);
    }

    @Override
    public void onLease(final String subnetId, final long addressHi, final long address, final long expiresAt)
    {
        next.onLease(subnetId, addressHi, address, expiresAt);
    }

    @Override
    public void onKey(final RequestKeys.Key key)
    {
        next.onKey(key);
    }

    @Override
    public void onKeyLink(final String subnetId, final long addressHi, final long address, final RequestKeys.Key key)
    {
        next.onKeyLink(subnetId, addressHi, address, key);
    }

    @Override
    public void onKeyForgotten(final RequestKeys.Key key)
    {
        next.onKeyForgotten(key);
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        append(creating ? ChangeKind.SUBNET_CREATED : ChangeKind.SUBNET_UPDATED, subnet.tenant, subnet.id);
        next.onSubnet(subnet);
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        append(ChangeKind.SUBNET_DELETED, contextTenant, subnetId);
        if (subnetId.equals(cachedId))
        {
            cachedId = null;
        }
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
        prefix(ChangeKind.PREFIX_ALLOCATED, poolId, child, tenant);
        next.onPrefixAllocated(poolId, child, tenant);
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        prefix(ChangeKind.PREFIX_RELEASED, poolId, child, contextTenant);
        next.onPrefixReleased(poolId, child);
    }

    private void prefix(final ChangeKind kind, final String poolId, final Cidr child, final String tenant)
    {
        final int i = append(kind, tenant, poolId);
        fill(i, kind.ordinal(), child.isV6() ? 6 : 4, child.prefixLength(), child.address().hi(),
            child.address().lo(), 0, 0);
    }
}
