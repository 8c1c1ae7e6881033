package io.ipam.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.SubnetSpec;
import io.ipam.persistence.DurableIpam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ipam reconcile} and {@code ipam changes}, tried as an operator would.
 */
class LifecycleCommandsTest
{
    private static final UUID LIVE = new UUID(1, 1);
    private static final UUID GONE = new UUID(2, 2);

    @TempDir
    Path tmp;

    @Test
    void shouldReconcileAgainstALiveFileAndShowItInTheChangeFeed() throws Exception
    {
        final Path store = tmp.resolve("store");
        try (Ipam ipam = DurableIpam.open(store))
        {
            ipam.createSubnet(SubnetSpec.builder("net1", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofHours(1)).build());
            ipam.allocate("net1", LIVE);
            ipam.allocate("net1", GONE);
        }
        final Path live = tmp.resolve("live.txt");
        Files.writeString(live, "# ports Neutron still knows\n" + LIVE + "\n\n");
        final String s = store.toString();

        IpamToolTest.Run r = IpamToolTest.run("reconcile", "--store", s, "--live", live.toString(), "--grace", "0s",
            "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("net1 10.0.0.3 " + GONE), r.out());
        assertTrue(r.out().contains("would release 1"), r.out());
        assertTrue(IpamToolTest.run("owner", "--store", s, "net1", "10.0.0.3").out().contains(GONE.toString()),
            "a dry run changes nothing");

        r = IpamToolTest.run("reconcile", "--store", s, "--live", live.toString(), "--grace", "1d");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("released 0"), "nothing is a day old: " + r.out());

        r = IpamToolTest.run("reconcile", "--store", s, "--live", live.toString(), "--grace", "PT0S", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"address\":\"10.0.0.3\"") || r.out().contains("\"address\": \"10.0.0.3\""),
            r.out());
        assertEquals("free", IpamToolTest.run("owner", "--store", s, "net1", "10.0.0.3").out().strip());
        assertTrue(IpamToolTest.run("owner", "--store", s, "net1", "10.0.0.2").out().contains(LIVE.toString()));

        // a keyed allocation from the command line: run twice, one address
        r = IpamToolTest.run("alloc", "--store", s, "net1", "--owner", LIVE.toString(), "--key", "cli-1", "--lease",
            "1h");
        assertEquals(0, r.code(), r.err());
        final String keyed = r.out().strip();
        assertEquals(keyed, IpamToolTest.run("alloc", "--store", s, "net1", "--owner", LIVE.toString(), "--key",
            "cli-1", "--lease", "1h").out().strip(), "the same key: the same answer");
        r = IpamToolTest.run("alloc", "--store", s, "net1", "--owner", LIVE.toString(), "--key", "bad key");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("MALFORMED") && r.err().lines().count() == 1, r.err());
        assertEquals(1, IpamToolTest.run("alloc", "--store", s, "net1", "--owner", LIVE.toString(), "--lease",
            "soon").code());
        assertEquals(0, IpamToolTest.run("release", "--store", s, "net1", keyed).code());
        // per-subnet counts of the store: the reclaimed address and the released one are cooling (a cooldown)
        r = IpamToolTest.run("stat", "--store", s);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("net1"), r.out());
        r = IpamToolTest.run("stat", "--store", s, "--prometheus");
        assertTrue(r.out().contains("ipam_subnet_allocated{subnet=\"net1\",tenant=\"\"} 1.0"), r.out());
        assertTrue(r.out().contains("ipam_subnet_cooling{subnet=\"net1\",tenant=\"\"} 2.0"), r.out());
        r = IpamToolTest.run("changes", "--store", s);
        assertEquals(0, r.code(), r.err());
        final String[] lines = r.out().strip().split("\n");
        assertEquals(6, lines.length, r.out());
        assertTrue(lines[0].startsWith("1 ") && lines[0].contains("SUBNET_CREATED - net1"), lines[0]);
        assertTrue(lines[3].startsWith("4 ") && lines[3].contains("RECLAIMED - net1 10.0.0.3 " + GONE), lines[3]);
        assertTrue(lines[4].startsWith("5 ") && lines[4].contains("ALLOCATED - net1 " + keyed + " " + LIVE), lines[4]);
        assertTrue(lines[5].startsWith("6 ") && lines[5].contains("RELEASED - net1 " + keyed), lines[5]);
        r = IpamToolTest.run("changes", "--store", s, "--after", "3", "--json");
        assertEquals(3, r.out().strip().split("\n").length, r.out());
        assertTrue(r.out().contains("RECLAIMED"), r.out());
        r = IpamToolTest.run("changes", "--store", s, "--after", "5", "--follow", "--for", "0.3");
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().split("\n").length, r.out());
        final Path snap = tmp.resolve("lifecycle.snap");
        assertEquals(0, IpamToolTest.run("snapshot", "create", "--store", s, snap.toString()).code());
        r = IpamToolTest.run("snapshot", "inspect", snap.toString());
        assertTrue(r.out().contains("format version 5") && r.out().contains("lifecycle: change sequence 6, " +
            "1 request keys, 0 leases, 2 cooling addresses, 1 subnets with a cooldown"), r.out());
        r = IpamToolTest.run("snapshot", "inspect", snap.toString(), "--json");
        assertTrue(r.out().contains("\"lifecycle\": {\"lastSequence\": 6, \"requestKeys\": 1, \"leases\": 0, " +
            "\"cooling\": 2}"), r.out());
        r = IpamToolTest.run("subnet", "create", "--store", s, "net2", "10.9.0.0/24", "--cooldown", "5m");
        assertEquals(0, r.code(), r.err());
        assertTrue(IpamToolTest.run("subnet", "show", "--store", s, "net2").out().contains("cooldown=PT5M cooling=0"));
    }

    @Test
    void shouldRefuseBadInputWithOneLine() throws Exception
    {
        final Path store = tmp.resolve("store");
        try (Ipam ipam = DurableIpam.open(store))
        {
            ipam.createSubnet(SubnetSpec.builder("net1", "10.0.0.0/24").build());
        }
        final Path live = tmp.resolve("live.txt");
        Files.writeString(live, LIVE + "\nnot-a-uuid\n");
        IpamToolTest.Run r = IpamToolTest.run("reconcile", "--store", store.toString(), "--live", live.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        Files.writeString(live, LIVE + "\n");
        r = IpamToolTest.run("reconcile", "--store", store.toString(), "--live", live.toString(), "--grace", "soon");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--grace"), r.err());
        r = IpamToolTest.run("reconcile", "--store", store.toString(), "--live", tmp.resolve("none").toString());
        assertEquals(1, r.code());
        r = IpamToolTest.run("changes", "--store", tmp.resolve("typo").toString());
        assertEquals(1, r.code());
        assertFalse(Files.exists(tmp.resolve("typo")), "nothing created at a mistyped path");
        r = IpamToolTest.run("reconcile", "--store", tmp.resolve("typo").toString(), "--live", live.toString());
        assertEquals(1, r.code());
        assertFalse(Files.exists(tmp.resolve("typo")));
        assertEquals(2, IpamToolTest.run("changes", "--store", store.toString(), "--for", "1").code());
    }
}
