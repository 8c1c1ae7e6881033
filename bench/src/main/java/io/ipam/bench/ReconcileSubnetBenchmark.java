package io.ipam.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Issue 22's target for {@code reconcileSubnet}: a /16 with 50,000 expected addresses and 5,000 differences (2,000
 * held but not expected, 2,000 expected and free, 1,000 held by the wrong owner), one call through the in-memory
 * allocator's facade (the expected map parsed and sorted at the edge, one command, one writer step). Each invocation
 * runs on a freshly made state (made outside the measurement). Target: 50 ms or less (measured, never asserted).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, batchSize = 1)
@Measurement(iterations = 15, batchSize = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-XX:+UseParallelGC"})
public class ReconcileSubnetBenchmark
{
    private static final UUID WRONG = new UUID(9, 9);
    private static final UUID STRAY = new UUID(8, 8);

    private final Map<String, UUID> expected = new HashMap<>();
    private Ipam ipam;

    @Setup(Level.Invocation)
    public void setUp()
    {
        ipam = Ipam.inMemory(IpamConfig.builder().maxBulk(65_536).build());
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
        final long base = AddressText.parseV4("10.0.0.0");
        expected.clear();
        for (int i = 2; i <= 50_001; i++)
        {
            expected.put(AddressText.formatV4(base + i), new UUID(1, i));
            if (i <= 48_001)
            {
                // 2 .. 47,001 held by their expected owner, 47,002 .. 48,001 by the wrong one; the rest missing
                ipam.allocate("s", AddressText.formatV4(base + i), i <= 47_001 ? new UUID(1, i) : WRONG);
            }
        }
        for (int i = 50_002; i <= 52_001; i++)
        {
            ipam.allocate("s", AddressText.formatV4(base + i), STRAY);
        }
    }

    @Benchmark
    public ReconcileReport reconcileSubnet()
    {
        final ReconcileReport r = ipam.reconcileSubnet("s", expected, Duration.ZERO, false);
        if (r.released().size() != 2_000 || r.allocated().size() != 2_000 || r.reowned().size() != 1_000)
        {
            throw new IllegalStateException("unexpected report " + r.released().size() + "/" + r.allocated().size() +
                "/" + r.reowned().size());
        }
        return r;
    }

    @TearDown(Level.Invocation)
    public void tearDown()
    {
        ipam.close();
    }
}
