package io.ipam.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.random.CipherRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the generator costs a RANDOM allocation: allocate + release on the engine's hot path in a nearly empty
 * 10.0.0.0/16 (one address held), with each generator of {@link RandomBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RandomAllocateBenchmark
{
    /** Where the engine writes what a call made (reused: the hot path allocates nothing). */
    private final EngineResult result = new EngineResult();
    @Param({"aes-ctr", "chacha20", "splitmix64"})
    public String source;

    private AllocatorEngine engine;
    private int handle;
    private long owner;

    @Setup
    public void setup()
    {
        final SecureRandom seed = new SecureRandom();
        final RandomSource random = source.equals("aes-ctr") ? CipherRandom.fresh(CipherRandom.AES_CTR, seed) :
            source.equals("chacha20") ? CipherRandom.fresh(CipherRandom.CHACHA20, seed) :
            RandomSource.seeded(seed.nextLong());
        engine = new AllocatorEngine(random, 16);
        handle = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("s", "10.0.0.0/16").build()));
        // one address held for good: the 64K chunk never goes empty, so Roaring never recreates its container
        engine.allocateSpecific(handle, (10L << 24) | 0xFFFE, 1, 1, 0, AllocationTerms.NONE, result);
    }

    @Benchmark
    public long allocateAndRelease()
    {
        owner++;
        final int rc = engine.allocate(handle, 2, owner, owner, AllocationTerms.NONE, result);
        final long address = result.address();
        if (rc != AllocatorEngine.OK || engine.release(handle, address) != AllocatorEngine.RELEASED)
        {
            throw new IllegalStateException("allocation failed: " + rc);
        }
        return address;
    }
}
