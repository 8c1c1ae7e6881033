package io.ipam.tools;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.ipam.core.Ipam;
import io.ipam.core.SubnetSpec;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.ipam.tools.IpamToolTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line against mistakes and crafted input: no store created by reading, no file replaced without
 * --force or written through a link, owner data 0600, JSON and CSV escaped by their libraries, terminal-safe
 * names, one-line errors for crafted files.
 */
class CliHardeningTest
{
    private static final String OWNER = "00000000-0000-0000-0000-0000000000aa";

    @TempDir
    Path tmp;

    private static void assertOneLineError(final IpamToolTest.Run r, final String what)
    {
        assertEquals(1, r.code(), what + ": " + r.err());
        assertTrue(r.err().startsWith("ipam: "), what + ": " + r.err());
        assertEquals(1, r.err().strip().lines().count(), what + ": one line: " + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception in"), what + ": " + r.err());
    }

    @Test
    void shouldNotCreateAStoreWhenReading()
    {
        final Path missing = tmp.resolve("typo");
        for (final String[] args : new String[][] {
            {"subnet", "list", "--store", missing.toString()},
            {"subnet", "show", "--store", missing.toString(), "net1"},
            {"owner", "--store", missing.toString(), "--owner", OWNER},
            {"alloc", "--store", missing.toString(), "net1", "--owner", OWNER},
            {"release", "--store", missing.toString(), "--owner", OWNER},
            {"snapshot", "create", "--store", missing.toString(), tmp.resolve("x.snap").toString()},
            {"map", "--store", missing.toString(), "net1", "--out", tmp.resolve("m.svg").toString()}})
        {
            final IpamToolTest.Run r = run(args);
            assertOneLineError(r, String.join(" ", args));
            assertTrue(r.err().contains("STORE_IO"), r.err());
            assertFalse(Files.exists(missing), String.join(" ", args) + " created " + missing);
        }
        assertFalse(Files.exists(tmp.resolve("x.snap")));
        // an existing directory without a store stays empty too
        final Path empty = tmp.resolve("empty");
        empty.toFile().mkdirs();
        assertOneLineError(run("subnet", "list", "--store", empty.toString()), "empty dir");
        assertEquals(0, empty.toFile().list().length);
    }

    private Path snapshotWith(final String subnetId, final String tenant) throws Exception
    {
        final Path snap = tmp.resolve("s-" + Math.abs(subnetId.hashCode()) + ".snap");
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("net1", "10.0.0.0/24").build());
            ipam.allocate("net1", "10.0.0.7", UUID.fromString(OWNER));
            ipam.snapshot(snap);
        }
        if (subnetId.equals("net1") && tenant == null)
        {
            return snap;
        }
        // a crafted file: same state, but a name no API accepts (read() checks structure, not names)
        final SnapshotData d = SnapshotCodec.read(snap);
        final SnapshotData.Subnet s = d.subnets.get(0);
        final EngineImage.SubnetImage m = s.meta;
        final EngineImage.SubnetImage renamed = new EngineImage.SubnetImage(m.handle, subnetId, tenant, m.cidr,
            m.strategy, m.gateway, m.poolFirst, m.poolLast, m.allocated);
        final SnapshotData crafted = new SnapshotData(d.formatVersion, d.takenAtMs,
            List.of(new SnapshotData.Subnet(renamed, s.address, s.ownerMsb, s.ownerLsb, s.timeMs)), d.prefixPools,
            d.randomStates);
        Files.delete(snap);
        SnapshotCodec.write(crafted, snap);
        return snap;
    }

    @Test
    void shouldNeverOverwriteOrFollowLinksAndKeepOwnerDataPrivate() throws Exception
    {
        final Path snap = snapshotWith("net1", null);
        final Path out = tmp.resolve("export.csv");
        IpamToolTest.Run r = run("snapshot", "export", snap.toString(), "--format", "csv", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        final String first = Files.readString(out);
        Files.writeString(out, "mine");
        r = run("snapshot", "export", snap.toString(), "--format", "json", "--out", out.toString());
        assertOneLineError(r, "export over a file");
        assertTrue(r.err().contains("--force"), r.err());
        assertEquals("mine", Files.readString(out));
        r = run("snapshot", "export", snap.toString(), "--format", "csv", "--out", out.toString(), "--force");
        assertEquals(0, r.code(), r.err());
        assertEquals(first, Files.readString(out));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));

        // links: refused for every output, with or without --force, and the target is untouched
        final Path victim = tmp.resolve("victim");
        Files.writeString(victim, "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        final Path store = tmp.resolve("store");
        assertEquals(0, run("subnet", "create", "--store", store.toString(), "net1", "10.0.0.0/24").code());
        for (final String force : new String[] {"", "--force"})
        {
            final Path link = tmp.resolve("link" + force + ".svg");
            Files.createSymbolicLink(link, victim);
            final List<String[]> commands = List.of(
                new String[] {"snapshot", "export", snap.toString(), "--format", "json", "--out", link.toString()},
                new String[] {"map", "--snapshot", snap.toString(), "net1", "--out", link.toString()},
                new String[] {"snapshot", "create", "--store", store.toString(), link.toString()});
            for (final String[] c : commands)
            {
                final String[] args = force.isEmpty() ? c : Stream.concat(
                    Arrays.stream(c), Stream.of(force)).toArray(String[]::new);
                assertOneLineError(run(args), String.join(" ", args));
                assertEquals("precious", Files.readString(victim), String.join(" ", args));
                assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
                assertTrue(Files.isSymbolicLink(link));
            }
        }
        // snapshot create and map: no overwrite without --force either
        final Path existing = tmp.resolve("existing.snap");
        Files.writeString(existing, "mine");
        assertOneLineError(run("snapshot", "create", "--store", store.toString(), existing.toString()), "create");
        assertEquals("mine", Files.readString(existing));
        assertEquals(0, run("snapshot", "create", "--store", store.toString(), existing.toString(), "--force")
            .code());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)));
        assertEquals(0, run("snapshot", "verify", existing.toString()).code());
        final Path map = tmp.resolve("m.png");
        Files.writeString(map, "mine");
        assertOneLineError(run("map", "--snapshot", snap.toString(), "net1", "--out", map.toString()), "map");
        assertEquals("mine", Files.readString(map));
        assertEquals(0, run("map", "--snapshot", snap.toString(), "net1", "--out", map.toString(), "--force").code());
        try (var left = Files.list(tmp))
        {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary files left");
        }
    }

    @Test
    void shouldEscapeCraftedNamesInCsvJsonAndTheTerminal() throws Exception
    {
        final String evil = "=HYPERLINK(\"x\"),\"\n\u001b[31mRED\u001b]0;title\u0007\u202e";
        final Path snap = snapshotWith(evil, "t\u001b[2J");
        // CSV: one record per allocation, the cell intact apart from the formula guard
        IpamToolTest.Run r = run("snapshot", "export", snap.toString(), "--format", "csv");
        assertEquals(0, r.code(), r.err());
        final List<CSVRecord> records = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
            .parse(new StringReader(r.out())).getRecords();
        assertEquals(1, records.size(), r.out());
        assertEquals("'" + evil, records.get(0).get("subnet_or_pool"));
        assertEquals("10.0.0.7", records.get(0).get("address_or_prefix"));
        // JSON: parses, and holds the name exactly
        r = run("snapshot", "export", snap.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        try (JsonParser p = new JsonFactory().createParser(r.out()))
        {
            String subnet = null;
            while (p.nextToken() != null)
            {
                if (p.currentToken() == JsonToken.FIELD_NAME && "subnet".equals(p.currentName()))
                {
                    p.nextToken();
                    subnet = p.getText();
                }
            }
            assertEquals(evil, subnet);
        }
        // the terminal never sees an escape or control character from the file
        for (final String[] args : new String[][] {{"snapshot", "inspect", snap.toString()},
            {"snapshot", "inspect", snap.toString(), "--json"},
            {"snapshot", "diff", snapshotWith("net1", null).toString(), snap.toString()},
            {"snapshot", "verify", snap.toString()}})
        {
            r = run(args);
            final String all = r.out() + r.err();
            assertFalse(all.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e),
                String.join(" ", args) + ": " + all);
        }
    }

    @Test
    void shouldReportASnapshotTooBigForTheCapacityAsFull()
    {
        final Path snap = tmp.resolve("three.snap");
        try (Ipam ipam = Ipam.inMemory())
        {
            ipam.createSubnet(SubnetSpec.builder("net1", "10.0.0.0/24").build());
            ipam.allocateBulk("net1", UUID.fromString(OWNER), 3);
            ipam.snapshot(snap);
        }
        final Path store = tmp.resolve("small");
        final IpamToolTest.Run r = run("snapshot", "restore", snap.toString(), "--store", store.toString(),
            "--capacity", "2");
        assertOneLineError(r, "restore over capacity");
        assertTrue(r.err().contains("STORE_FULL"), r.err());
        assertFalse(Files.exists(store));
        assertEquals(0, run("snapshot", "restore", snap.toString(), "--store", store.toString(), "--capacity", "3")
            .code());
    }

    @Test
    void shouldRefuseCraftedSnapshotsWithOneLine() throws Exception
    {
        final ByteBuffer b = ByteBuffer.allocate(44);
        b.put("IPAMSNAP".getBytes()).putInt(2).putInt(0).putLong(0).putInt(Integer.MAX_VALUE).putInt(0).putLong(0);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 40);
        b.putInt((int)crc.getValue());
        final Path bad = tmp.resolve("bad.snap");
        Files.write(bad, b.array());
        for (final String cmd : new String[] {"inspect", "verify", "export", "restore"})
        {
            final String[] args = cmd.equals("export") ? new String[] {"snapshot", cmd, bad.toString(), "--format",
                "csv"} : cmd.equals("restore") ? new String[] {"snapshot", cmd, bad.toString(), "--store",
                tmp.resolve("r").toString()} : new String[] {"snapshot", cmd, bad.toString()};
            final IpamToolTest.Run r = run(args);
            assertEquals(1, r.code(), cmd + ": " + r.out() + r.err());
            final String text = cmd.equals("verify") ? r.out() : r.err();
            assertTrue(text.contains("STORE_CORRUPT") && text.contains("subnet count"), cmd + ": " + text);
            assertEquals(1, text.strip().lines().count(), cmd + ": " + text);
            assertFalse(text.contains("\tat "), text);
        }
        assertFalse(Files.exists(tmp.resolve("r")));
    }
}
