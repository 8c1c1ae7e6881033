package io.ipam.bench;

import java.util.concurrent.TimeUnit;

import io.ipam.load.Fill;
import io.ipam.load.peers.KubernetesStyleAllocator;
import io.ipam.load.peers.NeutronStyleAllocator;
import io.ipam.load.peers.PeerAllocator;
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
 * The other peers on the same operation as {@link HotPathBenchmark}'s {@code op=any}: allocate one address
 * and release it, owner recorded, at a fixed fill. Kubernetes-style: random start and a forward scan over one
 * bitmap. Neutron-style: every allocation reloads the subnet's allocations, builds the free set and picks
 * among the lowest 1,000. Run on the /24 and /16 only: one Neutron-style allocation in a /8 takes seconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class PeerBenchmark
{
    @Param({"10.0.0.0/24", "10.0.0.0/16"})
    public String cidr;

    @Param({"1", "50", "99"})
    public int fill;

    @Param({"kubernetes", "neutron"})
    public String impl;

    private PeerAllocator peer;
    private long owner;

    @Setup(Level.Trial)
    public void setUp()
    {
        final int size = Fill.poolSize(cidr);
        final boolean[] taken = Fill.taken(size, fill, 42);
        peer = impl.equals("kubernetes") ? new KubernetesStyleAllocator(size) : new NeutronStyleAllocator(size);
        for (int i = 0; i < size; i++)
        {
            if (taken[i])
            {
                peer.allocate(i, i & 1023);
            }
        }
    }

    @Benchmark
    public long allocateAndRelease()
    {
        final long offset = peer.allocate(++owner);
        if (offset < 0 || !peer.release(offset))
        {
            throw new IllegalStateException("allocation failed");
        }
        return offset;
    }
}
