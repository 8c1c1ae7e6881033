package io.ipam.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a store's changes reach the device, and what a failure stops ({@code docs/durable-store.md}, "Acknowledged
 * means stored" and "When a sync or a write fails"): the sync policy applied after each batch, the periodic syncer
 * (a daemon of the store's own), and the first failure to sync or write, after which every change is refused with
 * {@code STORE_IO} until the store is reopened. Changes are marked by the writer; a sync runs on the writer or on
 * the syncer, one at a time.
 */
final class StoreSync
{
    private static final Logger LOG = LoggerFactory.getLogger(DurableStore.class);

    private final IpamConfig.SyncPolicy policy;
    private final long intervalNs;
    private final FileChannel metaChannel;
    private final FileChannel entriesChannel;
    private final Object lock = new Object();
    private final AtomicLong syncs = new AtomicLong();
    private final ScheduledExecutorService syncer;
    private volatile Path dir;
    private volatile ChangeJournal journal;
    private long lastSyncNs = System.nanoTime();
    /** Changes made to the maps since the open: only ever grows; written by the writer's thread only. */
    private final AtomicLong changes = new AtomicLong();
    /** {@link #changes} as it was when the last sync began: every change up to it is on the device. */
    private volatile long synced;
    // the first failure to sync or write: from then on every change is refused with STORE_IO until reopened
    private volatile IpamException failed;

    /**
     * @param dir    the store's directory.
     * @param config the sync policy and interval.
     * @throws IOException when the maps' files cannot be opened for syncing.
     */
    StoreSync(final Path dir, final IpamConfig config) throws IOException
    {
        this.dir = dir;
        this.policy = config.syncPolicy();
        this.intervalNs = config.syncInterval().toNanos();
        this.metaChannel = FileChannel.open(dir.resolve(DurableStore.META), StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        this.entriesChannel = FileChannel.open(dir.resolve(DurableStore.ENTRIES), StandardOpenOption.READ,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        if (policy == IpamConfig.SyncPolicy.PERIODIC)
        {
            // PERIODIC means within syncInterval even when no request comes: a daemon of the store's own
            syncer = Executors.newSingleThreadScheduledExecutor(r ->
            {
                final Thread t = new Thread(r, "ipam-store-sync");
                t.setDaemon(true);
                return t;
            });
            syncer.scheduleWithFixedDelay(this::periodicSync, intervalNs, intervalNs, TimeUnit.NANOSECONDS);
        }
        else
        {
            syncer = null;
        }
    }

    /**
     * @param dir the directory the store now lives in (a restore renamed it).
     */
    void dir(final Path dir)
    {
        this.dir = dir;
    }

    /**
     * @param journal the change journal, forced with the maps from now on.
     */
    void journal(final ChangeJournal journal)
    {
        this.journal = journal;
    }

    private void periodicSync()
    {
        if (dirty() && failed == null)
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

    /**
     * Every change starts here: a store that failed to sync or write refuses everything until it is reopened,
     * so nothing is acknowledged that might not be on the device.
     */
    void checkUsable()
    {
        final IpamException f = failed;
        if (f != null)
        {
            throw new IpamException(ErrorCode.STORE_IO, "store " + dir + " failed earlier and accepts no changes " +
                "until it is reopened (" + f.getMessage() + ")");
        }
    }

    /**
     * Called after each change is in the map: one ordered store (no fence on x86). The syncer reads the count before
     * it forces, so a change counted by then is covered by that force and one counted after leaves the store dirty.
     */
    void markDirty()
    {
        changes.lazySet(changes.get() + 1);
    }

    /**
     * @return changes made to the maps since the store opened: only ever grows (a sync does not reset it), so a close
     * compares it before and after its checkpoint to see a write it did not expect.
     */
    long changes()
    {
        return changes.get();
    }

    /**
     * Stop the store: every later change is refused.
     *
     * @param ex the failure.
     * @return it.
     */
    IpamException fail(final IpamException ex)
    {
        failed = ex;
        return ex;
    }

    /**
     * Apply the sync policy after a batch of changes, before they are acknowledged.
     */
    void afterBatch()
    {
        checkUsable();
        if (!dirty() || policy == IpamConfig.SyncPolicy.NONE)
        {
            return;
        }
        final long now = System.nanoTime();
        // PERIODIC: the store's syncer does it within the interval; a batch only syncs when that is overdue
        if (policy == IpamConfig.SyncPolicy.EVERY_BATCH || now - lastSyncNs >= 2 * intervalNs)
        {
            sync();
        }
    }

    /**
     * Force the maps' dirty pages to the device (fsync of the mapped files writes back pages dirtied through the
     * mapping on Linux), and the journal with them.
     */
    void sync()
    {
        checkUsable();
        // from the writer or the periodic syncer: one at a time. Forcing a file while the writer stores into its
        // mapping is safe: pages written during the force are simply left dirty for the next one, which the count,
        // read before forcing, asks for
        synchronized (lock)
        {
            try
            {
                final long covered = changes.get();
                metaChannel.force(false);
                entriesChannel.force(false);
                final ChangeJournal j = journal;
                if (j != null)
                {
                    j.force();
                }
                lastSyncNs = System.nanoTime();
                synced = covered;
                syncs.incrementAndGet();
            }
            catch (final IOException | RuntimeException ex)
            {
                // what was not forced stays counted as not synced
                throw fail(new IpamException(ErrorCode.STORE_IO, "cannot sync store " + dir + ": " +
                    DurableStore.describe(ex), ex));
            }
        }
    }

    /**
     * Force {@code meta.cm} alone (the checkpoint's record: removed at open before any other write, written at close).
     *
     * @throws IpamException {@code STORE_IO} when it cannot be forced (the store is then failed).
     */
    void forceMeta()
    {
        synchronized (lock)
        {
            try
            {
                metaChannel.force(false);
            }
            catch (final IOException | RuntimeException ex)
            {
                throw fail(new IpamException(ErrorCode.STORE_IO, "cannot sync " + DurableStore.META + " of store " +
                    dir + ": " + DurableStore.describe(ex), ex));
            }
        }
    }

    /**
     * Stop the periodic syncer.
     *
     * @return true when the store has not failed (it may be synced and marked clean).
     */
    boolean stop()
    {
        if (syncer != null)
        {
            syncer.shutdownNow();
            try
            {
                syncer.awaitTermination(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        return failed == null;
    }

    /**
     * @throws IOException when a channel does not close.
     */
    void closeChannels() throws IOException
    {
        metaChannel.close();
        entriesChannel.close();
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
        return changes.get() != synced;
    }

    /**
     * @return the failure that stopped the store, or null.
     */
    IpamException failure()
    {
        return failed;
    }

    /**
     * @return the meta map's channel, which a sync forces first.
     */
    FileChannel metaChannel()
    {
        return metaChannel;
    }
}
