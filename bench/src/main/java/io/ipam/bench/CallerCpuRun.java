package io.ipam.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.IpamConfig;
import io.ipam.core.WriterMode;
import io.ipam.load.Fill;
import io.ipam.load.Target;
import io.ipam.load.Targets;
import io.ipam.load.peers.BitSetAllocator;
import io.ipam.load.peers.PeerAllocator;

/**
 * The callers' scaling of {@code ./ipam bench} (allocate+release pairs, text at the edge, a /16 held half full),
 * counted two ways: pairs per second of wall time, and pairs per second of the callers' own CPU time (each caller
 * thread's CPU time from {@code ThreadMXBean}, summed). On a machine shared with other work the wall figure says
 * how much CPU the run was given; the CPU figure says what a pair costs whatever the share, spinning included, so
 * two builds can be compared on a loaded machine. Targets alternate within each round.
 * <p>
 * Usage: {@code java <flags> -cp bench/target/benchmarks.jar io.ipam.bench.CallerCpuRun [SECONDS [ROUNDS [TARGETS]]]}
 * with TARGETS a comma list of {@code ipam}, {@code dedicated}, {@code lock}, {@code engine} (default
 * {@code ipam,engine,lock}; {@code engine} is {@code load.peers.EngineLockAllocator}, absent from builds before it).
 */
public final class CallerCpuRun
{
    private static final int[] CALLERS = {1, 2, 4, 8};

    private CallerCpuRun()
    {
    }

    /**
     * @param args seconds per trial, rounds, targets.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final String[] names = (args.length > 2 ? args[2] : "ipam,engine,lock").split(",");
        final int size = Fill.poolSize(Targets.CIDR);
        final boolean[] taken = Fill.taken(size, 50, 42);
        final List<Target> targets = new ArrayList<>();
        for (final String name : names)
        {
            targets.add(target(name, size, taken));
        }
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "%-12s %7s %5s %14s %16s %10s%n", "target", "callers", "round", "pairs/s wall",
            "pairs/s of CPU", "cores used");
        for (final int callers : CALLERS)
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int t = 0; t < targets.size(); t++)
                {
                    if (round == 0)
                    {
                        run(targets.get(t), callers, 0.3, mx); // warm-up
                    }
                    final double[] r = run(targets.get(t), callers, seconds, mx);
                    System.out.printf(Locale.ROOT, "%-12s %7d %5d %,14.0f %,16.0f %10.2f%n", names[t], callers,
                        round + 1, r[0], r[1], r[1] > 0 ? r[0] / r[1] : 0);
                }
            }
        }
        for (final Target t : targets)
        {
            t.close();
        }
    }

    private static Target target(final String name, final int size, final boolean[] taken) throws Exception
    {
        switch (name)
        {
            case "ipam":
                return Targets.ipam(name, null, IpamConfig.builder().writerMode(WriterMode.CALLER_RUNS).build(), taken);
            case "dedicated":
                return Targets.ipam(name, null, IpamConfig.builder().writerMode(WriterMode.DEDICATED).build(), taken);
            case "lock":
                return Targets.peer(new BitSetAllocator(size, false), taken);
            case "engine":
                final PeerAllocator engine = (PeerAllocator)Class.forName("io.ipam.load.peers.EngineLockAllocator")
                    .getConstructor(String.class, String.class, IpamConfig.class)
                    .newInstance("bench", Targets.CIDR, IpamConfig.defaults());
                return Targets.peer(engine, taken);
            default:
                throw new IllegalArgumentException("unknown target " + name);
        }
    }

    /**
     * @return pairs per second of wall time and of the callers' CPU time.
     */
    private static double[] run(final Target target, final int callers, final double seconds, final ThreadMXBean mx)
        throws Exception
    {
        final AtomicLong pairs = new AtomicLong();
        final AtomicLong cpuNs = new AtomicLong();
        final CyclicBarrier start = new CyclicBarrier(callers + 1);
        final long[] stopAt = new long[1];
        final List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++)
        {
            final UUID owner = new UUID(9, c);
            final Thread thread = new Thread(() ->
            {
                long n = 0;
                try
                {
                    start.await();
                    final long cpu0 = mx.getCurrentThreadCpuTime();
                    while (System.nanoTime() < stopAt[0])
                    {
                        for (int i = 0; i < 64; i++)
                        {
                            target.release(target.allocate(owner));
                        }
                        n += 64;
                    }
                    cpuNs.addAndGet(mx.getCurrentThreadCpuTime() - cpu0);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
                pairs.addAndGet(n);
            }, "caller-" + c);
            threads.add(thread);
            thread.start();
        }
        final long begin = System.nanoTime();
        stopAt[0] = begin + (long)(seconds * TimeUnit.SECONDS.toNanos(1));
        start.await();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final double wall = (System.nanoTime() - begin) / 1e9;
        return new double[] {pairs.get() / wall, cpuNs.get() == 0 ? 0 : pairs.get() / (cpuNs.get() / 1e9)};
    }
}
