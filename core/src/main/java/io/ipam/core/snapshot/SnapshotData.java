package io.ipam.core.snapshot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.engine.Restorer;

/**
 * All state of an allocator in a neutral, ordered form: what a snapshot file holds. Subnets ascending by id,
 * each subnet's allocations ascending by address; prefix pools ascending by id. Immutable once built.
 */
public final class SnapshotData
{
    /** Newest format version, the one written: allocations as chunks or offsets and columns (issue 26). */
    public static final int FORMAT_VERSION = 5;
    /** Version 5, by name. */
    public static final int FORMAT_VERSION_5 = 5;
    /** Version 4: wide subnets and the ROUTERS section; the legacy writing's choice when the state needs them. */
    public static final int FORMAT_VERSION_4 = 4;
    /** Version 3: no wide subnets, no ROUTERS section; the legacy writing's choice for any other state. */
    public static final int FORMAT_VERSION_3 = 3;
    /** Version 2: a RANDOM section, no LIFECYCLE section (still read). */
    public static final int FORMAT_VERSION_2 = 2;
    /** The first version, still read: no RANDOM section. */
    public static final int FORMAT_VERSION_1 = 1;

    public final int formatVersion;
    public final long takenAtMs;
    public final List<Subnet> subnets;
    public final List<PrefixPoolImage> prefixPools;
    /** The random source's state (secret): one entry, or none when it could not be captured (a seeded source). */
    public final List<byte[]> randomStates;
    /** Lifecycle state (version 3; empty for older files): keys, leases, cooldown, the change sequence. */
    public final LifecycleImage lifecycle;

    /**
     * One subnet and its allocations, in ascending address order.
     */
    public static final class Subnet implements SnapshotWriter.SectionSubnet
    {
        public final SubnetImage meta;
        public final long[] address;
        public final long[] ownerMsb;
        public final long[] ownerLsb;
        public final long[] timeMs;
        /** The addresses' high 64 bits in a wide subnet (IPv6 /1 to /63), else null (they are the subnet's). */
        public final long[] addressHi;
        /** Router marks (SPEC 2), or null when none is marked. */
        public final boolean[] router;

        /**
         * @param meta     settings.
         * @param address  address values ascending.
         * @param ownerMsb owner high bits per address.
         * @param ownerLsb owner low bits per address.
         * @param timeMs   allocation time per address.
         */
        public Subnet(final SubnetImage meta, final long[] address, final long[] ownerMsb, final long[] ownerLsb,
            final long[] timeMs)
        {
            this(meta, null, address, ownerMsb, ownerLsb, timeMs, null);
        }

        /**
         * @param meta      settings.
         * @param addressHi the addresses' high bits (a wide subnet's), or null.
         * @param address   address values, ascending (128-bit with their high bits).
         * @param ownerMsb  owner high bits per address.
         * @param ownerLsb  owner low bits per address.
         * @param timeMs    allocation time per address.
         * @param router    router marks, or null.
         */
        public Subnet(final SubnetImage meta, final long[] addressHi, final long[] address, final long[] ownerMsb,
            final long[] ownerLsb, final long[] timeMs, final boolean[] router)
        {
            this.addressHi = addressHi;
            this.router = router;
            this.meta = meta;
            this.address = address;
            this.ownerMsb = ownerMsb;
            this.ownerLsb = ownerLsb;
            this.timeMs = timeMs;
        }

        /**
         * @return the subnet's settings (the {@link #meta} field).
         */
        @Override
        public SubnetImage meta()
        {
            return meta;
        }

        /**
         * @param i an allocation's index.
         * @return its address value, the low 64 bits.
         */
        @Override
        public long lo(final int i)
        {
            return address[i];
        }

        /**
         * @return the number of allocations.
         */
        @Override
        public int size()
        {
            return address.length;
        }

        /**
         * @param value address value.
         * @return its offset from the network address.
         */
        public long offset(final long value)
        {
            return value - meta.cidr.address().lo();
        }

        /**
         * @param i an allocation's index.
         * @return its address's high 64 bits.
         */
        @Override
        public long hi(final int i)
        {
            return addressHi != null ? addressHi[i] : meta.cidr.address().hi();
        }

        /**
         * @param i an allocation's index.
         * @return true if a router's request made it.
         */
        @Override
        public boolean router(final int i)
        {
            return router != null && router[i];
        }
    }

    /**
     * @param formatVersion version read or written.
     * @param takenAtMs     capture time.
     * @param subnets       subnets ascending by id.
     * @param prefixPools   prefix pools ascending by id.
     */
    public SnapshotData(final int formatVersion, final long takenAtMs, final List<Subnet> subnets,
        final List<PrefixPoolImage> prefixPools)
    {
        this(formatVersion, takenAtMs, subnets, prefixPools, List.of());
    }

    /**
     * @param formatVersion version read or written.
     * @param takenAtMs     capture time.
     * @param subnets       subnets ascending by id.
     * @param prefixPools   prefix pools ascending by id.
     * @param randomStates  the random source's state, one entry or none.
     */
    public SnapshotData(final int formatVersion, final long takenAtMs, final List<Subnet> subnets,
        final List<PrefixPoolImage> prefixPools, final List<byte[]> randomStates)
    {
        this.formatVersion = formatVersion;
        this.takenAtMs = takenAtMs;
        this.subnets = Collections.unmodifiableList(subnets);
        this.prefixPools = Collections.unmodifiableList(prefixPools);
        this.randomStates = List.copyOf(randomStates);
        this.lifecycle = new LifecycleImage();
    }

    private SnapshotData(final SnapshotData d, final LifecycleImage lifecycle)
    {
        this.formatVersion = d.formatVersion;
        this.takenAtMs = d.takenAtMs;
        this.subnets = d.subnets;
        this.prefixPools = d.prefixPools;
        this.randomStates = d.randomStates;
        this.lifecycle = lifecycle == null ? new LifecycleImage() : lifecycle;
    }

    /**
     * @param l lifecycle state, or null for none.
     * @return this data with that lifecycle state.
     */
    public SnapshotData withLifecycle(final LifecycleImage l)
    {
        return new SnapshotData(this, l);
    }

    /**
     * @return total allocations.
     */
    public long allocationCount()
    {
        long n = 0;
        for (final Subnet s : subnets)
        {
            n += s.size();
        }
        return n;
    }

    /**
     * Order a raw image: group records by subnet and sort each group by address. Runs off the writer thread.
     *
     * @param image     the image.
     * @param takenAtMs capture time.
     * @return the data.
     */
    public static SnapshotData of(final EngineImage image, final long takenAtMs)
    {
        final int[][] byHandle = SubnetColumns.byHandle(image);
        final List<Subnet> subnets = new ArrayList<>(image.subnets.size());
        for (final SubnetImage s : image.subnets)
        {
            // the subnet's records in address order, as version 5 orders them; then owners as UUID halves
            final SubnetColumns c = SubnetColumns.sorted(image, s, byHandle[s.handle]);
            final int k = c.size();
            final long[] address = new long[k];
            final long[] hi = c.wide ? new long[k] : null;
            final long[] msb = new long[k];
            final long[] lsb = new long[k];
            for (int i = 0; i < k; i++)
            {
                address[i] = c.lo(i);
                if (hi != null)
                {
                    hi[i] = c.hi(i);
                }
                msb[i] = image.ownerMsb[c.owner[i]];
                lsb[i] = image.ownerLsb[c.owner[i]];
            }
            subnets.add(new Subnet(s, hi, address, msb, lsb, c.time, c.router));
        }
        return new SnapshotData(FORMAT_VERSION, takenAtMs, subnets, image.prefixPools,
            image.randomState == null ? List.of() : List.of(image.randomState));
    }

    /**
     * The same state in the legacy format, for a reader of an older release: the lowest of versions 3 and 4 that
     * holds it (4 with a wide subnet or a router allocation), written byte for byte as before version 5.
     *
     * @return this data with that format version.
     */
    public SnapshotData inLegacyFormat()
    {
        boolean needs4 = false;
        for (final Subnet s : subnets)
        {
            needs4 |= SettingsCodec.isWide(s.meta.cidr) || s.router != null;
        }
        return withVersion(needs4 ? FORMAT_VERSION_4 : FORMAT_VERSION_3);
    }

    /**
     * @param version a format version from 1 to 5 (a version that cannot hold the state fails when written).
     * @return this data to be written in that version.
     */
    public SnapshotData withVersion(final int version)
    {
        if (version < FORMAT_VERSION_1 || version > FORMAT_VERSION)
        {
            throw new IllegalArgumentException("snapshot format version " + version);
        }
        return new SnapshotData(version, takenAtMs, subnets, prefixPools, randomStates).withLifecycle(lifecycle);
    }

    /**
     * @return a wide subnet's records in ascending 128-bit address order (a merge sort on the pairs of words).
     */
    static int[] sortWide(final int[] recs, final long[] hi, final long[] lo)
    {
        int[] a = recs.clone();
        int[] b = new int[a.length];
        for (int width = 1; width < a.length; width *= 2)
        {
            for (int from = 0; from < a.length; from += 2 * width)
            {
                final int mid = Math.min(from + width, a.length);
                final int to = Math.min(from + 2 * width, a.length);
                int i = from;
                int j = mid;
                int k = from;
                while (i < mid && j < to)
                {
                    final int x = a[i];
                    final int y = a[j];
                    final int c = hi[x] == hi[y] ? Long.compareUnsigned(lo[x], lo[y]) : Long.compareUnsigned(hi[x], hi[y]);
                    b[k++] = c <= 0 ? a[i++] : a[j++];
                }
                while (i < mid)
                {
                    b[k++] = a[i++];
                }
                while (j < to)
                {
                    b[k++] = a[j++];
                }
            }
            final int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }

    static boolean isSmall(final Cidr cidr)
    {
        return !cidr.isV6() || cidr.prefixLength() >= 96;
    }

    /**
     * Rebuild this state into an empty engine through the {@link Restorer}: subnets and pools through the usual
     * rules, each subnet's allocations in one bulk load (usable range and duplicates checked), then the lifecycle
     * state. The engine continues the first random state when there is one; otherwise it keeps the fresh source it
     * was built with.
     *
     * @param engine an engine with no state.
     * @throws IpamException {@code STORE_CORRUPT} naming what is inconsistent.
     */
    public void restoreInto(final AllocatorEngine engine)
    {
        restoreInto(engine, null);
    }

    /**
     * {@link #restoreInto(AllocatorEngine)} with every subnet created at a given handle, in ascending handle order:
     * commands name subnets by handle, so a replica rebuilt from another's snapshot must number them as that one did
     * (the handles travel beside the snapshot; ipam-cluster keeps them in its own snapshot).
     *
     * @param engine   an engine with no state.
     * @param handleOf each subnet id's handle, or null to number them in snapshot order.
     * @throws IpamException {@code STORE_CORRUPT} naming what is inconsistent.
     */
    public void restoreInto(final AllocatorEngine engine, final ToIntFunction<String> handleOf)
    {
        final Restorer restorer = new Restorer(engine, SnapshotData::corrupt);
        if (!randomStates.isEmpty())
        {
            // the generator is engine state: continue the captured stream exactly (checked when read)
            restorer.random(randomStates.get(0));
        }
        restorer.lifecycle(lifecycle);
        restorer.clock(takenAtMs); // the engine's clock never goes back behind its snapshot
        List<Subnet> order = subnets;
        if (handleOf != null)
        {
            order = new ArrayList<>(subnets);
            order.sort(Comparator.comparingInt(s -> handleOf.applyAsInt(s.meta.id)));
        }
        for (final Subnet s : order)
        {
            final int handle = handleOf == null ? restorer.subnet(s.meta) :
                restorer.subnet(s.meta, handleOf.applyAsInt(s.meta.id));
            restorer.allocations(handle, s.addressHi, s.address, s.ownerMsb, s.ownerLsb, s.timeMs, s.router,
                s.size());
        }
        for (final PrefixPoolImage p : prefixPools)
        {
            restorer.pool(p);
        }
        restorer.finish();
    }

    static IpamException corrupt(final String message)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, message);
    }
}
