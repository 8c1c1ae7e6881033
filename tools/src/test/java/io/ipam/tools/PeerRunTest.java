package io.ipam.tools;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ipam bench --peer go-ipam --peer-source DIR}: the options are checked, and the checkout's
 * {@code load/gopeer/run} is found and refuses a folder that is not go-ipam's source (the full run needs that
 * source, which the build machines do not have: bench/README.md).
 */
@Timeout(60)
class PeerRunTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldCheckTheOptions()
    {
        IpamToolTest.Run r = IpamToolTest.run("bench", "--peer", "go-ipam");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--peer-source DIR"), r.err());
        r = IpamToolTest.run("bench", "--peer", "etcd", "--peer-source", tmp.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("ipam: MALFORMED"), r.err());
    }

    @Test
    void shouldRunTheCheckoutsScriptWhichRefusesAFolderThatIsNotGoIpam() throws Exception
    {
        assertTrue(Files.isExecutable(PeerRun.script()), PeerRun.script().toString());
        Files.writeString(tmp.resolve("go.mod"), "module example.com/not-go-ipam\n");
        final IpamToolTest.Run r = IpamToolTest.run("bench", "--peer", "go-ipam", "--peer-source", tmp.toString(),
            "--clients", "1", "--seconds", "0.1");
        assertEquals(2, r.code(), "load/gopeer/run's usage exit: " + r.err());
    }
}
