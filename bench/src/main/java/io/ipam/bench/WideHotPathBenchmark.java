package io.ipam.bench;

import java.util.concurrent.TimeUnit;

import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 22's cost target: RANDOM allocate+release over a subnet's whole default pool, a /48 (2^80 addresses, 128-bit
 * offsets: the wide set, index and pools) against a /64 (2^64: the 64-bit hashed set and index), in the same run, at
 * a fixed number of live allocations (each operation allocates one and releases the oldest, so the state does not
 * drift). The AES-CTR source both draw from is the default one. Target: the /48 within 1.5x of the /64.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseParallelGC"})
public class WideHotPathBenchmark
{
    @Param({"2001:db8::/64", "2001:db8::/48"})
    public String cidr;

    @Param({"1000", "100000"})
    public int live;

    private final EngineResult result = new EngineResult();
    private AllocatorEngine engine;
    private int handle;
    private long[] ringHi;
    private long[] ringLo;
    private int next;
    private long owner;

    @Setup(Level.Trial)
    public void setUp()
    {
        engine = new AllocatorEngine(RandomSource.keyed(new byte[32], 1), 16);
        handle = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", cidr).build()));
        ringHi = new long[live];
        ringLo = new long[live];
        for (int i = 0; i < live; i++)
        {
            take(i);
        }
    }

    private void take(final int i)
    {
        if (engine.allocate(handle, 2, ++owner, owner, AllocationTerms.NONE, result) != AllocatorEngine.OK)
        {
            throw new IllegalStateException("allocation failed");
        }
        ringHi[i] = result.addressHi();
        ringLo[i] = result.address();
    }

    @Benchmark
    public long allocateAndRelease()
    {
        final int i = next;
        next = next + 1 == live ? 0 : next + 1;
        if (engine.release(handle, ringHi[i], ringLo[i], false, 0, 0) != AllocatorEngine.RELEASED)
        {
            throw new IllegalStateException("release failed");
        }
        take(i);
        return ringLo[i];
    }
}
