package io.ipam.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opening a store's directory ({@code docs/durable-store.md}): the lock, the descriptor, the two maps (with
 * Chronicle's recovery after an unclean shutdown) and the dirty marker, in that order; on any failure everything
 * opened so far is closed again and the caller gets one {@link IpamException} naming the file. What the store then
 * does with the maps is {@link DurableStore}'s.
 */
final class StoreOpener
{
    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);

    private StoreOpener()
    {
    }

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
        StoreFiles.createDirectory(dir);
        StoreFiles.checkDirectory(dir);
        FileChannel lockChannel = null;
        FileLock lock = null;
        ChronicleMap<byte[], byte[]> meta = null;
        ChronicleMap<byte[], byte[]> entries = null;
        try
        {
            lockChannel = FileChannel.open(StoreFiles.ownerOnly(dir.resolve(DurableStore.LOCK)),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
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
                    "instance (" + dir.resolve(DurableStore.LOCK) + " is locked)");
            }
            final boolean exists = Files.exists(dir.resolve(DurableStore.DESCRIPTOR), LinkOption.NOFOLLOW_LINKS);
            long capacity = config.storeCapacity();
            final int[] version = {1};
            if (!exists)
            {
                StoreFiles.checkNoForeignFiles(dir);
                if (!create)
                {
                    throw new IpamException(ErrorCode.STORE_IO, "no store in " + dir);
                }
            }
            else
            {
                final long stored = StoreFiles.readDescriptor(dir, version);
                if (stored > 0 && stored != capacity)
                {
                    LOG.info("store {} keeps its capacity of {} (configured {}); to resize, snapshot and restore",
                        dir, stored, capacity);
                    capacity = stored;
                }
                for (final String name : List.of(DurableStore.META, DurableStore.ENTRIES))
                {
                    final Path f = dir.resolve(name);
                    StoreFiles.refuseLink(f);
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
            StoreFiles.refuseLink(dir.resolve(DurableStore.DIRTY));
            final boolean dirty = Files.exists(dir.resolve(DurableStore.DIRTY), LinkOption.NOFOLLOW_LINKS);
            final boolean recover = exists && dirty;
            if (recover)
            {
                LOG.warn("store {} was not closed cleanly; running recovery", dir);
            }
            meta = map(dir.resolve(DurableStore.META), DurableStore.META_ENTRIES, 32, 256, recover);
            entries = map(dir.resolve(DurableStore.ENTRIES), capacity + capacity / 4 + 1024, 28, 24, recover);
            StoreFiles.ownerOnly(dir.resolve(DurableStore.META));
            StoreFiles.ownerOnly(dir.resolve(DurableStore.ENTRIES));
            if (!exists)
            {
                StoreFiles.writeDescriptor(dir, capacity);
            }
            if (!dirty)
            {
                Files.write(StoreFiles.ownerOnly(dir.resolve(DurableStore.DIRTY)), new byte[0]);
            }
            return new DurableStore(dir, config, capacity, lockChannel, lock, meta, entries, recover, version[0]);
        }
        catch (final IpamException ex)
        {
            closeQuietly(meta, entries, lock, lockChannel);
            throw ex;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(meta, entries, lock, lockChannel);
            throw new IpamException(ErrorCode.STORE_CORRUPT, "cannot open store " + dir + ": " +
                DurableStore.describe(ex), ex);
        }
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
                "truncated or not an ipam store file): " + DurableStore.describe(ex), ex);
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

}
