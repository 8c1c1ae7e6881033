import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

import com.sun.management.ThreadMXBean;
import io.ipam.bench.HotPathBenchmark;
import io.ipam.core.IpamConfig;
import io.ipam.core.WriterMode;
import io.ipam.load.Fill;
import io.ipam.load.Target;
import io.ipam.load.Targets;

/**
 * The hot path's cost in this thread's CPU time (which waiting for a core does not inflate) and heap bytes, so
 * that two builds can be compared on a loaded machine. Compiled against either build's benchmarks.jar: it uses
 * only what both have.
 *   hot CIDR FILL OP N ROUNDS : the build's own HotPathBenchmark (impl=ipam: the engine's hot-path API, one
 *                               allocate and the release of what it took), N operations per round
 *   facade N ROUNDS           : ipam bench's one-caller target (Targets.ipam: the in-memory facade, caller-runs
 *                               writer, text at the edge, 10.0.0.0/16 half full), N allocate+release pairs a round
 * Three rounds are run first and not counted (the JIT). Prints one line: CPU and wall ns per operation (least and
 * median of the rounds), operations per CPU-second at the median, and heap bytes per operation (median).
 */
public final class HotTimes
{
    private static final ThreadMXBean THREAD = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WARMUP = 3;
    private static long sink;

    private interface Op
    {
        long run();
    }

    public static void main(final String[] args) throws Exception
    {
        final String name;
        final Op op;
        final int n;
        final int rounds;
        if (args[0].equals("hot"))
        {
            final HotPathBenchmark b = new HotPathBenchmark();
            b.cidr = args[1];
            b.fill = Integer.parseInt(args[2]);
            b.op = args[3];
            b.impl = "ipam";
            b.setUp();
            name = "hot " + b.cidr + " fill=" + b.fill + " op=" + b.op;
            op = b::allocateAndRelease;
            n = Integer.parseInt(args[4]);
            rounds = Integer.parseInt(args[5]);
        }
        else
        {
            final Target target = Targets.ipam("ipam", null,
                IpamConfig.builder().storeCapacity(100_000).writerMode(WriterMode.CALLER_RUNS).build(),
                Fill.taken(Fill.poolSize(Targets.CIDR), 50, 42));
            final UUID[] owners = new UUID[1024];
            for (int i = 0; i < owners.length; i++)
            {
                owners[i] = new UUID(7, i);
            }
            final int[] next = new int[1];
            name = "facade 10.0.0.0/16 fill=50 one caller";
            op = () ->
            {
                final String address = target.allocate(owners[next[0]++ & 1023]);
                target.release(address);
                return address.length();
            };
            n = Integer.parseInt(args[1]);
            rounds = Integer.parseInt(args[2]);
        }
        final double[] cpu = new double[rounds];
        final double[] wall = new double[rounds];
        final double[] bytes = new double[rounds];
        for (int r = -WARMUP; r < rounds; r++)
        {
            final long b0 = THREAD.getCurrentThreadAllocatedBytes();
            final long w0 = System.nanoTime();
            final long c0 = THREAD.getCurrentThreadCpuTime();
            long s = 0;
            for (int i = 0; i < n; i++)
            {
                s += op.run();
            }
            final long c1 = THREAD.getCurrentThreadCpuTime();
            final long w1 = System.nanoTime();
            final long b1 = THREAD.getCurrentThreadAllocatedBytes();
            sink += s;
            if (r >= 0)
            {
                cpu[r] = (c1 - c0) / (double) n;
                wall[r] = (w1 - w0) / (double) n;
                bytes[r] = (b1 - b0) / (double) n;
            }
        }
        Arrays.sort(cpu);
        Arrays.sort(wall);
        Arrays.sort(bytes);
        System.out.printf(Locale.ROOT, "%-40s cpu ns/op min %7.1f median %7.1f | wall ns/op min %7.1f median %7.1f"
            + " | M ops per cpu-s %6.3f | bytes/op %.3f (sink %d)%n", name, cpu[0], cpu[rounds / 2], wall[0],
            wall[rounds / 2], 1e3 / cpu[rounds / 2], bytes[rounds / 2], sink & 1);
    }
}
