package io.ipam.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The expected-addresses file of {@code ipam reconcile --subnet ID --expected FILE}: CSV and JSON lines read to the
 * same map, canonical addresses, every bad line refused naming its line.
 */
class ExpectedAddressesTest
{
    private static final UUID A = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final UUID B = UUID.fromString("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");

    @Test
    void shouldReadCsvAndJsonLinesAlike()
    {
        final Map<String, UUID> csv = parse("# Neutron ipallocations\naddress,owner\n10.0.0.5, " + A + "\n\n" +
            "\"2001:DB8:0:0::1\"," + B + "\n");
        final Map<String, UUID> json = parse("\n# exported\n{\"address\": \"10.0.0.5\", \"owner\": \"" + A + "\"}\n" +
            "{\"port_id\": 7, \"owner\": \"" + B.toString().toUpperCase() + "\", \"address\": \"2001:db8::1\"," +
            " \"extra\": {\"a\": [1, 2]}}\n");
        assertEquals(Map.of("10.0.0.5", A, "2001:db8::1", B), csv);
        assertEquals(csv, json);
        assertEquals(List.of("10.0.0.5", "2001:db8::1"), List.copyOf(csv.keySet()), "file order is kept");
    }

    @Test
    void shouldCountTheSamePairOnceAndRefuseTwoOwnersForOneAddress()
    {
        assertEquals(Map.of("10.0.0.5", A, "2001:db8::1", B),
            parse("10.0.0.5," + A + "\n2001:db8::1," + B + "\n10.0.0.5," + A + "\n2001:DB8:0::1," + B + "\n"));
        final IpamException ex = refused("10.0.0.5," + A + "\n10.0.0.6," + A + "\n10.0.0.5," + B + "\n");
        assertTrue(ex.getMessage().contains("line 3") && ex.getMessage().contains("line 1"), ex.getMessage());
    }

    @Test
    void shouldRefuseEachBadLineNamingIt()
    {
        assertTrue(refused("10.0.0.5," + A + "\n10.0.0.300," + A + "\n").getMessage().contains("line 2"));
        assertTrue(refused("10.0.0.5," + A + ",x\n").getMessage().contains("3 fields"));
        assertTrue(refused("10.0.0.5,not-a-uuid\n").getMessage().contains("not a UUID"));
        assertTrue(refused("10.0.0.5,{" + A + "}\n").getMessage().contains("not a UUID"));
        assertTrue(refused("{\"address\": \"10.0.0.5\"}\n").getMessage().contains("\"owner\""));
        assertTrue(refused("{\"address\": 5, \"owner\": \"" + A + "\"}\n").getMessage().contains("not a string"));
        assertTrue(refused("{\"address\": \"10.0.0.5\", \"owner\": \"" + A + "\"}\n{\"address\":\n")
            .getMessage().contains("line 2"));
        assertTrue(refused("{\"address\": \"10.0.0.5\", \"owner\": \"" + A + "\"} {}\n").getMessage()
            .contains("one JSON object"));
        assertTrue(refused("[1]\n").getMessage().contains("line 1"));
        assertTrue(refused("\"10.0.0.5," + A + "\n").getMessage().contains("not CSV"));
    }

    @Test
    void shouldReadAFileAndRefuseOneThatIsNotText(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("expected.csv");
        Files.writeString(file, "2001:db8::10," + A + "\n", StandardCharsets.UTF_8);
        assertEquals(Map.of("2001:db8::10", A), ExpectedAddresses.read(file));
        Files.write(file, new byte[] {(byte)0xff, (byte)0xfe, 0x31});
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class, () -> ExpectedAddresses.read(file)).code());
        assertEquals(ErrorCode.STORE_IO,
            assertThrows(IpamException.class, () -> ExpectedAddresses.read(dir.resolve("absent"))).code());
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> ExpectedAddresses.read(dir)).code());
    }

    private static Map<String, UUID> parse(final String text)
    {
        return ExpectedAddresses.parse(text, "f");
    }

    private static IpamException refused(final String text)
    {
        final IpamException ex = assertThrows(IpamException.class, () -> parse(text));
        assertEquals(ErrorCode.MALFORMED, ex.code(), ex.getMessage());
        return ex;
    }
}
