package io.ipam.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;

/**
 * An {@link Ipam} whose state lives in Chronicle Map files in one directory: every change is in the map before
 * its caller is answered, so killing the process at any instant loses no acknowledged change and never leaves
 * an address with two owners. Opening recovers after an unclean shutdown. One process (and one instance) per
 * directory: a second open is refused with {@code STORE_IO}.
 */
public final class DurableIpam
{
    static
    {
        // Chronicle must never phone home or print banners from an embedded allocator: switch both off unless the
        // embedder decided otherwise. This class touches no Chronicle class, so this runs before any is loaded.
        if (System.getProperty("chronicle.analytics.disable") == null)
        {
            System.setProperty("chronicle.analytics.disable", "true");
        }
        if (System.getProperty("chronicle.announcer.disable") == null)
        {
            System.setProperty("chronicle.announcer.disable", "true");
        }
    }

    /** Test seam: runs just before a restore renames its sibling into place. */
    static volatile Runnable beforeRestoreRename;
    /** Test seam: told of each store {@link #open(Path, IpamConfig)} opened. */
    static volatile Consumer<DurableStore> opened;

    private DurableIpam()
    {
    }

    /**
     * Open (or create) the store in a directory with the default config.
     *
     * @param dir the store directory (created when absent).
     * @return the allocator.
     */
    public static Ipam open(final Path dir)
    {
        return open(dir, IpamConfig.defaults());
    }

    /**
     * Open (or create) the store in a directory.
     *
     * @param dir    the store directory (created when absent, owner-only).
     * @param config settings, including {@link IpamConfig#storeCapacity()} and {@link IpamConfig#syncPolicy()}.
     * @return the allocator.
     */
    public static Ipam open(final Path dir, final IpamConfig config)
    {
        if (dir == null || config == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, (dir == null ? "store directory" : "config") + " is null");
        }
        final DurableStore store = DurableStore.open(dir, config, true);
        try
        {
            // from the checkpoint of a clean close when it matches the maps, else from the maps
            final AllocatorEngine engine = store.load(() -> newEngine(config, store.capacity()));
            store.loadRandom(engine);
            final Consumer<DurableStore> hook = opened;
            if (hook != null)
            {
                hook.accept(store);
            }
            return Allocators.over(config, engine, store);
        }
        catch (final RuntimeException ex)
        {
            store.close();
            throw ex;
        }
    }

    /**
     * Open an existing store; unlike {@link #open(Path, IpamConfig)} nothing is ever created: a path that is not a
     * directory holding a store ({@code ipam.store}) is refused with {@code STORE_IO} (what read-only tools want,
     * so that a mistyped path does not become an empty store).
     *
     * @param dir    the store directory.
     * @param config settings.
     * @return the allocator.
     */
    public static Ipam openExisting(final Path dir, final IpamConfig config)
    {
        if (dir == null || config == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, (dir == null ? "store directory" : "config") + " is null");
        }
        if (!Files.isDirectory(dir))
        {
            throw new IpamException(ErrorCode.STORE_IO, "no store at " + dir + ": " +
                (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) ? "not a directory" : "no such directory") +
                "; nothing was created");
        }
        if (!Files.isRegularFile(dir.resolve(DurableStore.DESCRIPTOR), LinkOption.NOFOLLOW_LINKS))
        {
            throw new IpamException(ErrorCode.STORE_IO, "no store in " + dir + " (it has no " +
                DurableStore.DESCRIPTOR + "); nothing was created");
        }
        return open(dir, config);
    }

    private static AllocatorEngine newEngine(final IpamConfig config, final long capacity)
    {
        return Allocators.newEngine(config, capacity);
    }

    /**
     * Read the change feed a store keeps, without opening or locking it (its change journal is append-only and
     * checksummed, so this works while a process has the store open).
     *
     * @param dir   the store directory.
     * @param after the sequence after which to start.
     * @param into  receives each change after {@code after}, oldest first.
     * @return the newest sequence the journal holds, 0 if none.
     */
    public static long readChanges(final Path dir, final long after, final Consumer<Change> into)
    {
        if (dir == null || into == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, (dir == null ? "store directory" : "consumer") + " is null");
        }
        if (!Files.isRegularFile(dir.resolve(DurableStore.DESCRIPTOR), LinkOption.NOFOLLOW_LINKS))
        {
            throw new IpamException(ErrorCode.STORE_IO, "no store in " + dir + " (it has no " +
                DurableStore.DESCRIPTOR + ")");
        }
        final ChangeKind[] kinds = ChangeKind.values();
        return ChangeJournal.read(dir, e ->
        {
            if (e.sequence > after)
            {
                final String text = e.family == 0 ? null : (e.family == 6 ?
                    AddressText.formatV6(e.hi, e.lo) : AddressText.formatV4(e.lo)) +
                    (e.prefixLen < 0 ? "" : "/" + e.prefixLen);
                into.accept(new Change(e.sequence, Instant.ofEpochMilli(e.timeMs), kinds[e.kind], e.tenant,
                    e.subnetId, text, e.ownerMsb == 0 && e.ownerLsb == 0 ? null :
                    new UUID(e.ownerMsb, e.ownerLsb)));
            }
        });
    }

    /**
     * Build a new store from a snapshot, with the default config.
     *
     * @param snapshot the snapshot file.
     * @param dir      an empty or absent directory.
     * @return the allocator, open on the new store.
     */
    public static Ipam restore(final Path snapshot, final Path dir)
    {
        return restore(snapshot, dir, IpamConfig.defaults());
    }

    /**
     * Build a new store from a snapshot. The snapshot is read and checked completely before anything is written;
     * the store is then built in a fresh sibling directory ({@code .<name>.restore-<random>}, owner-only) and
     * renamed into place while open, so the target is either absent, or an empty directory atomically replaced,
     * and a store that appears there in the meantime is never touched: the rename fails and only the sibling is
     * removed.
     *
     * @param snapshot the snapshot file.
     * @param dir      an empty or absent directory.
     * @param config   settings of the new store (a larger storeCapacity grows a store).
     * @return the allocator, open on the new store.
     */
    public static Ipam restore(final Path snapshot, final Path dir, final IpamConfig config)
    {
        if (snapshot == null || dir == null || config == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "snapshot, directory and config must not be null");
        }
        final Path target = dir.toAbsolutePath().normalize();
        requireEmpty(target);
        final SnapshotData data = SnapshotCodec.read(snapshot);
        long entries = data.allocationCount();
        for (final EngineImage.PrefixPoolImage p : data.prefixPools)
        {
            entries += p.children.size();
        }
        if (entries > config.storeCapacity())
        {
            throw new IpamException(ErrorCode.STORE_FULL, "snapshot " + snapshot + " holds " + entries +
                " allocations and prefix children, over the store capacity of " + config.storeCapacity() +
                " (restore with a larger capacity)");
        }
        // build in memory first: a snapshot that breaks a rule never reaches the disk
        data.restoreInto(newEngine(config, config.storeCapacity()));
        final Path parent = target.getParent();
        final Path sibling = parent.resolve("." + target.getFileName() + ".restore-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong()));
        DurableStore store = null;
        try
        {
            Files.createDirectories(parent);
            try
            {
                Files.createDirectory(sibling,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            catch (final UnsupportedOperationException ex)
            {
                Files.createDirectory(sibling);
            }
            store = DurableStore.open(sibling, config, true);
            final AllocatorEngine engine = newEngine(config, store.capacity());
            engine.listener(store);
            data.restoreInto(engine);
            store.saveRandom(engine.randomSource());
            store.saveSequence(engine.restoredSequence());
            store.sync();
            store.engine(engine);
            final Runnable hook = beforeRestoreRename;
            if (hook != null)
            {
                hook.run();
            }
            try
            {
                store.moveTo(target);
            }
            catch (final IOException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "restore target " + target + " is not empty (did a " +
                    "store appear there while restoring?); it was left untouched: " + ex.getMessage(), ex);
            }
            AtomicFile.syncDirectory(parent);
            return Allocators.over(config, engine, store);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (store != null)
            {
                try
                {
                    store.close();
                }
                catch (final RuntimeException ignore)
                {
                    // the original failure is reported below
                }
            }
            deleteTree(sibling);
            if (ex instanceof IpamException)
            {
                throw (IpamException)ex;
            }
            throw new IpamException(ErrorCode.STORE_IO, "cannot restore into " + target + ": " + ex, ex);
        }
    }

    private static void requireEmpty(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        if (!Files.isDirectory(dir))
        {
            throw new IpamException(ErrorCode.STORE_IO, "restore target " + dir + " is not a directory");
        }
        try (Stream<Path> files = Files.list(dir))
        {
            if (files.findAny().isPresent())
            {
                throw new IpamException(ErrorCode.STORE_IO, "restore target " + dir + " is not empty");
            }
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read " + dir + ": " + ex, ex);
        }
    }

    /**
     * Remove a directory this restore created (never the target), without following links out of it.
     */
    private static void deleteTree(final Path dir)
    {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignore)
        {
            // best effort: without its descriptor a partial store is refused on open anyway
        }
    }

    /**
     * The facade over a durable engine: the store syncs (per policy) under the writer before answers go out,
     * and closes with the facade.
     */
}
