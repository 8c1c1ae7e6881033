package io.ipam.bench;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 25's in-process batch: a batch of {@code size} allocations (by strategy, in a /16 held half full), then a
 * batch releasing them, through {@link Ipam#apply(IpamBatch)} (one {@code BATCH} command each: {@code impl=batch}),
 * against the same pairs made call by call through the same facade ({@code impl=calls}). Text at the edge both ways.
 * Scores are allocate+release pairs per second summed over the callers.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class BatchBenchmark
{
    private static final int SIZE = 1000;

    @Param({"batch", "calls"})
    public String impl;

    private Ipam ipam;

    /** Each caller's owner and its two reusable batches. */
    @State(Scope.Thread)
    public static class Caller
    {
        final UUID owner = UUID.randomUUID();
        final IpamBatch allocate = new IpamBatch();
        final IpamBatch release = new IpamBatch();
        final String[] held = new String[SIZE];
    }

    @Setup(Level.Trial)
    public void setUp()
    {
        ipam = Ipam.inMemory(IpamConfig.defaults());
        ipam.createSubnet(SubnetSpec.builder("bench", "10.0.0.0/16").noGateway().build());
        final IpamBatch fill = new IpamBatch();
        final UUID filler = new UUID(1, 1);
        for (int i = 0; i < 65_534; i += 2)
        {
            fill.allocate("bench", AddressText.formatV4(0x0A000001L + i), filler);
            if (fill.size() == 1000)
            {
                ipam.apply(fill);
                fill.clear();
            }
        }
        ipam.apply(fill);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        ipam.close();
    }

    private int pairs(final Caller c)
    {
        if (impl.equals("calls"))
        {
            for (int i = 0; i < SIZE; i++)
            {
                c.held[i] = ipam.allocate("bench", c.owner);
            }
            for (int i = 0; i < SIZE; i++)
            {
                ipam.release("bench", c.held[i]);
            }
            return SIZE;
        }
        c.allocate.clear();
        for (int i = 0; i < SIZE; i++)
        {
            c.allocate.allocate("bench", c.owner);
        }
        ipam.apply(c.allocate);
        c.release.clear();
        for (int i = 0; i < SIZE; i++)
        {
            c.release.release("bench", c.allocate.address(i));
        }
        ipam.apply(c.release);
        return SIZE;
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(SIZE)
    public int callers1(final Caller c)
    {
        return pairs(c);
    }

    @Benchmark
    @Threads(4)
    @OperationsPerInvocation(SIZE)
    public int callers4(final Caller c)
    {
        return pairs(c);
    }
}
