package io.ipam.persistence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.ipam.core.Allocation;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 at random moments, 10 rounds in one directory: after each, every acknowledged allocation is present
 * with its owner, every acknowledged release is gone, and no address has two owners. Each round's child opens
 * from the checkpoint the test's clean close of the round before left, writes, and is killed: the test's open
 * then never takes that checkpoint, and loads the maps.
 */
class KillTest
{
    private static final int ROUNDS = Integer.getInteger("ipam.kill.rounds", 10);

    @TempDir
    Path tmp;

    @Test
    void shouldLoseNothingAcknowledgedWhenKilled() throws Exception
    {
        final Path dir = tmp.resolve("store");
        final SplittableRandom random = new SplittableRandom(Long.getLong("ipam.kill.seed", 11L));
        final Map<String, UUID> expected = new HashMap<>();  // "subnet address" -> owner
        for (int round = 1; round <= ROUNDS; round++)
        {
            final Process child = start(dir, round);
            final List<String> lines = new ArrayList<>();
            final Thread reader = new Thread(() -> read(child, lines));
            reader.start();
            waitFor(lines, "READY", 60_000, child);
            Thread.sleep(50 + random.nextInt(700));
            // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the pipe and
            // drop acknowledged lines not yet read
            child.toHandle().destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            reader.join(10_000);
            int acknowledged = 0;
            String releaseInFlight = null;
            synchronized (lines)
            {
                for (final String line : lines)
                {
                    final String[] f = line.split(" ");
                    if (f[0].equals("A") && f.length == 4)
                    {
                        expected.put(f[1] + " " + f[2], UUID.fromString(f[3]));
                        acknowledged++;
                    }
                    else if (f[0].equals("R") && f.length == 3)
                    {
                        expected.remove(f[1] + " " + f[2]);
                        acknowledged++;
                        releaseInFlight = null;
                    }
                    else if (f[0].equals("P") && f.length == 3)
                    {
                        releaseInFlight = f[1] + " " + f[2];
                    }
                }
            }
            assertTrue(acknowledged > 0, "round " + round + ": the child acknowledged nothing before the kill");
            synchronized (lines)
            {
                // the parent closed the store cleanly after each round: the child opened from that checkpoint
                assertEquals("LOADED " + (round == 1 ? DurableStore.FROM_MAPS : DurableStore.FROM_CHECKPOINT),
                    lines.get(0), "round " + round);
            }
            final String[] from = new String[1];
            DurableIpam.opened = store -> from[0] = store.loadedFrom();
            try (Ipam ipam = DurableIpam.open(dir, IpamConfig.builder().storeCapacity(200_000).build()))
            {
                DurableIpam.opened = null;
                // the child wrote after opening from the checkpoint, then was killed: never that checkpoint again
                assertEquals(DurableStore.FROM_MAPS, from[0], "round " + round + ": the open after the kill");
                if (releaseInFlight != null && !ipam.owner(releaseInFlight.split(" ")[0],
                    releaseInFlight.split(" ")[1]).isPresent())
                {
                    // the release in flight at the kill reached the store before its answer: allowed
                    expected.remove(releaseInFlight);
                }
                for (final Map.Entry<String, UUID> e : expected.entrySet())
                {
                    final String[] key = e.getKey().split(" ");
                    assertEquals(Optional.of(e.getValue()), ipam.owner(key[0], key[1]),
                        "round " + round + ": acknowledged allocation " + e.getKey() + " lost or changed");
                }
                // nothing more than acknowledged may be present, except changes in flight at the kill (at most one)
                final Set<String> seen = new HashSet<>();
                long total = 0;
                for (final SubnetInfo s : ipam.subnets())
                {
                    total += s.allocated();
                }
                for (int r = 1; r <= round; r++)
                {
                    for (int o = 0; o < 50; o++)
                    {
                        for (final Allocation a : ipam.allocations(new UUID(r, o)))
                        {
                            assertTrue(seen.add(a.subnetId() + " " + a.address()),
                                "address " + a.address() + " has two owners");
                        }
                    }
                }
                assertEquals(total, seen.size(), "every stored allocation has exactly one owner");
                assertTrue(total - expected.size() <= round && expected.size() - total <= 0,
                    "round " + round + ": store holds " + total + ", acknowledged " + expected.size());
            }
        }
    }

    private static Process start(final Path dir, final int round) throws IOException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle"))
            {
                cmd.add(arg);
            }
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KillChild.class.getName());
        cmd.add(dir.toString());
        cmd.add(Integer.toString(round));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void read(final Process child, final List<String> lines)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                synchronized (lines)
                {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        }
        catch (final IOException ex)
        {
            // the child died; what was read is what was acknowledged
        }
    }

    private static void waitFor(final List<String> lines, final String marker, final long timeoutMs,
        final Process child) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (lines)
        {
            while (!lines.contains(marker))
            {
                if (!child.isAlive() || System.currentTimeMillis() > deadline)
                {
                    fail("child did not start: " + lines + " (exit " + (child.isAlive() ? "alive" : child.exitValue()) +
                        ")");
                }
                lines.wait(100);
            }
        }
    }
}
