package io.ipam.tools;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line of issue 22, tried as an operator would: {@code subnet create} of a /48, {@code alloc --router}
 * of the subnet-router anycast address, {@code subnet update} all or nothing, {@code reconcile --subnet --expected}
 * (a dry run unless {@code --apply}).
 */
class NeutronCommandsTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);

    @TempDir
    Path tmp;

    @Test
    void shouldCreateAWideSubnetGiveARouterItsAnycastAddressAndUpdateInOneStep()
    {
        final String s = tmp.resolve("store").toString();
        IpamToolTest.Run r = IpamToolTest.run("subnet", "create", "--store", s, "w", "2001:db8::/48");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("free=" + BigInteger.ONE.shiftLeft(80).subtract(BigInteger.TWO)), r.out());
        r = IpamToolTest.run("alloc", "--store", s, "w", "--owner", A.toString(), "--address", "2001:db8::");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("ADDRESS_INVALID"), r.err());
        r = IpamToolTest.run("alloc", "--store", s, "w", "--owner", A.toString(), "--address", "2001:db8::",
            "--router");
        assertEquals(0, r.code(), r.err());
        assertEquals("2001:db8::", r.out().strip());
        r = IpamToolTest.run("subnet", "update", "--store", s, "w", "--gateway", "2001:db8:0:1::1");
        assertEquals(1, r.code(), "the new gateway lies in the pool: refused whole");
        assertTrue(r.err().contains("GATEWAY_IN_POOL"), r.err());
        r = IpamToolTest.run("subnet", "update", "--store", s, "w", "--pool", "2001:db8:0:2::-2001:db8:0:2::ff",
            "--gateway", "2001:db8:0:1::1", "--cooldown", "30s");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("gateway=2001:db8:0:1::1") && r.out().contains("free=256") &&
            r.out().contains("cooldown=PT30S"), r.out());
    }

    @Test
    void shouldReconcileASubnetAgainstAnExpectedFileAsADryRunUnlessApplied() throws Exception
    {
        final String s = tmp.resolve("store").toString();
        assertEquals(0, IpamToolTest.run("subnet", "create", "--store", s, "n", "10.0.0.0/24").code());
        assertEquals(0, IpamToolTest.run("alloc", "--store", s, "n", "--owner", B.toString(), "--address",
            "10.0.0.5").code());
        assertEquals(0, IpamToolTest.run("alloc", "--store", s, "n", "--owner", B.toString(), "--address",
            "10.0.0.6").code());
        final Path csv = tmp.resolve("expected.csv");
        Files.writeString(csv, "address,owner\n10.0.0.6," + A + "\n10.0.0.7," + A + "\n");
        IpamToolTest.Run r = IpamToolTest.run("reconcile", "--store", s, "--subnet", "n", "--expected", csv.toString(),
            "--grace", "0s");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("would release n 10.0.0.5 " + B), r.out());
        assertTrue(r.out().contains("would allocate n 10.0.0.7 " + A), r.out());
        assertTrue(r.out().contains("would re-own n 10.0.0.6 " + A), r.out());
        assertTrue(r.out().contains("nothing changed"), r.out());
        assertTrue(IpamToolTest.run("owner", "--store", s, "n", "10.0.0.5").out().contains(B.toString()));
        final Path jsonl = tmp.resolve("expected.jsonl");
        Files.writeString(jsonl, "{\"address\": \"10.0.0.6\", \"owner\": \"" + A + "\"}\n" +
            "{\"address\": \"10.0.0.7\", \"owner\": \"" + A + "\", \"port_id\": \"p-7\"}\n");
        r = IpamToolTest.run("reconcile", "--store", s, "--subnet", "n", "--expected", jsonl.toString(), "--grace",
            "0s", "--apply");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("1 released, 1 allocated, 1 re-owned"), r.out());
        assertEquals("free", IpamToolTest.run("owner", "--store", s, "n", "10.0.0.5").out().strip());
        assertTrue(IpamToolTest.run("owner", "--store", s, "n", "10.0.0.6").out().contains(A.toString()));
        // bad use: both modes, or --apply with --live
        assertEquals(1, IpamToolTest.run("reconcile", "--store", s, "--subnet", "n", "--expected", csv.toString(),
            "--live", csv.toString()).code());
        assertEquals(1, IpamToolTest.run("reconcile", "--store", s, "--live", csv.toString(), "--apply").code());
        Files.writeString(csv, "10.0.0.6,not-a-uuid\n");
        r = IpamToolTest.run("reconcile", "--store", s, "--subnet", "n", "--expected", csv.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 1") && r.err().lines().count() == 1, r.err());
    }
}
