package io.ipam.tools;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.server.IpamServer;
import io.ipam.server.ServerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens off the command line (issue 25): {@code --token-file} (private files only), {@code --token} with a
 * warning, never both; against a real server with a tokens file.
 */
@Timeout(120)
class TokenOptionsTest
{
    private static final String ADMIN = "admin-token-0123456789";

    @TempDir
    Path tmp;

    private IpamServer server;

    @BeforeEach
    void start() throws Exception
    {
        final Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, ADMIN + " *\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        final Ipam ipam = Ipam.inMemory(IpamConfig.defaults());
        ipam.createSubnet(SubnetSpec.builder("net1", "10.0.0.0/24").build());
        server = IpamServer.start(new ServerContext().listen(new InetSocketAddress("127.0.0.1", 0)).tokens(tokens)
            .workerThreads(2), ipam, true);
    }

    @AfterEach
    void stop()
    {
        server.shutdown();
    }

    private Path tokenFile(final String name, final String text, final String mode) throws Exception
    {
        final Path f = tmp.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void shouldReadThePrivateTokenFile() throws Exception
    {
        final Path f = tokenFile("token", "\n" + ADMIN + "\n", "rw-------");
        final IpamToolTest.Run r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file",
            f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("net1"), r.out());
        assertFalse(r.err().contains("warning"), r.err());
    }

    @Test
    void shouldWarnWhenTheTokenIsOnTheCommandLine()
    {
        final IpamToolTest.Run r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token", ADMIN);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("net1"), r.out());
        assertTrue(r.err().contains(TokenSource.COMMAND_LINE_WARNING), r.err());
    }

    @Test
    void shouldRefuseATokenFileOthersCanReadOrALinkOrBothOptions() throws Exception
    {
        final Path open = tokenFile("open", ADMIN + "\n", "rw-r--r--");
        IpamToolTest.Run r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file",
            open.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("chmod 600"), r.err());
        assertFalse(r.err().contains(ADMIN), "the token is never echoed: " + r.err());

        final Path link = tmp.resolve("link");
        Files.createSymbolicLink(link, tokenFile("real", ADMIN + "\n", "rw-------"));
        r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file", link.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("not a regular file"), r.err());

        r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file", tmp.resolve("real")
            .toString(), "--token", ADMIN);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("one of --token and --token-file"), r.err());

        r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file",
            tokenFile("empty", "\n \n", "rw-------").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("holds no token"), r.err());
    }

    @Test
    void shouldRefuseAWrongTokenFromTheFile() throws Exception
    {
        final IpamToolTest.Run r = IpamToolTest.run("subnet", "list", "--server", server.target(), "--token-file",
            tokenFile("wrong", "not-the-admin-token-000\n", "r--------").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("FORBIDDEN") || r.err().contains("UNAUTHENTICATED"), r.err());
        assertFalse(r.err().contains("not-the-admin-token-000"), r.err());
    }
}
