package io.ipam.tools;

import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.ipam.cluster.ClusterIpam;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code ipam bench --cluster}: closed-loop allocations against a running ipam cluster from several clients, each
 * with many calling threads (a client batches what its threads send at the same time). Counts acknowledged
 * allocations only; a subnet of its own (a fresh tenant's 10.0.0.0/8) per run.
 */
final class ClusterBench
{
    private ClusterBench()
    {
    }

    /**
     * Closed loop in waves: send {@code window} asynchronous allocations, wait until all are answered, again.
     */
    private static void waves(final ClusterIpam ipam, final String subnet, final UUID owner, final int window,
        final AtomicLong phase, final LongAdder acked, final Map<String, LongAdder> failures, final Recorder latency)
    {
        final Thread me = Thread.currentThread();
        final AtomicInteger pending = new AtomicInteger();
        while (phase.get() < 2)
        {
            pending.set(window);
            for (int i = 0; i < window; i++)
            {
                final long start = System.nanoTime();
                ipam.allocateAsync(subnet, owner).whenComplete((address, ex) ->
                {
                    if (ex == null)
                    {
                        if (phase.get() == 1)
                        {
                            acked.increment();
                            latency.recordValue(Math.min(System.nanoTime() - start, TimeUnit.SECONDS.toNanos(60)));
                        }
                    }
                    else
                    {
                        final Throwable cause = ex instanceof CompletionException &&
                            ex.getCause() != null ? ex.getCause() : ex;
                        final String code = cause instanceof IpamException ?
                            ((IpamException)cause).code().name() : cause.getClass().getSimpleName();
                        failures.computeIfAbsent(code, k -> new LongAdder()).increment();
                    }
                    if (pending.decrementAndGet() == 0)
                    {
                        LockSupport.unpark(me);
                    }
                });
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pending.get() > 0 && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    static void run(final PrintWriter out, final List<String> members, final int clientCount, final int threads,
        final int window, final long warmMs, final long runMs) throws InterruptedException
    {
        final String run = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        final String subnet = "bench-" + run;
        final List<ClusterIpam> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < clientCount; i++)
            {
                clients.add(ClusterIpam.connect(new ClusterIpam.Context().members(members)));
            }
            clients.get(0).createSubnet(SubnetSpec.builder(subnet, "10.0.0.0/8").tenant("bench-" + run).build());
            final LongAdder acked = new LongAdder();
            final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
            final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
            final AtomicLong phase = new AtomicLong(); // 0 warm-up, 1 measuring, 2 stop
            final CountDownLatch done = new CountDownLatch(clientCount * threads);
            for (int c = 0; c < clientCount; c++)
            {
                final ClusterIpam ipam = clients.get(c);
                for (int t = 0; t < threads; t++)
                {
                    final UUID owner = new UUID(c, t);
                    final Thread thread = new Thread(() ->
                    {
                        try
                        {
                            if (window > 1)
                            {
                                waves(ipam, subnet, owner, window, phase, acked, failures, latency);
                                return;
                            }
                            while (phase.get() < 2)
                            {
                                final long start = System.nanoTime();
                                try
                                {
                                    ipam.allocate(subnet, owner);
                                    if (phase.get() == 1)
                                    {
                                        acked.increment();
                                        latency.recordValue(Math.min(System.nanoTime() - start,
                                            TimeUnit.SECONDS.toNanos(60)));
                                    }
                                }
                                catch (final IpamException ex)
                                {
                                    failures.computeIfAbsent(ex.code().name(), k -> new LongAdder()).increment();
                                }
                            }
                        }
                        finally
                        {
                            done.countDown();
                        }
                    }, "bench-" + c + "-" + t);
                    thread.setDaemon(true);
                    thread.start();
                }
            }
            Thread.sleep(warmMs);
            latency.reset();
            final long t0 = System.nanoTime();
            phase.set(1);
            Thread.sleep(runMs);
            final long n = acked.sum();
            final double seconds = (System.nanoTime() - t0) / 1e9;
            phase.set(2);
            final Histogram h = latency.getIntervalHistogram();
            done.await(30, TimeUnit.SECONDS);
            final long resends = clients.stream().mapToLong(ClusterIpam::resends).sum();
            out.printf(Locale.ROOT, "cluster %s, %d clients x %d threads, %s, %.1f s measured after %.1f s " +
                "warm-up%n", String.join(",", members), clientCount, threads, window > 1 ? "waves of " + window +
                " asynchronous allocations per thread" : "blocking calls", seconds, warmMs / 1000.0);
            out.printf(Locale.ROOT, "acknowledged allocations: %,d = %,.0f /s%n", n, n / seconds);
            out.printf(Locale.ROOT, "latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6,
                h.getValueAtPercentile(99.9) / 1e6, h.getMaxValue() / 1e6);
            out.println("failed calls: " + (failures.isEmpty() ? "none" : failures.toString()) + "; resends: " +
                resends + "; leader: " + clients.get(0).leader());
            out.flush();
            try
            {
                clients.get(0).deleteSubnet(subnet, true);
            }
            catch (final IpamException ex)
            {
                out.println("could not delete " + subnet + ": " + ex.getMessage());
            }
        }
        finally
        {
            for (final ClusterIpam c : clients)
            {
                c.close();
            }
        }
    }
}
