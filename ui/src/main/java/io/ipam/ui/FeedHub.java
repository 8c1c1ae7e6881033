package io.ipam.ui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import io.ipam.core.Change;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed of one scope (the administrator's, or one tenant's view) for the pages that watch it: one thread
 * asks the view every {@link #POLL_MS} while anyone watches and hands what changed to every watcher's bounded queue
 * as one frame. What this puts on the writer is bounded whatever the rate of changes and however many pages are open:
 * per poll one {@code LAST_SEQUENCE} query and, when something changed, one {@code CHANGES} query of at most
 * {@link #FRAME} changes, the newest: under a flood the older ones are skipped, not read (the page shows the newest,
 * it never has to keep up with every allocation). A page that does not read fast enough loses its stream (the page
 * reconnects) rather than holding memory. Thread-safe.
 */
final class FeedHub
{
    /** Poll interval while watched: at most four frames a second. */
    static final long POLL_MS = 250;
    /** Most changes one poll reads and one frame carries (the newest). */
    static final int FRAME = 100;
    /** Changes a new watcher gets first (the newest). */
    static final int RECENT = FRAME;
    /** Frames a watcher may have waiting before it is dropped. */
    static final int QUEUE = 64;

    private static final Logger LOG = LoggerFactory.getLogger(FeedHub.class);

    private final Ipam view;
    private final String name;
    private final Function<List<Change>, String> frame;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private long cursor = -1;
    private Thread pump;

    /**
     * @param view  the scope's allocator view.
     * @param name  for the thread's name.
     * @param frame turns a batch of changes into one frame (an SSE event).
     */
    FeedHub(final Ipam view, final String name, final Function<List<Change>, String> frame)
    {
        this.view = view;
        this.name = name;
        this.frame = frame;
    }

    /**
     * Start watching: the newest changes come first, then every batch as it is read.
     *
     * @return the watcher (close it when its page goes).
     */
    synchronized Watcher watch()
    {
        final Watcher w = new Watcher();
        if (cursor < 0)
        {
            catchUp();
        }
        if (!recent.isEmpty())
        {
            w.queue.offer(frame.apply(new ArrayList<>(recent)));
        }
        watchers.add(w);
        if (pump == null)
        {
            pump = new Thread(this::run, "ipam-ui-feed-" + name);
            pump.setDaemon(true);
            pump.start();
        }
        return w;
    }

    private void catchUp()
    {
        final long last = view.lastSequence();
        cursor = Math.max(0, last - RECENT);
        for (final Change c : view.changes(cursor, RECENT))
        {
            remember(c);
        }
    }

    private void remember(final Change c)
    {
        recent.addLast(c);
        if (recent.size() > RECENT)
        {
            recent.removeFirst();
        }
        cursor = c.sequence();
    }

    private void run()
    {
        while (true)
        {
            synchronized (this)
            {
                watchers.removeIf(w -> w.closed);
                if (watchers.isEmpty())
                {
                    pump = null;
                    cursor = -1; // the next watcher starts from the newest again
                    recent.clear();
                    return;
                }
            }
            try
            {
                poll();
                Thread.sleep(POLL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
            catch (final IpamException ex)
            {
                // the allocator closed, or a view whose tenant is gone: the pages see the stream end
                LOG.debug("change feed {}: {}", name, ex.getMessage());
                synchronized (this)
                {
                    for (final Watcher w : watchers)
                    {
                        w.close();
                    }
                }
            }
        }
    }

    private void poll()
    {
        final long last = view.lastSequence();
        final List<Change> batch;
        synchronized (this)
        {
            if (last <= cursor)
            {
                return;
            }
            // a flood: only the newest FRAME are read, the ones before are skipped
            batch = view.changes(Math.max(cursor, last - FRAME), FRAME);
            for (final Change c : batch)
            {
                remember(c);
            }
            cursor = Math.max(cursor, last);
        }
        if (batch.isEmpty())
        {
            return;
        }
        final String f = frame.apply(batch);
        for (final Watcher w : watchers)
        {
            if (!w.queue.offer(f))
            {
                w.close(); // too slow: dropped, its page reconnects
            }
        }
    }

    /**
     * @return watchers now (tests).
     */
    int watchers()
    {
        return watchers.size();
    }

    /** One page's stream: frames waiting to be written. */
    static final class Watcher
    {
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        volatile boolean closed;

        void close()
        {
            closed = true;
        }
    }
}
