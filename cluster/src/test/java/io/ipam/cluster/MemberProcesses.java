package io.ipam.cluster;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipam.core.IpamException;

/**
 * Three members, each its own JVM ({@link ClusterNode#main}), in a temporary directory deleted on close: what the
 * failure tests kill and restart (tests only).
 */
final class MemberProcesses implements AutoCloseable
{
    final Path root;
    final List<String> members;
    final Path keyFile;
    final Process[] nodes = new Process[3];
    private final int snapshotIntervalS;
    /** Options every member is started with beyond the usual ones (a tokens file, say). */
    final List<String> extraArgs = new ArrayList<>();

    MemberProcesses(final int snapshotIntervalS) throws IOException
    {
        this(snapshotIntervalS, true);
    }

    /**
     * @param start start the three members now; else {@link #startAll()} does (after {@link #extraArgs} are set).
     */
    MemberProcesses(final int snapshotIntervalS, final boolean start) throws IOException
    {
        this.snapshotIntervalS = snapshotIntervalS;
        root = Files.createTempDirectory("ipam-members");
        members = LocalCluster.freeMembers(3);
        keyFile = root.resolve("cluster.key");
        final byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(keyFile, HexFormat.of().formatHex(key));
        if (start)
        {
            startAll();
        }
    }

    void startAll() throws IOException
    {
        for (int i = 0; i < 3; i++)
        {
            nodes[i] = start(i);
        }
    }

    Path dir(final int id)
    {
        return root.resolve("node-" + id);
    }

    Process start(final int id) throws IOException
    {
        return start(id, false);
    }

    /**
     * @param seed start with {@code --seed true}: copy a snapshot and the log from the others into an empty directory.
     */
    Process start(final int id, final boolean seed) throws IOException
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
        cmd.addAll(List.of("-Xmx1g", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-cp", System.getProperty("java.class.path"),
            ClusterNode.class.getName(), "--id", Integer.toString(id), "--members", String.join(",", members),
            "--dir", dir(id).toString(), "--key-file", keyFile.toString(),
            "--heartbeat-timeout-ms", "1000", "--snapshot-interval-s", Integer.toString(snapshotIntervalS),
            "--seed", Boolean.toString(seed)));
        cmd.addAll(extraArgs);
        final File log = root.resolve("node-" + id + ".log").toFile();
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        nodes[id] = p;
        return p;
    }

    void kill(final int id) throws InterruptedException
    {
        nodes[id].destroyForcibly(); // SIGKILL
        nodes[id].waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Stop a member's process without killing it (SIGSTOP): to the others it is silent, as under a long GC pause or a
     * frozen VM; {@link #resume} lets it go on where it was.
     */
    void pause(final int id) throws IOException, InterruptedException
    {
        signal(id, "STOP");
    }

    /**
     * Let a paused member go on (SIGCONT).
     */
    void resume(final int id) throws IOException, InterruptedException
    {
        signal(id, "CONT");
    }

    private void signal(final int id, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(nodes[id].pid()))
            .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0)
        {
            throw new IOException("kill -" + signal + " " + nodes[id].pid() + " failed");
        }
    }

    /**
     * The member's heap in use right after a full collection ({@code jcmd PID GC.run}, then {@code GC.heap_info}).
     *
     * @return bytes, or -1 if jcmd could not tell.
     */
    long heapUsedAfterGc(final int id) throws IOException, InterruptedException
    {
        final String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        final String pid = Long.toString(nodes[id].pid());
        run(jcmd, pid, "GC.run");
        final String info = run(jcmd, pid, "GC.heap_info");
        // serial collector: "def new generation   total 1234K, used 567K ..." and
        // "tenured generation   total ..., used ..."
        long used = 0;
        boolean found = false;
        final Matcher m = Pattern.compile("(generation|heap)\\s+total \\d+K, used (\\d+)K")
            .matcher(info);
        while (m.find())
        {
            used += Long.parseLong(m.group(2)) * 1024;
            found = true;
        }
        return found ? used : -1;
    }

    private static String run(final String... cmd) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    ClusterIpam connect() throws InterruptedException
    {
        return connect(null);
    }

    /**
     * @param token a token of the members' tokens file, or null.
     */
    ClusterIpam connect(final String token) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            try
            {
                return ClusterIpam.connect(new ClusterIpam.Context().members(members).token(token)
                    .requestTimeout(Duration.ofSeconds(30)));
            }
            catch (final IpamException ex)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new AssertionError("no leader within 60 s" + logs(), ex);
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * @return the live member whose role file says LEADER, or -1.
     */
    int leader() throws IOException
    {
        for (int i = 0; i < 3; i++)
        {
            final Path role = dir(i).resolve("role");
            if (nodes[i] != null && nodes[i].isAlive() && Files.exists(role) &&
                Files.readString(role).trim().equals("LEADER"))
            {
                return i;
            }
        }
        return -1;
    }

    long logLines(final int id, final String containing) throws IOException
    {
        final Path log = root.resolve("node-" + id + ".log");
        return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains(containing)).count() : 0;
    }

    String logs()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            try
            {
                final List<String> lines = Files.readAllLines(root.resolve("node-" + i + ".log"));
                sb.append("\n--- member ").append(i).append(" (last lines) ---\n");
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> sb.append(l).append('\n'));
            }
            catch (final IOException ex)
            {
                sb.append("\n(no log for member ").append(i).append(')');
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException
    {
        for (final Process p : nodes)
        {
            if (p != null)
            {
                p.destroy(); // SIGTERM: a clean stop deletes the media driver directory
            }
        }
        for (int i = 0; i < 3; i++)
        {
            try
            {
                if (nodes[i] != null && !nodes[i].waitFor(15, TimeUnit.SECONDS))
                {
                    nodes[i].destroyForcibly();
                    nodes[i].waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final InterruptedException ex)
            {
                nodes[i].destroyForcibly();
                Thread.currentThread().interrupt();
            }
            LocalCluster.deleteTree(Path.of(ClusterNode.aeronDirFor(dir(i).toAbsolutePath(), i)));
        }
        // the members' logs stay in target/member-logs for a look after the run
        final Path keep = Path.of("target", "member-logs");
        Files.createDirectories(keep);
        for (int i = 0; i < 3; i++)
        {
            final Path log = root.resolve("node-" + i + ".log");
            if (Files.exists(log))
            {
                Files.copy(log, keep.resolve(root.getFileName() + "-node-" + i + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        LocalCluster.deleteTree(root);
    }
}
