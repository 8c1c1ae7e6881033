package io.ipam.tools;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher as a user runs it: a real process, real exit codes. Runs after packaging (the shaded jar is
 * what the launcher starts); skipped by Maven before the package phase.
 */
class LauncherTest
{
    @TempDir
    Path tmp;

    private static Path root()
    {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("ipam")))
        {
            p = p.getParent();
        }
        return p;
    }

    private static String[] exec(final Path root, final String... args) throws Exception
    {
        final String[] cmd = new String[args.length + 1];
        cmd[0] = root.resolve("ipam").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void shouldRunThroughTheLauncher() throws Exception
    {
        final Path root = root();
        final String store = tmp.resolve("store").toString();
        String[] r = exec(root, "subnet", "create", "--store", store, "s", "10.1.0.0/24");
        assertEquals("0", r[0], r[1]);
        r = exec(root, "alloc", "--store", store, "s", "--owner", "00000000-0000-0000-0000-000000000001", "--next");
        assertEquals("0", r[0], r[1]);
        assertTrue(r[1].contains("10.1.0.2"), r[1]);
        r = exec(root, "subnet", "create", "--store", store, "t", "10.1.0.0/16");
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("SUBNET_OVERLAP") && !r[1].contains("\tat "), r[1]);
        r = exec(root, "frobnicate");
        assertEquals("2", r[0], r[1]);
    }
}
