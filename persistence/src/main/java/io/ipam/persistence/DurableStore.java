package io.ipam.persistence;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.BulkLoader;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.StateListener;
import io.ipam.core.engine.SubnetRules;
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
final class DurableStore implements StateListener, AutoCloseable
{
    static final String DESCRIPTOR = "ipam.store";
    static final String META = "meta.cm";
    static final String ENTRIES = "entries.cm";
    static final String LOCK = "ipam.lock";
    static final String DIRTY = "ipam.dirty";
    static final String MAGIC = "IPAMSTORE 1";
    static final long META_ENTRIES = 65_536;

    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);
    private static final byte ALLOCATION = 'a';
    private static final byte CHILD = 'c';
    private static final byte SUBNET = 's';
    private static final byte POOL = 'p';

    private final Path dir;
    private final long capacity;
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
    private boolean dirtySinceSync;

    private DurableStore(final Path dir, final IpamConfig config, final FileChannel lockChannel, final FileLock lock,
        final ChronicleMap<byte[], byte[]> meta, final ChronicleMap<byte[], byte[]> entries, final boolean recovered)
        throws IOException
    {
        this.dir = dir;
        this.capacity = config.storeCapacity();
        this.syncPolicy = config.syncPolicy();
        this.syncIntervalNs = config.syncInterval().toNanos();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.meta = meta;
        this.entries = entries;
        this.recovered = recovered;
        this.metaChannel = FileChannel.open(dir.resolve(META), StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.entriesChannel = FileChannel.open(dir.resolve(ENTRIES), StandardOpenOption.READ,
            StandardOpenOption.WRITE);
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
        FileChannel lockChannel = null;
        FileLock lock = null;
        ChronicleMap<byte[], byte[]> meta = null;
        ChronicleMap<byte[], byte[]> entries = null;
        try
        {
            lockChannel = FileChannel.open(ownerOnly(dir.resolve(LOCK)), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
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
            final boolean exists = Files.exists(dir.resolve(DESCRIPTOR));
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
                checkDescriptor(dir);
                for (final String name : List.of(META, ENTRIES))
                {
                    final Path f = dir.resolve(name);
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
            final boolean dirty = Files.exists(dir.resolve(DIRTY));
            final boolean recover = exists && dirty;
            if (recover)
            {
                LOG.warn("store {} was not closed cleanly; running recovery", dir);
            }
            meta = map(dir.resolve(META), META_ENTRIES, 32, 256, recover);
            entries = map(dir.resolve(ENTRIES), config.storeCapacity() + config.storeCapacity() / 4 + 1024, 28, 24,
                recover);
            ownerOnly(dir.resolve(META));
            ownerOnly(dir.resolve(ENTRIES));
            if (!exists)
            {
                writeDescriptor(dir);
            }
            if (!dirty)
            {
                Files.write(ownerOnly(dir.resolve(DIRTY)), new byte[0]);
            }
            return new DurableStore(dir, config, lockChannel, lock, meta, entries, recover);
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

    private static ChronicleMap<byte[], byte[]> map(final Path file, final long entries, final double keySize,
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
        if (Files.exists(file))
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

    private static void checkDescriptor(final Path dir) throws IOException
    {
        final Path f = dir.resolve(DESCRIPTOR);
        final String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).trim();
        if (!text.equals(MAGIC))
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, f + " is not an ipam store descriptor (expected '" +
                MAGIC + "')");
        }
    }

    private static void writeDescriptor(final Path dir) throws IOException
    {
        final Path tmp = dir.resolve(DESCRIPTOR + ".tmp");
        Files.deleteIfExists(tmp);
        Files.write(ownerOnly(tmp), (MAGIC + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(DESCRIPTOR), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
        final List<EngineImage.SubnetImage> subnets = new ArrayList<>();
        final List<EngineImage.PrefixPoolImage> pools = new ArrayList<>();
        meta.forEach((k, v) ->
        {
            final ByteBuffer b = ByteBuffer.wrap(v);
            if (k.length > 0 && k[0] == SUBNET)
            {
                subnets.add(StoreRecordCodec.readSubnet(b, this::corrupt));
            }
            else if (k.length > 0 && k[0] == POOL)
            {
                pools.add(StoreRecordCodec.readPool(b, this::corrupt));
            }
            else
            {
                throw corrupt("unknown key in " + META);
            }
        });
        for (final EngineImage.SubnetImage m : subnets)
        {
            try
            {
                engine.createSubnet(SubnetRules.Plan.restored(m.id, m.tenant, m.cidr, m.gateway, m.poolFirst,
                    m.poolLast, m.strategy));
            }
            catch (final IpamException ex)
            {
                throw corrupt("subnet " + m.id + " is invalid: " + ex.getMessage());
            }
        }
        for (final EngineImage.PrefixPoolImage p : pools)
        {
            try
            {
                engine.prefixPools().create(p.id, p.prefixes, p.min, p.max, p.def, p.quota);
            }
            catch (final IpamException ex)
            {
                throw corrupt("prefix pool " + p.id + " is invalid: " + ex.getMessage());
            }
        }
        // entries of one subnet come in runs: keep the last id's bytes and handle instead of a String and a
        // map lookup per entry, and read the fixed fields straight from the arrays
        final Object[] last = {null, null};   // id bytes, id
        final int[] lastHandle = {AllocatorEngine.NO_HANDLE};
        // allocations arrive in hash order: queued per subnet and loaded in sorted batches (whole bitmap words),
        // not one rule-checked allocation at a time
        final BulkLoader loader = new BulkLoader(engine);
        entries.forEach((k, v) ->
        {
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
            if (lastId == null || !java.util.Arrays.equals(k, 1, z, lastId, 0, lastId.length))
            {
                last[0] = java.util.Arrays.copyOfRange(k, 1, z);
                last[1] = new String(k, 1, z - 1, StandardCharsets.UTF_8);
                lastHandle[0] = engine.handle((String)last[1]);
            }
            final String id = (String)last[1];
            if (kind == ALLOCATION)
            {
                if (k.length != z + 9 || v.length != 24)
                {
                    throw corrupt("allocation entry of subnet " + id + " has a bad size");
                }
                final int rc = lastHandle[0] == AllocatorEngine.NO_HANDLE ? -ErrorCode.SUBNET_NOT_FOUND.value() :
                    loader.add(lastHandle[0], longAt(k, z + 1), longAt(v, 0), longAt(v, 8), longAt(v, 16));
                if (rc != AllocatorEngine.OK)
                {
                    throw corrupt("allocation in subnet " + (lastHandle[0] == AllocatorEngine.NO_HANDLE ? id :
                        engine.subnetId(loader.failedHandle())) + " cannot be restored: " + ErrorCode.fromValue(-rc));
                }
            }
            else if (kind == CHILD)
            {
                final ByteBuffer key = ByteBuffer.wrap(k, z + 1, k.length - z - 1);
                final Cidr child = new Cidr(new IpAddress(key.get() == 6, key.getLong(), key.getLong()),
                    key.get() & 0xFF);
                final int rc = engine.prefixPools().allocate(id, new String(v, StandardCharsets.UTF_8), child);
                if (rc != AllocatorEngine.OK)
                {
                    throw corrupt("child " + child + " of pool " + id + " cannot be restored: " +
                        ErrorCode.fromValue(-rc));
                }
            }
            else
            {
                throw corrupt("unknown key in " + ENTRIES);
            }
        });
        final int rc = loader.finish();
        if (rc != AllocatorEngine.OK)
        {
            throw corrupt("allocation in subnet " + engine.subnetId(loader.failedHandle()) + " cannot be restored: " +
                ErrorCode.fromValue(-rc));
        }
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
        final byte[] k = key(CHILD, poolId, 18);
        ByteBuffer.wrap(k, k.length - 18, 18).put((byte)(child.isV6() ? 6 : 4)).putLong(child.address().hi())
            .putLong(child.address().lo()).put((byte)child.prefixLength());
        return k;
    }

    @Override
    public void onAllocated(final String subnetId, final long address, final long ownerMsb, final long ownerLsb,
        final long timeMs)
    {
        valueBuffer.clear();
        valueBuffer.putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs);
        entries.put(allocationKey(subnetId, address), value);
        dirtySinceSync = true;
    }

    @Override
    public void onReleased(final String subnetId, final long address)
    {
        entries.remove(allocationKey(subnetId, address));
        dirtySinceSync = true;
    }

    @Override
    public void onSubnet(final EngineImage.SubnetImage subnet)
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StoreRecordCodec.writeSubnet(new DataOutputStream(bytes), subnet);
            meta.put(key(SUBNET, subnet.id, -1), bytes.toByteArray());
            dirtySinceSync = true;
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store subnet " + subnet.id + ": " + ex, ex);
        }
    }

    @Override
    public void onSubnetDeleted(final String subnetId)
    {
        meta.remove(key(SUBNET, subnetId, -1));
        dirtySinceSync = true;
    }

    @Override
    public void onPrefixPool(final EngineImage.PrefixPoolImage pool)
    {
        try
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            StoreRecordCodec.writePool(new DataOutputStream(bytes), pool);
            meta.put(key(POOL, pool.id, -1), bytes.toByteArray());
            dirtySinceSync = true;
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot store pool " + pool.id + ": " + ex, ex);
        }
    }

    @Override
    public void onPrefixAllocated(final String poolId, final Cidr child, final String tenant)
    {
        entries.put(childKey(poolId, child), tenant.getBytes(StandardCharsets.UTF_8));
        dirtySinceSync = true;
    }

    @Override
    public void onPrefixReleased(final String poolId, final Cidr child)
    {
        entries.remove(childKey(poolId, child));
        dirtySinceSync = true;
    }

    /**
     * Apply the sync policy after a batch of changes, before they are acknowledged.
     */
    void afterBatch()
    {
        if (!dirtySinceSync || syncPolicy == IpamConfig.SyncPolicy.NONE)
        {
            return;
        }
        final long now = System.nanoTime();
        if (syncPolicy == IpamConfig.SyncPolicy.EVERY_BATCH || now - lastSyncNs >= syncIntervalNs)
        {
            sync();
            lastSyncNs = now;
        }
    }

    /**
     * Force the maps' dirty pages to the device (fsync of the mapped files writes back pages dirtied through the
     * mapping on Linux).
     */
    void sync()
    {
        try
        {
            metaChannel.force(false);
            entriesChannel.force(false);
            dirtySinceSync = false;
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot sync store " + dir + ": " + ex, ex);
        }
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
        try
        {
            sync();
            metaChannel.close();
            entriesChannel.close();
            meta.close();
            entries.close();
            Files.deleteIfExists(dir.resolve(DIRTY));
            lock.release();
            lockChannel.close();
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot close store " + dir + ": " + ex, ex);
        }
    }
}
