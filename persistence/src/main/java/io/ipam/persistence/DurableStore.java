package io.ipam.persistence;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.RandomSource;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.engine.RequestKeys;
import io.ipam.core.engine.Restorer;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.StateListener;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.writer.Store;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocator's state in Chronicle Map files in one directory, written through on the writer's thread: every
 * change is in the memory-mapped map before its caller is answered, so a killed process loses nothing that was
 * acknowledged. See {@code docs/durable-store.md} for the layout.
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
    static final String MAGIC = "IPAMSTORE 1";
    static final String CAPACITY = "capacity ";
    static final long META_ENTRIES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);
    private static final byte ALLOCATION = 'a';
    private static final byte CHILD = 'c';
    private static final byte SUBNET = 's';
    private static final byte POOL = 'p';
    private static final byte[] RANDOM_KEY = {'r'};
    private static final byte[] SEQUENCE_KEY = {'q'};
    private static final byte COOLING = 'o';
    private static final byte KEY = 'k';
    /** An allocation's value: owner (16) and time (8); with lifecycle state also lease end (8) and key serial (8). */
    private static final int VALUE = 24;
    private static final int LIFECYCLE_VALUE = 40;

    private volatile Path dir;
    private final long capacity;
    private final long changeRetention;
    private ChangeJournal journal;
    private final IpamConfig.SyncPolicy syncPolicy;
    private final long syncIntervalNs;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ChronicleMap<byte[], byte[]> meta;
    private final ChronicleMap<byte[], byte[]> entries;
    private final FileChannel metaChannel;
    private final FileChannel entriesChannel;
    private final boolean recovered;
    private final byte[] value = new byte[24];
    private final ByteBuffer valueBuffer = ByteBuffer.wrap(value);
    private long lastSyncNs = System.nanoTime();
    // written by the writer, cleared by whichever thread syncs (the writer or the periodic syncer)
    private volatile boolean dirtySinceSync;
    // the first failure to sync or write: from then on every change is refused with STORE_IO until reopened
    private volatile IpamException failed;
    private final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();
    private final Object syncLock = new Object();
    private java.util.concurrent.ScheduledExecutorService syncer;

    private DurableStore(final Path dir, final IpamConfig config, final long capacity, final FileChannel lockChannel,
        final FileLock lock, final ChronicleMap<byte[], byte[]> meta, final ChronicleMap<byte[], byte[]> entries,
        final boolean recovered) throws IOException
    {
        this.dir = dir;
        this.capacity = capacity;
        this.changeRetention = config.changeRetention();
        this.syncPolicy = config.syncPolicy();
        this.syncIntervalNs = config.syncInterval().toNanos();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.meta = meta;
        this.entries = entries;
        this.recovered = recovered;
        this.metaChannel = FileChannel.open(dir.resolve(META), StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
        this.entriesChannel = FileChannel.open(dir.resolve(ENTRIES), StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (syncPolicy == IpamConfig.SyncPolicy.PERIODIC)
        {
            // PERIODIC means within syncInterval even when no request comes: a daemon of the store's own
            syncer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r ->
            {
                final Thread t = new Thread(r, "ipam-store-sync");
                t.setDaemon(true);
                return t;
            });
            syncer.scheduleWithFixedDelay(this::periodicSync, syncIntervalNs, syncIntervalNs,
                java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private void periodicSync()
    {
        if (dirtySinceSync && failed == null)
        {
            try
            {
                sync();
            }
            catch (final IpamException ex)
            {
                LOG.error("periodic sync of store {} failed; every later change is refused: {}", dir,
                    ex.getMessage());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // opening
    // ------------------------------------------------------------------------------------------------------------

    /**
     * Open or create the store in a directory.
     *
     * @param dir    the directory (created when absent, owner-only).
     * @param config capacity and sync policy.
     * @param create true to create a new store when the directory holds none.
     * @return the open store.
     */
    static DurableStore open(final Path dir, final IpamConfig config, final boolean create)
    {
        createDirectory(dir);
        checkDirectory(dir);
        FileChannel lockChannel = null;
        FileLock lock = null;
        ChronicleMap<byte[], byte[]> meta = null;
        ChronicleMap<byte[], byte[]> entries = null;
        try
        {
            lockChannel = FileChannel.open(ownerOnly(dir.resolve(LOCK)), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            try
            {
                lock = lockChannel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                lock = null;
            }
            if (lock == null)
            {
                throw new IpamException(ErrorCode.STORE_IO, "store " + dir + " is open in another process or " +
                    "instance (" + dir.resolve(LOCK) + " is locked)");
            }
            final boolean exists = Files.exists(dir.resolve(DESCRIPTOR), LinkOption.NOFOLLOW_LINKS);
            long capacity = config.storeCapacity();
            if (!exists)
            {
                checkNoForeignFiles(dir);
                if (!create)
                {
                    throw new IpamException(ErrorCode.STORE_IO, "no store in " + dir);
                }
            }
            else
            {
                final long stored = checkDescriptor(dir);
                if (stored > 0 && stored != capacity)
                {
                    LOG.info("store {} keeps its capacity of {} (configured {}); to resize, snapshot and restore",
                        dir, stored, capacity);
                    capacity = stored;
                }
                for (final String name : List.of(META, ENTRIES))
                {
                    final Path f = dir.resolve(name);
                    refuseLink(f);
                    if (!Files.exists(f))
                    {
                        throw new IpamException(ErrorCode.STORE_CORRUPT, "store " + dir + " is missing " + f);
                    }
                    if (Files.size(f) == 0)
                    {
                        throw new IpamException(ErrorCode.STORE_CORRUPT, "store file " + f + " is empty (truncated)");
                    }
                }
            }
            refuseLink(dir.resolve(DIRTY));
            final boolean dirty = Files.exists(dir.resolve(DIRTY), LinkOption.NOFOLLOW_LINKS);
            final boolean recover = exists && dirty;
            if (recover)
            {
                LOG.warn("store {} was not closed cleanly; running recovery", dir);
            }
            meta = map(dir.resolve(META), META_ENTRIES, 32, 256, recover);
            entries = map(dir.resolve(ENTRIES), capacity + capacity / 4 + 1024, 28, 24, recover);
            ownerOnly(dir.resolve(META));
            ownerOnly(dir.resolve(ENTRIES));
            if (!exists)
            {
                writeDescriptor(dir, capacity);
            }
            if (!dirty)
            {
                Files.write(ownerOnly(dir.resolve(DIRTY)), new byte[0]);
            }
            return new DurableStore(dir, config, capacity, lockChannel, lock, meta, entries, recover);
        }
        catch (final IpamException ex)
        {
            closeQuietly(meta, entries, lock, lockChannel);
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(meta, entries, lock, lockChannel);
            throw new IpamException(ErrorCode.STORE_CORRUPT, "cannot open store " + dir + ": " + describe(ex), ex);
        }
    }

    private static String describe(final Throwable ex)
    {
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }

    static ChronicleMap<byte[], byte[]> map(final Path file, final long entries, final double keySize,
        final double valueSize, final boolean recover) throws IOException
    {
        try
        {
            final var builder = ChronicleMap.of(byte[].class, byte[].class)
                .name(file.getFileName().toString())
                .entries(entries)
                .averageKeySize(keySize)
                .averageValueSize(valueSize);
            if (recover)
            {
                return builder.recoverPersistedTo(file.toFile(), true,
                    corruption -> LOG.warn("recovery of {}: {}", file, corruption.message()));
            }
            return builder.createPersistedTo(file.toFile());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, "store file " + file + " cannot be opened (damaged, " +
                "truncated or not an ipam store file): " + describe(ex), ex);
        }
    }

    private static void createDirectory(final Path dir)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                if (Files.exists(dir))
                {
                    throw new IpamException(ErrorCode.STORE_IO, dir + " exists and is not a directory");
                }
                try
                {
                    Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
                catch (final UnsupportedOperationException ex)
                {
                    Files.createDirectories(dir);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot create store directory " + dir + ": " + ex, ex);
        }
    }

    static Path ownerOnly(final Path file) throws IOException
    {
        refuseLink(file);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            try
            {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            catch (final UnsupportedOperationException ex)
            {
                // not a POSIX file system: nothing to tighten
            }
            return file;
        }
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final UnsupportedOperationException ex)
        {
            Files.createFile(file);
        }
        return file;
    }

    /**
     * Store files are never opened through a symbolic link (one planted there would redirect writes).
     */
    static void refuseLink(final Path file)
    {
        if (Files.isSymbolicLink(file))
        {
            throw new IpamException(ErrorCode.STORE_IO, "store file " + file + " is a symbolic link; refusing to " +
                "follow it (remove the link)");
        }
    }

    /**
     * A store directory that others may write to lets them replace or plant files (links to other files, a
     * descriptor of their own): refused, with the fix.
     */
    static void checkDirectory(final Path dir)
    {
        try
        {
            final java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE) ||
                perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE))
            {
                throw new IpamException(ErrorCode.STORE_IO, "store directory " + dir + " is writable by group or " +
                    "others (" + PosixFilePermissions.toString(perms) + "); refusing to use it: run chmod go-w " +
                    dir + " (or chmod 700)");
            }
        }
        catch (final UnsupportedOperationException ex)
        {
            // not a POSIX file system: nothing to check
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read the permissions of " + dir + ": " + ex, ex);
        }
    }

    private static void checkNoForeignFiles(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                final String name = f.getFileName().toString();
                if (!name.equals(LOCK) && !name.equals(DIRTY))
                {
                    throw new IpamException(ErrorCode.STORE_CORRUPT, "directory " + dir + " holds " + f +
                        " but no " + DESCRIPTOR + ": not an ipam store, or an unfinished one; refusing to touch it");
                }
            }
        }
    }

    /**
     * @return the capacity the descriptor records, or 0 for a descriptor written before capacities were kept.
     */
    private static long checkDescriptor(final Path dir) throws IOException
    {
        final Path f = dir.resolve(DESCRIPTOR);
        refuseLink(f);
        final byte[] bytes;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            if (ch.size() > 4096)
            {
                throw new IpamException(ErrorCode.STORE_CORRUPT, f + " is not an ipam store descriptor (" +
                    ch.size() + " bytes)");
            }
            final ByteBuffer b = ByteBuffer.allocate((int)ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0)
            {
                // read it all
            }
            bytes = Arrays.copyOf(b.array(), b.position());
        }
        final String[] lines = new String(bytes, StandardCharsets.UTF_8).trim().split("\n");
        if (!lines[0].trim().equals(MAGIC))
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, f + " is not an ipam store descriptor (expected '" +
                MAGIC + "')");
        }
        long capacity = 0;
        for (int i = 1; i < lines.length; i++)
        {
            final String line = lines[i].trim();
            if (line.startsWith(CAPACITY))
            {
                try
                {
                    capacity = Long.parseLong(line.substring(CAPACITY.length()).trim());
                }
                catch (final NumberFormatException ex)
                {
                    capacity = -1;
                }
                if (capacity < 1)
                {
                    throw new IpamException(ErrorCode.STORE_CORRUPT, f + " holds a bad capacity line '" + line + "'");
                }
            }
        }
        return capacity;
    }

    private static void writeDescriptor(final Path dir, final long capacity) throws IOException
    {
        try (AtomicFile descriptor = AtomicFile.prepare(dir.resolve(DESCRIPTOR), false, "store descriptor"))
        {
            final OutputStream out = descriptor.open(true);
            out.write((MAGIC + "\n" + CAPACITY + capacity + "\n").getBytes(StandardCharsets.UTF_8));
            descriptor.commit();
        }
    }

    private static void closeQuietly(final ChronicleMap<?, ?> meta, final ChronicleMap<?, ?> entries,
        final FileLock lock, final FileChannel lockChannel)
    {
        try
        {
            if (meta != null)
            {
                meta.close();
            }
            if (entries != null)
            {
                entries.close();
            }
            if (lock != null)
            {
                lock.release();
            }
            if (lockChannel != null)
            {
                lockChannel.close();
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // already failing; the first error is what matters
        }
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
     * Rebuild an empty engine from the maps (bitmaps, owner tables and indexes are derived, never stored).
     *
     * @param engine an empty engine without listener.
     */
    void loadInto(final AllocatorEngine engine)
    {
        try
        {
            load(engine);
        }
        catch (final IpamException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // a damaged entry must not escape as an index or buffer exception
            throw corrupt("an entry does not decode (" + describe(ex) + ")");
        }
    }

    private void load(final AllocatorEngine engine)
    {
        final Restorer restorer = new Restorer(engine, this::corrupt);
        final List<EngineImage.PrefixPoolImage> pools = new ArrayList<>();
        meta.forEach((k, v) ->
        {
            final ByteBuffer b = ByteBuffer.wrap(v);
            if (k.length > 0 && k[0] == SUBNET)
            {
                restorer.subnet(decoded(StoreRecordCodec.readSubnet(b, this::corrupt), b, META));
            }
            else if (k.length > 0 && k[0] == POOL)
            {
                pools.add(decoded(StoreRecordCodec.readPool(b, this::corrupt), b, META));
            }
            else if (k.length == 1 && (k[0] == RANDOM_KEY[0] || k[0] == SEQUENCE_KEY[0]))
            {
                return;   // the generator (see loadRandom) and the sequence (below)
            }
            else
            {
                throw corrupt("unknown key in " + META);
            }
        });
        for (final EngineImage.PrefixPoolImage p : pools)
        {
            restorer.pool(p);
        }
        // entries of one subnet come in runs: keep the last id's bytes and string, so the restorer looks the
        // subnet up once per run, and read the fixed fields straight from the arrays
        final Object[] last = {null, null};   // id bytes, id
        entries.forEach((k, v) ->
        {
            if (k.length < 2)
            {
                throw corrupt("a key of " + k.length + " bytes in " + ENTRIES);
            }
            final byte kind = k[0];
            int z = 1;
            while (z < k.length && k[z] != 0)
            {
                z++;
            }
            if (z >= k.length)
            {
                throw corrupt("key without a terminator in " + ENTRIES);
            }
            final byte[] lastId = (byte[])last[0];
            if (lastId == null || !Arrays.equals(k, 1, z, lastId, 0, lastId.length))
            {
                last[0] = Arrays.copyOfRange(k, 1, z);
                last[1] = new String(k, 1, z - 1, StandardCharsets.UTF_8);
            }
            final String id = (String)last[1];
            if (kind == ALLOCATION)
            {
                if (k.length != z + 9 || (v.length != VALUE && v.length != LIFECYCLE_VALUE))
                {
                    throw corrupt("allocation entry of subnet " + id + " has a bad size");
                }
                final long address = longAt(k, z + 1);
                restorer.allocation(id, address, longAt(v, 0), longAt(v, 8), longAt(v, 16));
                if (v.length == LIFECYCLE_VALUE)
                {
                    final long expires = longAt(v, 24);
                    final long serial = longAt(v, 32);
                    if (expires != 0)
                    {
                        restorer.lease(id, address, expires);
                    }
                    if (serial != 0)
                    {
                        restorer.keyLink(serial, id, address);
                    }
                }
            }
            else if (kind == CHILD)
            {
                if (k.length != z + 1 + AddressCodec.CIDR_BYTES || v.length == 0 || v.length > 64)
                {
                    throw corrupt("prefix child entry of pool " + id + " has a bad key or tenant");
                }
                final Cidr child = AddressCodec.getCidr(AddressCodec.source(ByteBuffer.wrap(k, z + 1,
                    AddressCodec.CIDR_BYTES)), what -> corrupt("prefix child entry of pool " + id + ": " + what));
                restorer.child(id, child, new String(v, StandardCharsets.UTF_8));
            }
            else if (kind == COOLING)
            {
                if (k.length != z + 9 || v.length != 8)
                {
                    throw corrupt("cooling entry of subnet " + id + " has a bad size");
                }
                restorer.cooling(id, longAt(k, z + 1), longAt(v, 0));
            }
            else if (kind == KEY)
            {
                restorer.key(readKey(id, new String(k, z + 1, k.length - z - 1, StandardCharsets.UTF_8), v));
            }
            else
            {
                throw corrupt("unknown key in " + ENTRIES);
            }
        });
        final byte[] sequence = meta.get(SEQUENCE_KEY);
        if (sequence != null && sequence.length == 8)
        {
            restorer.sequence(longAt(sequence, 0));
        }
        restorer.finish();
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
        final byte[] stored = meta.get(RANDOM_KEY);
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
            meta.put(RANDOM_KEY, state);
            markDirty();
        }
    }

    private <T> T decoded(final T value, final ByteBuffer b, final String file)
    {
        if (b.hasRemaining())
        {
            throw corrupt(b.remaining() + " bytes left over after an entry in " + file);
        }
        return value;
    }

    private static long longAt(final byte[] b, final int offset)
    {
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    private IpamException corrupt(final String what)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, "store " + dir + " is damaged: " + what);
    }

    // ------------------------------------------------------------------------------------------------------------
    // writing (the writer's thread)
    // ------------------------------------------------------------------------------------------------------------

    private static byte[] key(final byte kind, final String id, final int extra)
    {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        final byte[] k = new byte[2 + idBytes.length + extra];
        k[0] = kind;
        System.arraycopy(idBytes, 0, k, 1, idBytes.length);
        return k;
    }

    private static byte[] allocationKey(final String subnetId, final long address)
    {
        final byte[] k = key(ALLOCATION, subnetId, 8);
        ByteBuffer.wrap(k).putLong(k.length - 8, address);
        return k;
    }

    private static byte[] childKey(final String poolId, final Cidr child)
    {
        final byte[] k = key(CHILD, poolId, AddressCodec.CIDR_BYTES);
        AddressCodec.putCidr(AddressCodec.sink(ByteBuffer.wrap(k, k.length - AddressCodec.CIDR_BYTES,
            AddressCodec.CIDR_BYTES)), child);
        return k;
    }

    /**
     * Every change starts here: a store that failed to sync or write refuses everything until it is reopened,
     * so nothing is acknowledged that might not be on the device.
     */
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
        feed.sink((sequence, timeMs, kind, tenant, subnetId, family, hi, lo, prefixLen, ownerMsb, ownerLsb) ->
        {
            checkUsable();
            try
            {
                j.onChange(sequence, timeMs, kind, tenant, subnetId, family, hi, lo, prefixLen, ownerMsb, ownerLsb);
            }
            catch (final IpamException ex)
            {
                failed = ex;
                throw ex;
            }
            markDirty();
        });
    }

    private void checkUsable()
    {
        final IpamException f = failed;
        if (f != null)
        {
            throw new IpamException(ErrorCode.STORE_IO, "store " + dir + " failed earlier and accepts no changes " +
                "until it is reopened (" + f.getMessage() + ")");
        }
    }

    /**
     * Called after each change is in the map: a volatile write only when the flag flips (once per sync, not per
     * change). Safe against the syncer, which clears the flag before it forces: a change made before the clear is
     * covered by that force, one made after it sees the flag clear and sets it again.
     */
    private void markDirty()
    {
        if (!dirtySinceSync)
        {
            dirtySinceSync = true;
        }
    }

    private IpamException writeFailed(final RuntimeException ex)
    {
        if (ex instanceof IpamException)
        {
            return (IpamException)ex;
        }
        if (ex instanceof IllegalStateException && ex.getClass().getSimpleName().contains("Full"))
        {
            // Chronicle's hash is full: the store is at its capacity, not broken
            return new IpamException(ErrorCode.STORE_FULL, "store " + dir + " is full (capacity " + capacity + ")");
        }
        final IpamException io = new IpamException(ErrorCode.STORE_IO, "cannot write to store " + dir + ": " +
            describe(ex), ex);
        failed = io;
        return io;
    }

    @Override
    public void onAllocated(final String subnetId, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs)
    {
        checkUsable();
        valueBuffer.clear();
        valueBuffer.putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs);
        try
        {
            entries.put(allocationKey(subnetId, address), value);
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        markDirty();
    }

    @Override
    public void onReleased(final String subnetId, final long address)
    {
        checkUsable();
        try
        {
            entries.remove(allocationKey(subnetId, address));
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        markDirty();
    }

    private LifecycleImage.KeyImage readKey(final String tenant, final String key, final byte[] v)
    {
        final ByteBuffer b = ByteBuffer.wrap(v);
        if (key.isEmpty() || v.length < 40)
        {
            throw corrupt("request key entry " + key + " has a bad size");
        }
        final long serial = b.getLong();
        final long fingerprint = b.getLong();
        final int code = b.getInt();
        final long value = b.getLong();
        final long goneAt = b.getLong();
        final int length = b.getInt();
        if (length != b.remaining() || serial <= 0)
        {
            throw corrupt("request key entry " + key + " is damaged");
        }
        final byte[] payload = new byte[length];
        b.get(payload);
        return new LifecycleImage.KeyImage(tenant.isEmpty() ? null : tenant, key, fingerprint, code, value, payload,
            goneAt, serial);
    }

    private static byte[] keyKey(final RequestKeys.Key k)
    {
        final byte[] t = (k.tenant == null ? "" : k.tenant).getBytes(StandardCharsets.UTF_8);
        final byte[] n = k.key.getBytes(StandardCharsets.UTF_8);
        final byte[] key = new byte[2 + t.length + n.length];
        key[0] = KEY;
        System.arraycopy(t, 0, key, 1, t.length);
        System.arraycopy(n, 0, key, 2 + t.length, n.length);
        return key;
    }

    private static byte[] coolingKey(final String subnetId, final long address)
    {
        final byte[] k = key(COOLING, subnetId, 8);
        ByteBuffer.wrap(k).putLong(k.length - 8, address);
        return k;
    }

    /**
     * Change the lifecycle part of an allocation's value (lease end at 24, key serial at 32).
     */
    private void updateAllocation(final String subnetId, final long address, final int at, final long field)
    {
        checkUsable();
        final byte[] key = allocationKey(subnetId, address);
        try
        {
            final byte[] v = entries.get(key);
            if (v == null)
            {
                return;
            }
            final byte[] w = Arrays.copyOf(v, LIFECYCLE_VALUE);
            ByteBuffer.wrap(w).putLong(at, field);
            entries.put(key, w);
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        markDirty();
    }

    @Override
    public void onLease(final String subnetId, final long address, final long expiresAt)
    {
        updateAllocation(subnetId, address, 24, expiresAt);
    }

    @Override
    public void onKeyLink(final String subnetId, final long address, final RequestKeys.Key key)
    {
        updateAllocation(subnetId, address, 32, key.serial);
    }

    @Override
    public void onKey(final RequestKeys.Key k)
    {
        checkUsable();
        final byte[] payload = k.payload();
        final ByteBuffer v = ByteBuffer.allocate(40 + payload.length);
        v.putLong(k.serial).putLong(k.fingerprint).putInt(k.code()).putLong(k.value()).putLong(k.goneAt())
            .putInt(payload.length).put(payload);
        write(keyKey(k), v.array());
    }

    /**
     * Put (or with a null value remove) one lifecycle entry; a failure marks the store failed.
     */
    private void write(final byte[] key, final byte[] value)
    {
        checkUsable();
        try
        {
            if (value == null)
            {
                entries.remove(key);
            }
            else
            {
                entries.put(key, value);
            }
        }
        catch (final RuntimeException ex)
        {
            throw writeFailed(ex);
        }
        markDirty();
    }

    @Override
    public void onKeyForgotten(final RequestKeys.Key k)
    {
        write(keyKey(k), null);
    }

    @Override
    public void onCooling(final String subnetId, final long address, final long freedAt)
    {
        write(coolingKey(subnetId, address), ByteBuffer.allocate(8).putLong(freedAt).array());
    }

    @Override
    public void onCoolingEnded(final String subnetId, final long address)
    {
        write(coolingKey(subnetId, address), null);
    }

    /**
     * Keep the change sequence a restored store continues from (its journal is empty until the first change).
     *
     * @param lastSequence the snapshot's last sequence.
     */
    void saveSequence(final long lastSequence)
    {
        meta.put(SEQUENCE_KEY, ByteBuffer.allocate(8).putLong(lastSequence).array());
        markDirty();
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        checkUsable();
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StoreRecordCodec.writeSubnet(new DataOutputStream(bytes), subnet);
            meta.put(key(SUBNET, subnet.id, -1), bytes.toByteArray());
            markDirty();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store subnet " + subnet.id + ": " + ex, ex);
        }
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        checkUsable();
        meta.remove(key(SUBNET, subnetId, -1));
        markDirty();
    }

    @Override
    public void onPrefixPool(final EngineImage.PrefixPoolImage pool)
    {
        checkUsable();
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StoreRecordCodec.writePool(new DataOutputStream(bytes), pool);
            meta.put(key(POOL, pool.id, -1), bytes.toByteArray());
            markDirty();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store pool " + pool.id + ": " + ex, ex);
        }
    }

    @Override
    public void onPrefixAllocated(final String poolId, final Cidr child, final String tenant)
    {
        checkUsable();
        entries.put(childKey(poolId, child), tenant.getBytes(StandardCharsets.UTF_8));
        markDirty();
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        checkUsable();
        entries.remove(childKey(poolId, child));
        markDirty();
    }

    /**
     * Apply the sync policy after a batch of changes, before they are acknowledged.
     */
    @Override
    public void afterBatch()
    {
        checkUsable();
        if (!dirtySinceSync || syncPolicy == IpamConfig.SyncPolicy.NONE)
        {
            return;
        }
        final long now = System.nanoTime();
        // PERIODIC: the store's syncer does it within the interval; a batch only syncs when that is overdue
        if (syncPolicy == IpamConfig.SyncPolicy.EVERY_BATCH || now - lastSyncNs >= 2 * syncIntervalNs)
        {
            sync();
        }
    }

    /**
     * Force the maps' dirty pages to the device (fsync of the mapped files writes back pages dirtied through the
     * mapping on Linux).
     */
    void sync()
    {
        checkUsable();
        // from the writer or the periodic syncer: one at a time. Forcing a file while the writer stores into its
        // mapping is safe: pages written during the force are simply left dirty for the next one, which the
        // flag, cleared before forcing, asks for
        synchronized (syncLock)
        {
            try
            {
                dirtySinceSync = false;
                metaChannel.force(false);
                entriesChannel.force(false);
                final ChangeJournal j = journal;
                if (j != null)
                {
                    j.force();
                }
                lastSyncNs = System.nanoTime();
                syncs.incrementAndGet();
            }
            catch (final IOException | RuntimeException ex)
            {
                markDirty();
                final IpamException io = new IpamException(ErrorCode.STORE_IO, "cannot sync store " + dir + ": " +
                    describe(ex), ex);
                failed = io;
                throw io;
            }
        }
    }

    /**
     * @return syncs done so far (tests).
     */
    long syncs()
    {
        return syncs.get();
    }

    /**
     * @return true while changes wait for a sync.
     */
    boolean dirty()
    {
        return dirtySinceSync;
    }

    /**
     * @return the failure that stopped this store, or null.
     */
    IpamException failure()
    {
        return failed;
    }

    /**
     * Test seam: the channel the next sync forces first (closing it makes that sync fail).
     *
     * @return the meta map's channel.
     */
    FileChannel metaChannel()
    {
        return metaChannel;
    }

    /**
     * Rename the open store's directory (a restore built in a sibling): the lock and maps follow the inode.
     *
     * @param target an absent or empty directory.
     * @throws IOException when the rename fails (the target holds files).
     */
    void moveTo(final Path target) throws IOException
    {
        Files.move(dir, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        dir = target;
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

    @Override
    public void close()
    {
        if (syncer != null)
        {
            syncer.shutdownNow();
            try
            {
                syncer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        final IpamException f = failed;
        try
        {
            if (f == null)
            {
                sync();
            }
            metaChannel.close();
            entriesChannel.close();
            if (journal != null)
            {
                journal.close();
            }
            meta.close();
            entries.close();
            if (f == null)
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
