package io.ipam.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.ipam.core.IpamConfig;
import io.ipam.load.Fill;
import io.ipam.load.Target;
import io.ipam.load.Targets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable against in-memory in the same run: one caller allocates and releases through the facade, in a /16
 * held half full. {@code memory}: no store. {@code none}: Chronicle Map, no sync (survives a process crash).
 * {@code periodic}: plus fsync of the maps every second. {@code every-batch}: fsync before each batch is
 * answered (survives power loss).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true"})
public class DurableBenchmark
{
    @Param({"memory", "none", "periodic", "every-batch"})
    public String store;

    private Target target;
    private Path dir;
    private final UUID owner = UUID.randomUUID();

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final boolean[] taken = Fill.taken(Fill.poolSize(Targets.CIDR), 50, 42);
        final IpamConfig.Builder config = IpamConfig.builder().storeCapacity(100_000);
        if (store.equals("memory"))
        {
            target = Targets.ipam("memory", null, config.build(), taken);
            return;
        }
        dir = Files.createTempDirectory("ipam-durable-bench");
        config.syncPolicy(store.equals("none") ? IpamConfig.SyncPolicy.NONE : store.equals("periodic") ?
            IpamConfig.SyncPolicy.PERIODIC : IpamConfig.SyncPolicy.EVERY_BATCH);
        target = Targets.ipam(store, dir.resolve("store"), config.build(), taken);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        target.close();
        if (dir != null)
        {
            try (Stream<Path> walk = Files.walk(dir))
            {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public String allocateAndRelease()
    {
        final String a = target.allocate(owner);
        target.release(a);
        return a;
    }
}
