package io.ipam.tools;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ipam.client.GrpcIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.persistence.DurableIpam;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.IpamServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ipam serve} as an operator runs it: the launcher, a real process on a free loopback port, the CLI and
 * the Java client against it, SIGTERM, and the durable store afterwards. Runs after packaging, like
 * {@link LauncherTest}.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeProcessTest
{
    private static final String ADMIN = "serve-admin-token-0001";
    private static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");
    private static final UUID OWNER = UUID.fromString("00000000-0000-0000-0000-000000000007");

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

    private static String[] exec(final String... args) throws Exception
    {
        final String[] cmd = new String[args.length + 1];
        cmd[0] = root().resolve("ipam").toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void shouldRefuseATokensFileOthersCanRead() throws Exception
    {
        final Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, ADMIN + " *\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-r--r--"));
        final String[] r = exec("serve", "--store", tmp.resolve("store").toString(), "--listen", "127.0.0.1:0",
            "--tokens", tokens.toString());
        assertEquals("1", r[0], r[1]);
        assertTrue(r[1].contains("chmod 600") && !r[1].contains("\tat "), r[1]);
        assertFalse(Files.exists(tmp.resolve("store")), "refused before the store is created");
        final String[] usage = exec("serve", "--listen", "127.0.0.1:0");
        assertEquals("2", usage[0], "--store or --memory is required: " + usage[1]);
    }

    @Test
    void shouldExitAtOnceOnASecondSigtermWhileDraining() throws Exception
    {
        final Process server = new ProcessBuilder(root().resolve("ipam").toString(), "serve", "--memory", "--listen",
            "127.0.0.1:0", "--drain-timeout", "120").redirectErrorStream(true).start();
        try
        {
            final BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
            String target = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine())
            {
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    target = m.group(1);
                    break;
                }
            }
            assertNotNull(target);
            // a stream left open is a call in flight: the drain waits for it
            final ManagedChannel ch = NettyChannelBuilder.forTarget(target)
                .usePlaintext().build();
            final CountDownLatch answered = new CountDownLatch(1);
            final StreamObserver<BatchRequest> open =
                IpamServiceGrpc.newStub(ch).batchStream(new StreamObserver<>()
                {
                    @Override
                    public void onNext(final BatchResponse value)
                    {
                        answered.countDown();
                    }

                    @Override
                    public void onError(final Throwable t)
                    {
                    }

                    @Override
                    public void onCompleted()
                    {
                    }
                });
            open.onNext(BatchRequest.getDefaultInstance());
            assertTrue(answered.await(30, TimeUnit.SECONDS));
            final String pid = Long.toString(server.pid());
            assertEquals(0, new ProcessBuilder("kill", "-TERM", pid).start().waitFor());
            for (String line = lines.readLine(); line != null; line = lines.readLine())
            {
                if (line.contains("draining"))
                {
                    break;
                }
            }
            assertFalse(server.waitFor(1, TimeUnit.SECONDS), "still draining: the stream is open");
            assertEquals(0, new ProcessBuilder("kill", "-TERM", pid).start().waitFor());
            assertTrue(server.waitFor(30, TimeUnit.SECONDS), "a second SIGTERM ends it at once");
            assertEquals(3, server.exitValue());
            ch.shutdownNow();
        }
        finally
        {
            server.destroyForcibly();
        }
    }

    @Test
    void shouldServeTheCliAndClientsThenDrainOnSigterm() throws Exception
    {
        final Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, ADMIN + " *\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        final Path store = tmp.resolve("store");
        final Process server = new ProcessBuilder(root().resolve("ipam").toString(), "serve", "--store",
            store.toString(), "--listen", "127.0.0.1:0", "--tokens", tokens.toString()).redirectErrorStream(true)
            .start();
        try
        {
            final BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
            String target = null;
            for (String line = lines.readLine(); line != null; line = lines.readLine())
            {
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    target = m.group(1);
                    assertFalse(line.contains("page on"), "the web page is off without --ui: " + line);
                    break;
                }
            }
            assertNotNull(target, "the server says where it listens");

            String[] r = exec("subnet", "create", "--server", target, "s", "10.1.0.0/24");
            assertEquals("1", r[0], "no token: " + r[1]);
            assertTrue(r[1].contains("UNAUTHENTICATED"), r[1]);
            r = exec("subnet", "create", "--server", target, "--token", ADMIN, "s", "10.1.0.0/24", "--strategy",
                "LOWEST");
            assertEquals("0", r[0], r[1]);
            r = exec("alloc", "--server", target, "--token", ADMIN, "s", "--owner", OWNER.toString(), "--count", "3");
            assertEquals("0", r[0], r[1]);
            assertTrue(r[1].contains("10.1.0.2") && r[1].contains("10.1.0.4"), r[1]);
            r = exec("subnet", "create", "--server", target, "--token", ADMIN, "t", "10.1.0.0/16");
            assertEquals("1", r[0], r[1]);
            assertTrue(r[1].contains("SUBNET_OVERLAP") && !r[1].contains("\tat "), r[1]);
            r = exec("snapshot", "create", "--server", target, "--token", ADMIN, tmp.resolve("s.snap").toString());
            assertEquals("0", r[0], r[1]);
            r = exec("snapshot", "verify", tmp.resolve("s.snap").toString());
            assertEquals("0", r[0], r[1]);

            try (GrpcIpam client = GrpcIpam.builder(target).token(ADMIN).build())
            {
                assertEquals(List.of("10.1.0.5"), List.of(client.allocateNext("s", OWNER)));
                assertEquals(4, client.allocations(OWNER).size());
                assertEquals(ErrorCode.ADDRESS_TAKEN,
                    assertThrows(IpamException.class, () -> client.allocate("s", "10.1.0.5", OWNER)).code());
            }
            // the store is the server's: the CLI cannot open it meanwhile
            r = exec("subnet", "list", "--store", store.toString());
            assertEquals("1", r[0], r[1]);

            // SIGTERM by kill(1): Process.destroy() would close our end of its output
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor());
            final StringBuilder rest = new StringBuilder();
            for (String line = lines.readLine(); line != null; line = lines.readLine())
            {
                rest.append(line).append('\n');
            }
            assertTrue(server.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, server.exitValue(), rest.toString());
            assertTrue(rest.toString().contains("store synced and closed"), rest.toString());
            assertFalse(rest.toString().contains("\tat "), rest.toString());
        }
        finally
        {
            server.destroyForcibly();
        }
        try (Ipam reopened = DurableIpam.open(store))
        {
            assertEquals(4, reopened.allocations(OWNER).size(), "every acknowledged allocation is in the store");
        }
    }
}
