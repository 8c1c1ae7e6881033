package io.ipam.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.RandomSource;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.PortRequest;
import io.ipam.core.engine.PrefixPools;
import io.ipam.core.engine.SubnetRules;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prefix pools and port requests on the single-thread API. {@code prefix}: allocate a /64 best fit and release
 * it in an IPv6 /32 pool that already holds 1,000,000 /64 children (the cost is O(width x log n)).
 * {@code port}: a port request of 3 items (specific, any, next) across 3 subnets, then its release.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class PrefixBenchmark
{
    /** Where the engine writes what a call made (reused: the hot path allocates nothing). */
    private final EngineResult result = new EngineResult();
    private PrefixPools pools;
    private final PortRequest port = new PortRequest();
    private AllocatorEngine engine;
    private int a;
    private int b;
    private int c;
    private long owner;
    private int specific;

    @Setup(Level.Trial)
    public void setUp()
    {
        engine = new AllocatorEngine(RandomSource.seeded(1), 16);
        pools = engine.prefixPools();
        pools.create("p", List.of(AddressText.parseCidr("2001:db8::/32", "p")), 48, 128, 64, -1);
        for (int i = 0; i < 1_000_000; i++)
        {
            if (pools.allocate("p", "t", 64, result) != AllocatorEngine.OK)
            {
                throw new IllegalStateException("setup");
            }
        }
        a = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("a", "10.0.0.0/16").build()));
        b = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("b", "10.1.0.0/16").build()));
        c = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("c", "2001:db9::/64")
            .strategy(AllocationStrategy.LOWEST).build()));
    }

    @Benchmark
    public Cidr prefix()
    {
        if (pools.allocate("p", "t", 64, result) != AllocatorEngine.OK)
        {
            throw new IllegalStateException("prefix allocation failed");
        }
        final Cidr child = result.prefix();
        pools.release("p", child);
        return child;
    }

    @Benchmark
    public long port()
    {
        owner++;
        port.clear().specific(a, false, 0, 0x0A000000L + 2 + (specific++ & 0x3FFF)).any(b).next(c);
        final int rc = engine.allocatePort(port, 3, owner, owner, AllocationTerms.NONE, result);
        if (rc != AllocatorEngine.OK)
        {
            throw new IllegalStateException("port failed: " + rc);
        }
        return engine.releaseOwner(3, owner, null);
    }
}
