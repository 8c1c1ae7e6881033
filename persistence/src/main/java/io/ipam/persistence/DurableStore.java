package io.ipam.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.RequestKeys;
import io.ipam.core.engine.StateListener;
import io.ipam.core.snapshot.SettingsCodec;
import io.ipam.core.writer.Store;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocator's state in Chronicle Map files in one directory, written through on the writer's thread: every
 * change is in the memory-mapped map before its caller is answered, so a killed process loses nothing that was
 * acknowledged. See {@code docs/durable-store.md} for the layout.
 * <p>
 * This class loads a store's engine, writes each change the engine reports and closes the store; opening the
 * directory (lock, descriptor, maps, recovery) is {@link StoreOpener}'s, the directory's files {@link StoreFiles}',
 * the records' bytes {@link StoreRecordCodec}'s, rebuilding an engine from the maps {@link StoreLoader}'s, the
 * checkpoint a clean close leaves {@link StoreCheckpoint}'s, and when changes reach the device {@link StoreSync}'s.
 * <p>
 * Files: {@code ipam.store} (a small descriptor written last when a store is created: a directory without it is
 * an unfinished store and is refused), {@code meta.cm} (subnets and prefix pools), {@code entries.cm}
 * (allocations and prefix children), {@code ipam.lock} (held while open) and {@code ipam.dirty} (present while
 * open: found at open time it means the last run did not close cleanly, and Chronicle's recovery runs).
 * Not thread-safe: used by the single writer only.
 */
final class DurableStore implements Store
{
    static final String DESCRIPTOR = "ipam.store";
    static final String META = "meta.cm";
    static final String ENTRIES = "entries.cm";
    static final String LOCK = "ipam.lock";
    static final String DIRTY = "ipam.dirty";
    static final long META_ENTRIES = 65_536;
    /** {@link #loadedFrom()}: the engine came from the checkpoint file. */
    static final String FROM_CHECKPOINT = "checkpoint";
    /** {@link #loadedFrom()}: the engine came from the maps. */
    static final String FROM_MAPS = "maps";

    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);

    private volatile Path dir;
    private final long capacity;
    private final long changeRetention;
    private ChangeJournal journal;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ChronicleMap<byte[], byte[]> meta;
    private final ChronicleMap<byte[], byte[]> entries;
    private final StoreSync sync;
    private final boolean recovered;
    private final byte[] value = new byte[StoreRecordCodec.VALUE];
    /** Ids of the wide subnets (IPv6 /1 to /63), whose allocation and cooling keys hold the whole address. */
    private final Set<String> wideSubnets = new HashSet<>();
    /** The descriptor's version: 1, or 2 once a record only version 2 code reads was written. */
    private int descriptorVersion;
    private final ByteBuffer valueBuffer = ByteBuffer.wrap(value);
    /** The engine this store keeps (set once it is loaded or restored): a clean close writes its checkpoint. */
    private volatile AllocatorEngine engine;
    /** The writer's change feed (from {@link #attach}): its last sequence goes into the checkpoint. */
    private volatile ChangeFeed feed;
    /** Where {@link #load} took the engine from: {@link #FROM_CHECKPOINT} or {@link #FROM_MAPS}; null before. */
    private String loadedFrom;
    /** Test seam: runs in {@link #close()} after the checkpoint is written, before the maps are closed. */
    static volatile Runnable afterCheckpoint;

    DurableStore(final Path dir, final IpamConfig config, final long capacity, final FileChannel lockChannel,
        final FileLock lock, final ChronicleMap<byte[], byte[]> meta, final ChronicleMap<byte[], byte[]> entries,
        final boolean recovered, final int descriptorVersion) throws IOException
    {
        this.descriptorVersion = descriptorVersion;
        this.dir = dir;
        this.capacity = capacity;
        this.changeRetention = config.changeRetention();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.meta = meta;
        this.entries = entries;
        this.recovered = recovered;
        this.sync = new StoreSync(dir, config);
    }

    // ------------------------------------------------------------------------------------------------------------
    // opening
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Open or create the store in a directory ({@link StoreOpener#open}).
     *
     * @param dir    the directory (created when absent, owner-only).
     * @param config capacity and sync policy.
     * @param create true to create a new store when the directory holds none.
     * @return the open store.
     */
    static DurableStore open(final Path dir, final IpamConfig config, final boolean create)
    {
        return StoreOpener.open(dir, config, create);
    }

    static String describe(final Throwable ex)
    {
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }

    /**
     * @return true when this open found an unclean shutdown and ran recovery.
     */
    boolean recovered()
    {
        return recovered;
    }

    // ------------------------------------------------------------------------------------------------------------
    // loading
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Build the engine: from the checkpoint a clean close left when it provably matches the maps, else from the maps
     * ({@code docs/durable-store.md}, "The checkpoint"). Before anything is read, and before anything can be written
     * to the maps, the checkpoint's record is taken out of {@code meta.cm} and that is synced: from here on no
     * checkpoint matches these maps, whatever happens (a write, a kill, a power loss), until the next clean close.
     *
     * @param fresh makes an empty engine without listener (twice when a checkpoint turns out unusable).
     * @return the engine, loaded; also kept for the checkpoint of the next clean close.
     */
    AllocatorEngine load(final Supplier<AllocatorEngine> fresh)
    {
        final byte[] record;
        try
        {
            record = meta.get(StoreCheckpoint.KEY);
            if (record != null)
            {
                meta.remove(StoreCheckpoint.KEY);
            }
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        if (record != null)
        {
            sync.forceMeta(); // the record is gone on the device before any other write can reach it
        }
        final long metaExtra = (meta.containsKey(StoreRecordCodec.RANDOM_KEY) ? 1 : 0) +
            (meta.containsKey(StoreRecordCodec.SEQUENCE_KEY) ? 1 : 0);
        final byte[] sequence = meta.get(StoreRecordCodec.SEQUENCE_KEY);
        AllocatorEngine loaded = StoreCheckpoint.restore(dir, record, recovered, entries.longSize(), meta.longSize(),
            metaExtra, capacity, sequence != null && sequence.length == 8 ? StoreRecordCodec.longAt(sequence, 0) : 0,
            fresh, wideSubnets);
        if (loaded == null)
        {
            loaded = fresh.get();
            loadInto(loaded);
        }
        else
        {
            loadedFrom = FROM_CHECKPOINT;
        }
        engine = loaded;
        return loaded;
    }

    /**
     * @return where {@link #load} took the engine from ({@link #FROM_CHECKPOINT} or {@link #FROM_MAPS}), or null.
     */
    String loadedFrom()
    {
        return loadedFrom;
    }

    /**
     * @param e the engine this store keeps (a restore's): a clean close writes its checkpoint.
     */
    void engine(final AllocatorEngine e)
    {
        engine = e;
    }

    /**
     * Rebuild an empty engine from the maps (bitmaps, owner tables and indexes are derived, never stored).
     *
     * @param engine an empty engine without listener.
     */
    void loadInto(final AllocatorEngine engine)
    {
        loadedFrom = FROM_MAPS;
        final List<byte[]> unfinished = StoreLoader.load(meta, entries, engine, this::corrupt, wideSubnets);
        if (!unfinished.isEmpty())
        {
            // allocations of keyed requests a kill cut short (never answered; the engine does not hold them)
            LOG.warn("store {}: removing {} allocation(s) of request(s) killed before they finished (their key " +
                "was never written; a resend with the same key allocates again)", dir, unfinished.size());
            for (final byte[] key : unfinished)
            {
                write(key, null);
            }
        }
    }

    /**
     * Give the engine the store's random generator: the stored key on its next stream (so a reopened store never
     * repeats draws made before a crash, and the same store files always give the same draws), or, for a store
     * without one, the engine's own generator, whose key is stored from now on. A generator without state (a
     * {@code RandomSource.seeded} test source) is neither stored nor replaced.
     *
     * @param engine the engine, loaded, without listener.
     */
    void loadRandom(final AllocatorEngine engine)
    {
        final byte[] stored = meta.get(StoreRecordCodec.RANDOM_KEY);
        final RandomSource source;
        if (stored != null)
        {
            try
            {
                source = RandomSource.fromState(stored).nextStream();
            }
            catch (final IllegalArgumentException ex)
            {
                throw corrupt("random generator state in " + META + ": " + ex.getMessage());
            }
        }
        else
        {
            source = engine.randomSource();
        }
        saveRandom(source);
        engine.randomSource(source);
    }

    /**
     * Store a generator's state (a restore keeps the snapshot's position exactly).
     *
     * @param source the generator; nothing is stored when it has no state.
     */
    void saveRandom(final RandomSource source)
    {
        final byte[] state = source.state();
        if (state != null)
        {
            meta.put(StoreRecordCodec.RANDOM_KEY, state);
            sync.markDirty();
        }
    }

    private IpamException corrupt(final String what)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, "store " + dir + " is damaged: " + what);
    }

    // ------------------------------------------------------------------------------------------------------------
    // writing (the writer's thread)
    // ------------------------------------------------------------------------------------------------------------

    /**
     * The change feed is kept in the store's change journal: what it holds goes back into the feed, and every change
     * of a command that stands is appended before the command is answered (synced with the maps).
     *
     * @param feed the writer's change feed.
     */
    @Override
    public void attach(final ChangeFeed feed)
    {
        journal = ChangeJournal.open(dir, changeRetention, e -> feed.restore(e.sequence, e.timeMs, e.kind, e.tenant,
            e.subnetId, e.family, e.hi, e.lo, e.prefixLen, e.ownerMsb, e.ownerLsb));
        final ChangeJournal j = journal;
        this.feed = feed; // once its journal is read: a checkpoint carries its last sequence
        sync.journal(j);
        feed.sink((sequence, timeMs, kind, tenant, subnetId, family, hi, lo, prefixLen, ownerMsb, ownerLsb) ->
        {
            sync.checkUsable();
            try
            {
                j.onChange(sequence, timeMs, kind, tenant, subnetId, family, hi, lo, prefixLen, ownerMsb, ownerLsb);
            }
            catch (final IpamException ex)
            {
                throw sync.fail(ex);
            }
            sync.markDirty();
        });
    }

    private IpamException writeFailed(final RuntimeException ex)
    {
        if (ex instanceof IpamException)
        {
            return (IpamException)ex;
        }
        if (ex instanceof IllegalStateException && (ex.getClass().getSimpleName().contains("Full") ||
            String.valueOf(ex.getMessage()).contains("extra segment tier")))
        {
            // Chronicle's hash is full: the store is at its capacity, not broken
            return new IpamException(ErrorCode.STORE_FULL, "store " + dir + " is full (capacity " + capacity + ")");
        }
        final IpamException io = new IpamException(ErrorCode.STORE_IO, "cannot write to store " + dir + ": " +
            describe(ex), ex);
        return sync.fail(io);
    }

    @Override
    public void onAllocated(final String subnetId, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int flags, final long keySerial)
    {
        sync.checkUsable();
        final byte[] key = StoreRecordCodec.allocationKey(subnetId, wideSubnets.contains(subnetId), addressHi, address);
        if ((flags & StateListener.ROUTER) != 0)
        {
            needVersion2();
            write(key, StoreRecordCodec.routerValue(ownerMsb, ownerLsb, timeMs, keySerial));
            return;
        }
        if (keySerial != 0)
        {
            // the key's serial in the allocation's one write (StoreLoader drops it if the key never follows)
            write(key, StoreRecordCodec.keyedValue(ownerMsb, ownerLsb, timeMs, keySerial));
            return;
        }
        valueBuffer.clear();
        valueBuffer.putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs);
        write(key, value);
    }

    @Override
    public void onReleased(final String subnetId, final long addressHi, final long address, final long ownerMsb,
        final long ownerLsb, final long timeMs, final int flags)
    {
        write(StoreRecordCodec.allocationKey(subnetId, wideSubnets.contains(subnetId), addressHi, address), null);
    }

    /**
     * Before the first record version 1 code cannot read (a wide subnet, a router allocation): the descriptor
     * says version 2 (atomically rewritten and synced first), so an older binary refuses the store instead of
     * misreading it.
     */
    private void needVersion2()
    {
        if (descriptorVersion < 2)
        {
            descriptorVersion = StoreFiles.upgradeDescriptor(dir, capacity, sync::fail);
        }
    }

    /**
     * Change the lifecycle part of an allocation's value (lease end at 24, key serial at 32).
     */
    private void updateAllocation(final String subnetId, final long addressHi, final long address, final int at,
        final long field)
    {
        sync.checkUsable();
        final byte[] key = StoreRecordCodec.allocationKey(subnetId, wideSubnets.contains(subnetId), addressHi, address);
        try
        {
            final byte[] v = entries.get(key);
            if (v == null || v.length >= at + 8 && ByteBuffer.wrap(v).getLong(at) == field)
            {
                return; // gone, or already so (a key serial is written with its allocation)
            }
            final byte[] w = Arrays.copyOf(v, Math.max(v.length, StoreRecordCodec.LIFECYCLE_VALUE));
            ByteBuffer.wrap(w).putLong(at, field);
            entries.put(key, w);
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        sync.markDirty();
    }

    @Override
    public void onLease(final String subnetId, final long addressHi, final long address, final long expiresAt)
    {
        updateAllocation(subnetId, addressHi, address, StoreRecordCodec.LEASE_AT, expiresAt);
    }

    @Override
    public void onKeyLink(final String subnetId, final long addressHi, final long address, final RequestKeys.Key key)
    {
        updateAllocation(subnetId, addressHi, address, StoreRecordCodec.SERIAL_AT, key.serial);
    }

    @Override
    public void onKey(final RequestKeys.Key k)
    {
        write(StoreRecordCodec.keyKey(k), StoreRecordCodec.keyValue(k));
    }

    /**
     * Put (or with a null value remove) one lifecycle entry; a failure marks the store failed.
     */
    private void write(final byte[] key, final byte[] value)
    {
        write(entries, key, value);
    }

    /**
     * Put (or with a null value remove) one entry of either map; a failure marks the store failed (a full map is
     * STORE_FULL).
     */
    private void write(final ChronicleMap<byte[], byte[]> map, final byte[] key, final byte[] value)
    {
        sync.checkUsable();
        try
        {
            if (value == null)
            {
                map.remove(key);
            }
            else
            {
                map.put(key, value);
            }
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        sync.markDirty();
    }

    @Override
    public void onKeyForgotten(final RequestKeys.Key k)
    {
        write(StoreRecordCodec.keyKey(k), null);
    }

    @Override
    public void onCooling(final String subnetId, final long addressHi, final long address, final long freedAt)
    {
        write(StoreRecordCodec.coolingKey(subnetId, wideSubnets.contains(subnetId), addressHi, address),
            StoreRecordCodec.longValue(freedAt));
    }

    @Override
    public void onCoolingEnded(final String subnetId, final long addressHi, final long address)
    {
        write(StoreRecordCodec.coolingKey(subnetId, wideSubnets.contains(subnetId), addressHi, address), null);
    }

    /**
     * Keep the change sequence a restored store continues from (its journal is empty until the first change).
     *
     * @param lastSequence the snapshot's last sequence.
     */
    void saveSequence(final long lastSequence)
    {
        meta.put(StoreRecordCodec.SEQUENCE_KEY, StoreRecordCodec.longValue(lastSequence));
        sync.markDirty();
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        sync.checkUsable();
        if (SettingsCodec.isWide(subnet.cidr))
        {
            needVersion2();
            wideSubnets.add(subnet.id);
        }
        final byte[] record;
        try
        {
            record = StoreRecordCodec.subnetRecord(subnet);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store subnet " + subnet.id + ": " + ex, ex);
        }
        write(meta, StoreRecordCodec.key(StoreRecordCodec.SUBNET, subnet.id, -1), record);
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        sync.checkUsable();
        wideSubnets.remove(subnetId);
        write(meta, StoreRecordCodec.key(StoreRecordCodec.SUBNET, subnetId, -1), null);
    }

    @Override
    public void onPrefixPool(final EngineImage.PrefixPoolImage pool)
    {
        sync.checkUsable();
        final byte[] record;
        try
        {
            record = StoreRecordCodec.poolRecord(pool);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store pool " + pool.id + ": " + ex, ex);
        }
        write(meta, StoreRecordCodec.key(StoreRecordCodec.POOL, pool.id, -1), record);
    }

    @Override
    public void onPrefixAllocated(final String poolId, final Cidr child, final String tenant)
    {
        write(StoreRecordCodec.childKey(poolId, child), tenant.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        write(StoreRecordCodec.childKey(poolId, child), null);
    }

    /**
     * Apply the sync policy after a batch of changes, before they are acknowledged.
     */
    @Override
    public void afterBatch()
    {
        sync.afterBatch();
    }

    /**
     * Force the maps and the journal to the device.
     */
    void sync()
    {
        sync.sync();
    }

    /**
     * @return syncs done so far (tests).
     */
    long syncs()
    {
        return sync.syncs();
    }

    /**
     * @return true while changes wait for a sync.
     */
    boolean dirty()
    {
        return sync.dirty();
    }

    /**
     * @return the failure that stopped this store, or null.
     */
    IpamException failure()
    {
        return sync.failure();
    }

    /**
     * Test seam: the channel the next sync forces first (closing it makes that sync fail).
     *
     * @return the meta map's channel.
     */
    FileChannel metaChannel()
    {
        return sync.metaChannel();
    }

    /**
     * Write the checkpoint of the engine, after everything is synced ({@link StoreCheckpoint#atClose}).
     *
     * @return true when one was written.
     */
    private boolean checkpoint()
    {
        final AllocatorEngine e = engine;
        final ChangeFeed f = feed;
        return e != null && f != null && StoreCheckpoint.atClose(dir, e, f.lastSequence(), entries, meta, sync);
    }

    /**
     * Rename the open store's directory (a restore built in a sibling): the lock and maps follow the inode.
     *
     * @param target an absent or empty directory.
     * @throws IOException when the rename fails (the target holds files).
     */
    void moveTo(final Path target) throws IOException
    {
        Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        dir = target;
        sync.dir(target);
    }

    /**
     * @return entries held (allocations and prefix children).
     */
    long size()
    {
        return entries.longSize();
    }

    /**
     * @return the configured capacity.
     */
    long capacity()
    {
        return capacity;
    }

    /**
     * Close the store; called once, after the writer stopped. A store that did not fail is synced, then leaves a
     * checkpoint of its engine (file first, then its record in {@code meta.cm}, synced), then closes its maps and
     * removes its dirty marker. A checkpoint that cannot be written is logged and left out: the next open loads the
     * maps.
     */
    @Override
    public void close()
    {
        final boolean clean = sync.stop();
        try
        {
            boolean checkpoint = false;
            long changes = 0;
            if (clean)
            {
                changes = sync.changes(); // counted before the sync: any change from here on drops the checkpoint
                sync.sync();
                checkpoint = checkpoint();
            }
            sync.closeChannels();
            if (journal != null)
            {
                journal.close();
            }
            meta.close();
            entries.close();
            if (checkpoint && (sync.changes() != changes || sync.failure() != null))
            {
                // something was written while the checkpoint was taken or after it (a writer that did not stop,
                // whether or not its own batch synced): the file must go, so its record (already in the closed map)
                // names no file; the dirty marker stays if the store failed
                LOG.warn("store {} changed while closing; its checkpoint is removed", dir);
                Files.deleteIfExists(dir.resolve(StoreCheckpoint.FILE));
            }
            if (clean && sync.failure() == null)
            {
                // a failed store keeps its dirty marker: the next open runs recovery
                Files.deleteIfExists(dir.resolve(DIRTY));
            }
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot close store " + dir + ": " + ex, ex);
        }
    }
}
