package io.ipam.core.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.ipam.core.IpamException;
import io.ipam.core.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle ticker of an allocator (SPEC 9): started once there is lifecycle state (a lease, a key, a subnet with
 * a cooldown), a daemon thread that sends the writer a {@code TICK} at least four times a second, and again at once
 * while due work is left, so that expiry happens when nobody calls and a million leases falling due at once are
 * handled a bounded step at a time between other requests. An allocator that never uses the lifecycle has no
 * thread of ipam's own in caller-runs mode.
 * <p>
 * It is never interrupted: a tick may be running the writer, and an interrupt during the store's file I/O would
 * close the store's channels under it. Closing unparks it and waits for a tick in progress.
 */
final class LifecycleTicker
{
    /** Items of each kind (expiries, cooled addresses, keys) one tick handles: about a millisecond of work. */
    static final int TICK_BUDGET = 256;
    /** The longest gap between ticks: expiry is checked at least once per second of clock time (SPEC 9). */
    static final long TICK_INTERVAL_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(LifecycleTicker.class);

    private final CommandProxy proxy;
    private volatile Thread thread;
    private volatile boolean stopped;
    private long lastWarningNs;

    LifecycleTicker(final CommandProxy proxy)
    {
        this.proxy = proxy;
    }

    /**
     * Start the thread if it is not running (and not stopped).
     */
    void ensureStarted()
    {
        if (thread != null || stopped)
        {
            return;
        }
        synchronized (this)
        {
            if (thread != null || stopped)
            {
                return;
            }
            final Thread t = new Thread(this::run, "ipam-lifecycle");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void run()
    {
        while (!stopped)
        {
            boolean more = false;
            try
            {
                final Reply r = proxy.tick(TICK_BUDGET);
                more = r.code >= 0 && r.value == 1;
                proxy.transport().release(r);
            }
            catch (final IpamException ex)
            {
                if (stopped)
                {
                    return;
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastWarningNs > TimeUnit.MINUTES.toNanos(1) || lastWarningNs == 0)
                {
                    // a failed store refuses every tick: say so once a minute, not four times a second
                    lastWarningNs = nowNs;
                    LOG.warn("lifecycle tick failed: {}", ex.getMessage());
                }
            }
            if (!more)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_INTERVAL_MS));
            }
            else
            {
                Thread.yield(); // due work left: the next step at once, callers' requests in between
            }
        }
    }

    /**
     * Stop: no tick starts after this; a tick in progress finishes (its wait for the writer is bounded).
     *
     * @param waitMs how long to wait for it.
     */
    void stop(final long waitMs)
    {
        stopped = true;
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
            try
            {
                t.join(waitMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
