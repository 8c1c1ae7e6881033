package io.ipam.bench;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.IpamConfig;
import io.ipam.core.WriterMode;
import io.ipam.load.Fill;
import io.ipam.load.Target;
import io.ipam.load.Targets;
import io.ipam.load.peers.BitSetAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The thread-safe facade with 1, 2 and 4 callers: allocate by strategy and release, text at the edge, in a /16
 * held half full. {@code impl=ipam}: ring buffer into the allocator agent. {@code impl=bitset}: a
 * {@code synchronized} BitSet with a HashMap of owners behind the same text edge. Scores are pairs per second
 * summed over the callers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class FacadeBenchmark
{
    @Param({"ipam", "ipam-dedicated", "bitset"})
    public String impl;

    private Target target;

    /** Each caller's owner. */
    @State(Scope.Thread)
    public static class Caller
    {
        final UUID owner = UUID.randomUUID();
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        final boolean[] taken = Fill.taken(Fill.poolSize(Targets.CIDR), 50, 42);
        switch (impl)
        {
            case "ipam":
                target = Targets.ipam("ipam", null, IpamConfig.defaults(), taken);
                break;
            case "ipam-dedicated":
                target = Targets.ipam("ipam dedicated writer", null,
                    IpamConfig.builder().writerMode(WriterMode.DEDICATED).build(), taken);
                break;
            default:
                target = Targets.peer(new BitSetAllocator(taken.length, false), taken);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        target.close();
    }

    @Benchmark
    @Threads(1)
    public String callers1(final Caller c)
    {
        final String a = target.allocate(c.owner);
        target.release(a);
        return a;
    }

    @Benchmark
    @Threads(2)
    public String callers2(final Caller c)
    {
        return callers1(c);
    }

    @Benchmark
    @Threads(4)
    public String callers4(final Caller c)
    {
        return callers1(c);
    }

    @Benchmark
    @Threads(8)
    public String callers8(final Caller c)
    {
        return callers1(c);
    }
}
