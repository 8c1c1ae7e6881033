package io.ipam.bench;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.RandomSource;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import com.sun.management.OperatingSystemMXBean;

/**
 * Snapshot costs at scale (single shots, so not JMH): the writer's pause (the capture on the writer thread),
 * the write (ordering, encoding, file, fsync, rename), a raw write of the same bytes in the same round (the
 * baseline the issue 26 targets are ratios to), and a restore into memory, for N allocations (default
 * 10,000,000) spread over a /8 and an IPv6 /64, 5,000 owners; with {@code legacy}, also the format before
 * version 5 (write, read, rebuild) from the same image.
 * Run: {@code java -cp bench/target/benchmarks.jar io.ipam.bench.SnapshotRun [N [rounds [legacy]]]}.
 */
public final class SnapshotRun
{
    /** Where the engine writes what a call made. */
    private static final EngineResult OUT = new EngineResult();

    private SnapshotRun()
    {
    }

    /**
     * @param args optional allocation count.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final boolean withLegacy = args.length > 2 && "legacy".equals(args[2]);
        final AllocatorEngine engine = new AllocatorEngine(RandomSource.seeded(1), 65_536);
        final int v4 = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("v4", "10.0.0.0/8").build()));
        final int v6 = engine.createSubnet(SubnetRules.plan(SubnetSpec.builder("v6", "2001:db8::/64").build()));
        final long t0 = System.nanoTime();
        for (int i = 0; i < n; i++)
        {
            final int rc = engine.allocate(i % 2 == 0 ? v4 : v6, 7, i % 5000, i, AllocationTerms.NONE, OUT);
            if (rc != AllocatorEngine.OK)
            {
                throw new IllegalStateException("fill failed at " + i + ": " + rc);
            }
        }
        System.out.printf(Locale.ROOT, "filled %,d allocations in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        final Path file = Files.createTempFile("ipam-snapshot-run", ".snap");
        final Path raw = Files.createTempFile("ipam-snapshot-raw", ".bin");
        final Path legacy = Files.createTempFile("ipam-snapshot-legacy", ".snap");
        final OperatingSystemMXBean os = (OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean();
        for (int round = 0; round < rounds; round++)
        {
            // a collection the fill (or the previous round) left pending is not the capture's: collect first, then
            // take the pause as the median of five captures (each is what the writer thread would stop for)
            System.gc();
            final long[] pauses = new long[5];
            SnapshotCodec.Image image = null;
            for (int k = 0; k < pauses.length; k++)
            {
                final long p0 = System.nanoTime();
                image = SnapshotCodec.capture(engine, System.currentTimeMillis());
                pauses[k] = System.nanoTime() - p0;
            }
            Arrays.sort(pauses);
            final long c1 = pauses[pauses.length / 2];
            final long cpu0 = os.getProcessCpuTime();
            final long c2w = System.nanoTime();
            final SnapshotInfo info = SnapshotCodec.write(image, file);
            final long c2 = System.nanoTime();
            final long cpu1 = os.getProcessCpuTime();
            System.out.printf(Locale.ROOT, "         capture pauses %.2f / %.2f / %.2f ms (min / median / max of 5), " +
                "write used %.3f s of process CPU%n", pauses[0] / 1e6, pauses[2] / 1e6, pauses[4] / 1e6,
                (cpu1 - cpu0) / 1e9);
            // the same bytes written raw: one buffer through the same AtomicFile (create, write, fsync, rename)
            final byte[] bytes = Files.readAllBytes(file);
            final long w0 = System.nanoTime();
            try (AtomicFile target = AtomicFile.prepare(raw, true, "raw"))
            {
                final FileChannel ch = target.openChannel(true);
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining())
                {
                    ch.write(b);
                }
                target.commit();
            }
            final long w1 = System.nanoTime();
            try (Ipam restored = Ipam.restoreInMemory(file, IpamConfig.defaults()))
            {
                final long c3 = System.nanoTime();
                if (restored.subnet("v4").allocated() + restored.subnet("v6").allocated() != n)
                {
                    throw new IllegalStateException("restore lost allocations");
                }
                System.out.printf(Locale.ROOT, "round %d: %,d allocations, version %d, %,d bytes: writer pause " +
                    "%.2f ms, write %.3f s, raw write of the same bytes %.3f s (write/raw %.2fx), restore %.3f s " +
                    "(restore/raw %.2fx)%n", round, info.allocations(), info.formatVersion(), info.bytes(),
                    c1 / 1e6, (c2 - c2w) / 1e9, (w1 - w0) / 1e9, (double)(c2 - c2w) / (w1 - w0),
                    (c3 - w1) / 1e9, (double)(c3 - w1) / (w1 - w0));
            }
            // the restore in two parts: reading and checking the file, then rebuilding the engine from it
            final long r0 = System.nanoTime();
            final long rc0 = os.getProcessCpuTime();
            final SnapshotData data = SnapshotCodec.read(file);
            final long r1 = System.nanoTime();
            final long rc1 = os.getProcessCpuTime();
            data.restoreInto(new AllocatorEngine(RandomSource.seeded(2), 65_536));
            final long r2 = System.nanoTime();
            final long rc2 = os.getProcessCpuTime();
            System.out.printf(Locale.ROOT, "         restore = read and check %.3f s (CPU %.3f s) + engine rebuild " +
                "%.3f s (CPU %.3f s)%n", (r1 - r0) / 1e9, (rc1 - rc0) / 1e9, (r2 - r1) / 1e9, (rc2 - rc1) / 1e9);
            if (withLegacy)
            {
                // the format before version 5, same image, same run: order into SnapshotData, then the v3/v4 writer
                final long l0 = System.nanoTime();
                final SnapshotInfo old = SnapshotCodec.write(image.data().inLegacyFormat(), legacy);
                final long l1 = System.nanoTime();
                final SnapshotData oldData = SnapshotCodec.read(legacy);
                final long l2 = System.nanoTime();
                oldData.restoreInto(new AllocatorEngine(RandomSource.seeded(2), 65_536));
                final long l3 = System.nanoTime();
                System.out.printf(Locale.ROOT, "         legacy version %d, %,d bytes: write %.3f s, read and check " +
                    "%.3f s + engine rebuild %.3f s%n", old.formatVersion(), old.bytes(), (l1 - l0) / 1e9,
                    (l2 - l1) / 1e9, (l3 - l2) / 1e9);
            }
        }
        Files.deleteIfExists(raw);
        Files.deleteIfExists(legacy);
        Files.deleteIfExists(file);
        System.out.println("owner check: " + new UUID(7, 0));
    }
}
