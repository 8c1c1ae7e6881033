package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * {@code ipam bench --peer go-ipam --peer-source DIR [--server HOST:PORT]}: runs {@code load/gopeer/run} of this
 * checkout, which builds go-ipam from DIR, starts it (and an in-memory {@code ipam serve} unless --server names
 * one) on loopback and drives both with the same Go client; its output is this command's.
 */
final class PeerRun
{
    private PeerRun()
    {
    }

    static int run(final BenchCommand c, final PrintWriter err) throws IOException, InterruptedException
    {
        if (c.peer == null || c.peerSource == null || !"go-ipam".equals(c.peer))
        {
            throw new IpamException(ErrorCode.MALFORMED, "--peer go-ipam goes with --peer-source DIR (a checkout of " +
                "go-ipam's source; bench/README.md says how to get one)");
        }
        final Path script = script();
        final List<String> cmd = new ArrayList<>(List.of(script.toString(), "--peer-source",
            c.peerSource.toAbsolutePath().toString()));
        final StringJoiner counts = new StringJoiner(",");
        for (final int n : c.clients)
        {
            if (n < 1 || n > 1024)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--clients must be 1-1024");
            }
            counts.add(Integer.toString(n));
        }
        cmd.addAll(List.of("--clients", counts.toString(), "--batch", Integer.toString(c.batch),
            "--seconds", String.format(Locale.ROOT, "%.1f", c.seconds > 0 ? c.seconds : c.quick ? 1.0 : 3.0),
            "--trials", Integer.toString(c.quick ? 1 : c.trials)));
        if (c.results != null)
        {
            cmd.addAll(List.of("--results", c.results.toAbsolutePath().toString()));
        }
        if (c.server.given())
        {
            cmd.addAll(List.of("--ipam", c.server.target()));
            if (c.server.tokenFile != null)
            {
                cmd.addAll(List.of("--token-file", c.server.tokenFile.toAbsolutePath().toString()));
            }
            else if (c.server.token != null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "with --peer, give the token with --token-file or " +
                    "IPAM_TOKEN");
            }
        }
        err.flush();
        final Process p = new ProcessBuilder(cmd).inheritIO().start();
        return p.waitFor();
    }

    /**
     * @return load/gopeer/run of the checkout this jar was built in (tools/target/ipam.jar).
     */
    static Path script()
    {
        Path root = null;
        try
        {
            final Path jar = Path.of(PeerRun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            root = jar.getParent() == null || jar.getParent().getParent() == null ? null :
                jar.getParent().getParent().getParent();
        }
        catch (final URISyntaxException | SecurityException | IllegalArgumentException ex)
        {
            // falls through to the message below
        }
        final Path script = root == null ? null : root.resolve("load").resolve("gopeer").resolve("run");
        if (script == null || !Files.isExecutable(script))
        {
            throw new IpamException(ErrorCode.STORE_IO, "--peer needs load/gopeer/run of an ipam checkout (run the " +
                "ipam launcher of the checkout, or load/gopeer/run directly)");
        }
        return script;
    }
}
