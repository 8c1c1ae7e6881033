package io.ipam.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.snapshot.SettingsCodec;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint a clean close leaves beside the maps ({@code docs/durable-store.md}, "The checkpoint"), so that the
 * next open reads one file instead of iterating the maps: {@code ipam.checkpoint}, the engine's state as a
 * snapshot (format 5, written by {@link SnapshotCodec} through an atomic, synced file), and the record
 * {@code x} of {@code meta.cm} that says which file the maps match (its length and CRC32C) and how many entries
 * each map held when it was written.
 * <p>
 * The record is what makes a checkpoint trusted: it is written at a clean close after the last change is in the
 * maps, synced, and removed (and {@code meta.cm} synced) at every open before anything else is written to the
 * maps. A checkpoint is used only when the record is there, the dirty marker is not, the file is exactly the one
 * the record names, it reads back as a whole snapshot, and what it holds accounts for every entry of both maps.
 * Anything else is refused with a message (never a stack trace) and the open loads the maps as before.
 */
final class StoreCheckpoint
{
    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);
    /** The checkpoint file, beside the maps. */
    static final String FILE = "ipam.checkpoint";
    /** Key of the record in {@code meta.cm}. */
    static final byte[] KEY = {'x'};
    /** The record's version (its first byte). */
    static final byte VERSION = 1;
    /** The record: u8 version, then big-endian i64 file length, CRC32C of the file, entries of entries.cm, entries
     * of meta.cm (without the record), the change feed's last sequence. */
    static final int RECORD = 1 + 5 * 8;

    private StoreCheckpoint()
    {
    }

    /**
     * What the record in {@code meta.cm} says.
     *
     * @param length       the checkpoint file's length in bytes.
     * @param crc          CRC32C of the whole file.
     * @param entries      entries of {@code entries.cm} when it was written.
     * @param metaEntries  entries of {@code meta.cm} when it was written, the record not counted.
     * @param lastSequence the change feed's last sequence (the snapshot carries it too).
     */
    record Mark(long length, long crc, long entries, long metaEntries, long lastSequence)
    {
        byte[] encode()
        {
            return ByteBuffer.allocate(RECORD).put(VERSION).putLong(length).putLong(crc).putLong(entries)
                .putLong(metaEntries).putLong(lastSequence).array();
        }

        /**
         * @param v the record's bytes.
         * @return what it says.
         * @throws IpamException {@code STORE_CORRUPT} when it is not a record of this version.
         */
        static Mark decode(final byte[] v)
        {
            if (v.length != RECORD || v[0] != VERSION)
            {
                throw refused("its record in " + DurableStore.META + " is not one this version writes (" + v.length +
                    " bytes, version " + (v.length > 0 ? v[0] : -1) + ")");
            }
            final ByteBuffer b = ByteBuffer.wrap(v, 1, RECORD - 1);
            return new Mark(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
        }
    }

    /**
     * Write the checkpoint file of an engine that nothing changes any more (the writer stopped).
     *
     * @param dir          the store directory.
     * @param engine       the engine.
     * @param lastSequence the change feed's last sequence.
     * @param entries      entries of {@code entries.cm} now.
     * @param metaEntries  entries of {@code meta.cm} now.
     * @return the record to store in {@code meta.cm}.
     * @throws IpamException {@code STORE_IO} when the file cannot be written (no file is left then).
     */
    static Mark write(final Path dir, final AllocatorEngine engine, final long lastSequence, final long entries,
        final long metaEntries)
    {
        final Path file = dir.resolve(FILE);
        SnapshotCodec.write(SnapshotCodec.capture(engine, System.currentTimeMillis(), lastSequence), file);
        final long[] digest = digest(file);
        return new Mark(digest[0], digest[1], entries, metaEntries, lastSequence);
    }

    /**
     * Read a checkpoint file and check it against its record and the maps.
     *
     * @param file        the checkpoint file.
     * @param mark        the record that was in {@code meta.cm}.
     * @param entries     entries of {@code entries.cm} now.
     * @param metaEntries entries of {@code meta.cm} now, the record not counted.
     * @param metaExtra   entries of {@code meta.cm} that are neither subnets nor pools (the generator, the sequence).
     * @param capacity    the store's capacity.
     * @return the state it holds, to be restored with the clock and sequence a load of the maps gives.
     * @throws IpamException {@code STORE_CORRUPT} or {@code STORE_IO} saying why it cannot be used.
     */
    static SnapshotData read(final Path file, final Mark mark, final long entries, final long metaEntries,
        final long metaExtra, final long capacity)
    {
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw refused("it is not a regular file");
        }
        if (mark.entries() != entries || mark.metaEntries() != metaEntries)
        {
            throw refused("the maps hold " + entries + " and " + metaEntries + " entries, it was written when they " +
                "held " + mark.entries() + " and " + mark.metaEntries());
        }
        final long[] digest = digest(file);
        if (digest[0] != mark.length() || digest[1] != mark.crc())
        {
            throw refused("it is not the file the store recorded (" + digest[0] + " bytes, CRC32C " +
                Long.toHexString(digest[1]) + "; recorded " + mark.length() + " bytes, CRC32C " +
                Long.toHexString(mark.crc()) + "): damaged, or another store's");
        }
        final SnapshotData data = SnapshotCodec.read(file);
        if (data.lifecycle.lastSequence != mark.lastSequence())
        {
            throw refused("it holds change sequence " + data.lifecycle.lastSequence + ", its record " +
                mark.lastSequence());
        }
        // every entry of both maps is accounted for by what the checkpoint holds
        long children = 0;
        for (final EngineImage.PrefixPoolImage p : data.prefixPools)
        {
            children += p.children.size();
        }
        long cooling = 0;
        for (final List<long[]> c : data.lifecycle.cooling.values())
        {
            cooling += c.size();
        }
        final long held = data.allocationCount() + children + cooling + data.lifecycle.keys.size();
        if (held != entries || data.subnets.size() + data.prefixPools.size() + metaExtra != metaEntries)
        {
            throw refused("it holds " + held + " allocations, children, cooling addresses and keys and " +
                (data.subnets.size() + data.prefixPools.size()) + " subnets and pools; the maps hold " + entries +
                " and " + (metaEntries - metaExtra));
        }
        if (data.allocationCount() + children > capacity)
        {
            throw refused("it holds more than the store's capacity of " + capacity);
        }
        // restored like the maps: the engine's clock starts at 0 (a load of the maps knows no clock) and the
        // sequence the engine continues is the one the maps keep (key q); the journal gives the feed its own
        final LifecycleImage lifecycle = data.lifecycle;
        lifecycle.clockMs = 0;
        return new SnapshotData(data.formatVersion, 0, data.subnets, data.prefixPools, data.randomStates)
            .withLifecycle(lifecycle);
    }

    /**
     * @return the file's length and CRC32C, read through a bounded buffer, never through a link.
     */
    static long[] digest(final Path file)
    {
        final CRC32C crc = new CRC32C();
        long length = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            final ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
            int n;
            while ((n = ch.read(b.clear())) >= 0)
            {
                if (n > 0)
                {
                    crc.update(b.flip());
                    length += n;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read checkpoint " + file + ": " + ex.getMessage());
        }
        return new long[] {length, crc.getValue()};
    }

    /**
     * Remove what a close killed while writing the checkpoint left: its temporary files
     * ({@code .ipam.checkpoint.tmp-*}); a link of that name is removed, never followed.
     *
     * @param dir the store directory.
     * @return how many were removed.
     */
    static int removeLeftovers(final Path dir)
    {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "." + FILE + ".tmp-*"))
        {
            for (final Path f : files)
            {
                Files.deleteIfExists(f);
                removed++;
            }
        }
        catch (final IOException ex)
        {
            // a leftover only takes room; the checkpoint itself is guarded by its record
        }
        return removed;
    }

    /**
     * The open's choice ({@code docs/durable-store.md}, "The checkpoint"), after the record was taken out of
     * {@code meta.cm} and that was synced: the engine restored from the checkpoint when it provably matches the maps,
     * else null (one line logged saying why, when there was a file or a record). The file is removed either way, and
     * what a killed close left.
     *
     * @param record       the record that was in {@code meta.cm}, or null.
     * @param recovered    the open found an unclean shutdown.
     * @param entries      entries of {@code entries.cm} now.
     * @param metaEntries  entries of {@code meta.cm} now, the record not counted.
     * @param metaExtra    entries of {@code meta.cm} that are neither subnets nor pools.
     * @param lastSequence the change sequence the maps keep (the engine continues from it, as after a map load).
     * @param fresh        makes an empty engine without listener.
     * @param wideSubnets  receives the ids of the wide subnets restored.
     */
    static AllocatorEngine restore(final Path dir, final byte[] record, final boolean recovered, final long entries,
        final long metaEntries, final long metaExtra, final long capacity, final long lastSequence,
        final Supplier<AllocatorEngine> fresh, final Set<String> wideSubnets)
    {
        final Path file = dir.resolve(FILE);
        removeLeftovers(dir);
        final boolean present = Files.exists(file, LinkOption.NOFOLLOW_LINKS);
        if (!present && record == null)
        {
            return null;
        }
        AllocatorEngine loaded = null;
        String why = null;
        if (recovered)
        {
            why = "the store was not closed cleanly after it was written";
        }
        else if (record == null)
        {
            why = "the store holds no record of it (written by another store, or the store changed since)";
        }
        else if (!present)
        {
            why = "the file is missing";
        }
        else
        {
            try
            {
                final SnapshotData data = read(file, Mark.decode(record), entries, metaEntries, metaExtra, capacity);
                data.lifecycle.lastSequence = lastSequence;
                final AllocatorEngine e = fresh.get();
                data.restoreInto(e);
                for (final SnapshotData.Subnet s : data.subnets)
                {
                    if (SettingsCodec.isWide(s.meta.cidr))
                    {
                        wideSubnets.add(s.meta.id);
                    }
                }
                loaded = e;
            }
            catch (final RuntimeException ex)
            {
                // refused (STORE_CORRUPT naming why), or a file that trips the reader: never trusted
                why = DurableStore.describe(ex);
                wideSubnets.clear();
            }
        }
        if (loaded == null && present && record != null && !recovered)
        {
            LOG.warn("store {}: refusing checkpoint {} ({}); loading the maps", dir, file, why);
        }
        else if (loaded == null)
        {
            LOG.info("store {}: not using checkpoint {} ({}); loading the maps", dir, file, why);
        }
        try
        {
            Files.deleteIfExists(file); // a link of that name is removed, never followed
        }
        catch (final IOException ex)
        {
            // harmless: without its record in meta.cm the file is never trusted
            LOG.warn("store {}: cannot remove checkpoint {} ({})", dir, file, DurableStore.describe(ex));
        }
        return loaded;
    }

    /**
     * A clean close's checkpoint, after everything is synced: the file (atomic, synced), then its record in
     * {@code meta.cm}, then {@code meta.cm} synced. One that cannot be written is logged and its record removed.
     *
     * @return true when one was written.
     */
    static boolean atClose(final Path dir, final AllocatorEngine engine, final long lastSequence,
        final ChronicleMap<byte[], byte[]> entries, final ChronicleMap<byte[], byte[]> meta, final StoreSync sync)
    {
        try
        {
            final Mark mark = write(dir, engine, lastSequence, entries.longSize(), meta.longSize());
            meta.put(KEY, mark.encode());
            sync.forceMeta();
            final Runnable hook = DurableStore.afterCheckpoint;
            if (hook != null)
            {
                hook.run();
            }
            return true;
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            // the maps are whole and synced: the next open loads them instead
            LOG.warn("store {}: no checkpoint written at close ({}); the next open loads the maps", dir,
                DurableStore.describe(ex));
            try
            {
                meta.remove(KEY);
                sync.forceMeta();
            }
            catch (final RuntimeException ignore)
            {
                // a record without its file, or naming another, is never trusted
            }
            return false;
        }
    }

    private static IpamException refused(final String why)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, why);
    }
}
