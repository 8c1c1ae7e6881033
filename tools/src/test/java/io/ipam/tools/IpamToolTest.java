package io.ipam.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.persistence.DurableIpam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command, in process: exit codes, output, and no stack trace on refusal.
 */
class IpamToolTest
{
    private static final String OWNER = "00000000-0000-0000-0000-0000000000aa";

    @TempDir
    Path tmp;

    /** Output, error and exit code of one run. */
    record Run(int code, String out, String err)
    {
    }

    static Run run(final String... args)
    {
        final CommandLine cli = IpamTool.commandLine();
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldPrintHelpEverywhere()
    {
        for (final String[] args : new String[][] {{"--help"}, {"snapshot", "--help"}, {"snapshot", "diff", "--help"},
            {"subnet", "create", "--help"}, {"alloc", "--help"}, {"release", "--help"}, {"owner", "--help"},
            {"stat", "--help"}, {"map", "--help"}, {"bench", "--help"}})
        {
            final Run r = run(args);
            assertEquals(0, r.code, String.join(" ", args));
            assertTrue(r.out.contains("Usage:"), r.out);
        }
        assertEquals(2, run("no-such-command").code, "usage errors exit 2");
        assertEquals(2, run("alloc").code);
    }

    @Test
    void shouldAdministerAStore()
    {
        final String store = tmp.resolve("store").toString();
        Run r = run("subnet", "create", "--store", store, "net1", "10.0.0.0/24", "--pool", "10.0.0.10-10.0.0.20",
            "--strategy", "LOWEST");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("net1") && r.out.contains("10.0.0.10-10.0.0.20"), r.out);
        r = run("subnet", "create", "--store", store, "net1", "10.9.0.0/24");
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("ipam: SUBNET_EXISTS"), r.err);
        assertFalse(r.err.contains("\tat "), "no stack trace: " + r.err);
        r = run("subnet", "create", "--store", store, "bad", "10.0.0.5/24");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("CIDR_INVALID") && r.err.contains("10.0.0.0/24"), r.err);

        r = run("alloc", "--store", store, "net1", "--owner", OWNER);
        assertEquals("10.0.0.10", r.out.trim());
        r = run("alloc", "--store", store, "net1", "--owner", OWNER, "--address", "10.0.0.200", "--json");
        assertEquals("[\"10.0.0.200\"]", r.out.trim());
        r = run("alloc", "--store", store, "net1", "--owner", OWNER, "--count", "3");
        assertEquals("10.0.0.11\n10.0.0.12\n10.0.0.13", r.out.trim());
        r = run("alloc", "--store", store, "net1", "--owner", OWNER, "--count", "30");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("EXHAUSTED"), r.err);

        assertEquals(OWNER, run("owner", "--store", store, "net1", "10.0.0.200").out.trim());
        assertEquals("free", run("owner", "--store", store, "net1", "10.0.0.201").out.trim());
        assertEquals(5, run("owner", "--store", store, "--owner", OWNER).out.trim().split("\n").length);

        assertEquals("released 10.0.0.200", run("release", "--store", store, "net1", "10.0.0.200").out.trim());
        assertEquals("10.0.0.200 was free", run("release", "--store", store, "net1", "10.0.0.200").out.trim());
        r = run("release", "--store", store, "net1", "10.0.0.10", "--owner", UUID.randomUUID().toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("OWNER_MISMATCH"), r.err);

        r = run("subnet", "list", "--store", store, "--json");
        assertTrue(r.out.contains("\"allocated\": 4"), r.out);
        r = run("subnet", "show", "--store", store, "net1");
        assertTrue(r.out.contains("allocated=4"), r.out);
        assertEquals(1, run("subnet", "delete", "--store", store, "net1").code, "in use");
        assertEquals("released 4 address(es) of " + OWNER,
            run("release", "--store", store, "--owner", OWNER).out.trim());
        assertEquals(0, run("subnet", "delete", "--store", store, "net1").code);
        assertEquals("", run("subnet", "list", "--store", store).out);
    }

    private Path populatedSnapshot(final String name, final boolean more)
    {
        final Path file = tmp.resolve(name);
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("a", "10.0.0.0/24").build());
            ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
            ipam.allocate("a", "10.0.0.5", UUID.fromString(OWNER));
            ipam.allocate("a", "10.0.0.6", UUID.fromString(OWNER));
            if (more)
            {
                ipam.allocate("a", "10.0.0.7", UUID.fromString(OWNER));
                ipam.createSubnet(SubnetSpec.builder("b", "10.0.1.0/24").build());
            }
            else
            {
                ipam.allocate("v6", "2001:db8::99", UUID.fromString(OWNER));
            }
            ipam.snapshot(file);
        }
        return file;
    }

    @Test
    void shouldInspectVerifyExportAndDiffSnapshots() throws Exception
    {
        final Path one = populatedSnapshot("one.snap", false);
        final Path two = populatedSnapshot("two.snap", true);
        Run r = run("snapshot", "inspect", one.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("2 subnets, 3 allocations"), r.out);
        r = run("snapshot", "inspect", one.toString(), "--json");
        assertTrue(r.out.startsWith("{") && r.out.contains("\"allocations\": 3"), r.out);
        r = run("snapshot", "verify", one.toString());
        assertEquals(0, r.code);
        assertTrue(r.out.startsWith("OK"), r.out);

        r = run("snapshot", "export", one.toString(), "--format", "csv");
        assertTrue(r.out.contains("address,a,10.0.0.5," + OWNER), r.out);
        assertEquals(4, r.out.trim().split("\n").length);
        r = run("snapshot", "export", one.toString(), "--format", "json");
        assertTrue(r.out.contains("\"address\":\"2001:db8::99\""), r.out);
        assertEquals(2, run("snapshot", "export", one.toString(), "--format", "xml").code);
        final Path csv = tmp.resolve("out.csv");
        assertEquals(0, run("snapshot", "export", one.toString(), "--format", "csv", "--out", csv.toString()).code);
        assertEquals(4, Files.readAllLines(csv).size());

        r = run("snapshot", "diff", one.toString(), two.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("+ subnet b 10.0.1.0/24"), r.out);
        assertTrue(r.out.contains("+ allocation a 10.0.0.7 " + OWNER), r.out);
        assertTrue(r.out.contains("- allocation v6 2001:db8::99 " + OWNER), r.out);
        assertTrue(r.out.contains("3 change(s)"), "exactly the changes made: " + r.out);
        assertEquals("0 change(s)", run("snapshot", "diff", one.toString(), one.toString()).out.trim());

        // a damaged file: refused, exit 1, one line, no stack trace
        final byte[] bytes = Files.readAllBytes(one);
        bytes[bytes.length / 2] ^= 4;
        final Path bad = tmp.resolve("bad.snap");
        Files.write(bad, bytes);
        r = run("snapshot", "verify", bad.toString());
        assertEquals(1, r.code);
        assertTrue(r.out.startsWith("FAILED") && r.out.contains("checksum"), r.out);
        r = run("snapshot", "inspect", bad.toString());
        assertEquals(1, r.code);
        assertTrue(r.err.startsWith("ipam: STORE_CORRUPT") && !r.err.contains("\tat "), r.err);
        r = run("snapshot", "inspect", tmp.resolve("missing.snap").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("STORE_IO") && r.err.contains("does not exist"), r.err);
    }

    @Test
    void shouldCreateAndRestoreSnapshotsOfAStore()
    {
        final Path store = tmp.resolve("store");
        try (Ipam ipam = DurableIpam.open(store, IpamConfig.defaults()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/16").build());
            ipam.allocateBulk("s", UUID.fromString(OWNER), 100);
        }
        final Path snap = tmp.resolve("s.snap");
        Run r = run("snapshot", "create", "--store", store.toString(), snap.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("100 allocations"), r.out);
        r = run("snapshot", "restore", snap.toString(), "--store", tmp.resolve("copy").toString());
        assertEquals(0, r.code, r.err);
        assertEquals(100, run("owner", "--store", tmp.resolve("copy").toString(), "--owner", OWNER).out.trim()
            .split("\n").length);
        r = run("snapshot", "restore", snap.toString(), "--store", tmp.resolve("copy").toString());
        assertEquals(1, r.code);
        assertTrue(r.err.contains("not empty"), r.err);
    }

    @Test
    void shouldDrawMaps() throws Exception
    {
        final Path snap = populatedSnapshot("m.snap", true);
        final Path svg = tmp.resolve("a.svg");
        Run r = run("map", "--snapshot", snap.toString(), "a", "--out", svg.toString());
        assertEquals(0, r.code, r.err);
        final String text = Files.readString(svg);
        assertTrue(text.startsWith("<svg") && text.contains("3 allocated"), text.substring(0, 200));
        final Path png = tmp.resolve("v6.png");
        r = run("map", "--snapshot", snap.toString(), "v6", "--out", png.toString());
        assertEquals(0, r.code, r.err);
        final byte[] head = Arrays.copyOf(Files.readAllBytes(png), 4);
        assertEquals("\u0089PNG", new String(head, StandardCharsets.ISO_8859_1));
        assertEquals(1, run("map", "--snapshot", snap.toString(), "nope", "--out", svg.toString()).code);
        assertEquals(2, run("map", "--snapshot", snap.toString(), "a", "--out", tmp.resolve("x.gif").toString()).code);
        // the map explains itself: title, legend with counts, scale; --format wins over the name; a block of it
        assertTrue(text.contains("<title>a ") && text.contains("held: 3") && text.contains("Legend") &&
            text.contains("1 cell = ") && text.contains("gateway "), text);
        final Path named = tmp.resolve("b.out");
        r = run("map", "--snapshot", snap.toString(), "a", "--out", named.toString(), "--format", "svg", "--cells",
            "4");
        assertEquals(0, r.code, r.err);
        assertTrue(Files.readString(named).contains("4 x 4 cells"), r.out);
        assertEquals(2, run("map", "--snapshot", snap.toString(), "a", "--out", named.toString(), "--force",
            "--cells", "17").code);
    }

    @Test
    void shouldReadLiveCounters()
    {
        final Path counters = tmp.resolve("counters");
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().countersDir(counters).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocate("s", UUID.fromString(OWNER));
            final Run r = run("stat", counters.toString());
            assertEquals(0, r.code, r.err);
            assertTrue(r.out.contains("allocations") && r.out.contains(" 1"), r.out);
            final Run j = run("stat", counters.toString(), "--json");
            assertTrue(j.out.contains("\"allocations\": 1"), j.out);
            final Run p = run("stat", counters.toString(), "--prometheus");
            assertEquals(0, p.code, p.err);
            assertTrue(p.out.contains("# TYPE ipam_allocations_total counter") &&
                p.out.contains("ipam_allocations_total 1.0"), p.out);
        }
        assertEquals(1, run("stat", tmp.resolve("none").toString()).code);
    }

    @Test
    void shouldRunAQuickBenchmark() throws Exception
    {
        final Path results = tmp.resolve("results");
        final Run r = run("bench", "--seconds", "0.05", "--quick", "--results", results.toString());
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("Throughput") && r.out.contains("synchronized BitSet+HashMap"), r.out);
        assertTrue(r.out.contains("the same engine behind synchronized"), r.out);
        assertTrue(Files.readString(results.resolve("results.json")).contains("the same engine behind synchronized"));
        assertTrue(Files.readString(results.resolve("results.json")).contains("\"throughput\""));
        assertTrue(Files.readString(results.resolve("latency.svg")).startsWith("<svg"));
    }
}
