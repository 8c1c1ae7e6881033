package io.ipam.load;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * Load runs against a {@link Target}: closed-loop throughput with N callers, and open-loop latency at a fixed
 * offered rate. Latency is measured from each request's intended send time, not its actual one, so a stall
 * delays the requests queued behind it in the figures too (corrected for coordinated omission).
 */
public final class LoadRun
{
    private LoadRun()
    {
    }

    /**
     * Closed loop: each caller allocates and releases as fast as it can.
     *
     * @param target  what to drive.
     * @param callers threads.
     * @param millis  how long.
     * @return allocate+release pairs per second, all callers together.
     * @throws InterruptedException if interrupted.
     */
    public static double throughput(final Target target, final int callers, final long millis)
        throws InterruptedException
    {
        final AtomicLong ops = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CyclicBarrier start = new CyclicBarrier(callers + 1);
        final long[] stopAt = new long[1];
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++)
        {
            final UUID owner = new UUID(9, t);
            final Thread thread = new Thread(() ->
            {
                long n = 0;
                try
                {
                    start.await();
                    while (System.nanoTime() < stopAt[0])
                    {
                        for (int i = 0; i < 64; i++)
                        {
                            target.release(target.allocate(owner));
                        }
                        n += 64;
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                ops.addAndGet(n);
            }, "load-" + t);
            threads.add(thread);
            thread.start();
        }
        final long begin = System.nanoTime();
        stopAt[0] = begin + TimeUnit.MILLISECONDS.toNanos(millis);
        try
        {
            start.await();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        if (failure.get() != null)
        {
            throw new IllegalStateException("load failed: " + failure.get(), failure.get());
        }
        return ops.get() * 1e9 / (System.nanoTime() - begin);
    }

    /**
     * Open loop at a fixed rate from one sender; each allocate+release pair is timed from its intended start.
     *
     * @param target    what to drive.
     * @param perSecond offered rate of pairs.
     * @param millis    how long.
     * @return latency in nanoseconds per pair.
     */
    public static Histogram latency(final Target target, final double perSecond, final long millis)
    {
        // auto-resizing: a target that falls behind gets latencies as long as it really makes its callers wait
        final Histogram histogram = new Histogram(3);
        final UUID owner = new UUID(10, 0);
        final double intervalNs = 1e9 / perSecond;
        final long begin = System.nanoTime();
        final long end = begin + TimeUnit.MILLISECONDS.toNanos(millis);
        // a target far slower than the offered rate would keep the run going for ever: stop sending at this
        // point and charge every request not sent with at least the time it had waited by then
        final long giveUp = end + 4 * TimeUnit.MILLISECONDS.toNanos(millis);
        long i = 0;
        while (true)
        {
            final long intended = begin + (long)(i * intervalNs);
            if (intended >= end)
            {
                break;
            }
            long now = System.nanoTime();
            if (now > giveUp)
            {
                for (long j = i; begin + (long)(j * intervalNs) < end; j++)
                {
                    histogram.recordValue(now - (begin + (long)(j * intervalNs)));
                }
                break;
            }
            while (now < intended)
            {
                if (intended - now > 50_000)
                {
                    LockSupport.parkNanos(intended - now - 20_000);
                }
                now = System.nanoTime();
            }
            target.release(target.allocate(owner));
            histogram.recordValue(Math.max(0, System.nanoTime() - intended));
            i++;
        }
        return histogram;
    }
}
