package io.ipam.core.addr;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressTextTest
{
    private static String canon(final String s)
    {
        final IpAddress a = AddressText.tryParseAddress(s);
        return a == null ? null : a.toString();
    }

    @Test
    void shouldParseIpv4Strictly()
    {
        assertEquals("10.0.0.1", canon("10.0.0.1"));
        assertEquals("255.255.255.255", canon("255.255.255.255"));
        assertEquals("0.0.0.0", canon("0.0.0.0"));
        assertNull(canon("010.0.0.1"), "leading zeros are ambiguous (octal in some parsers)");
        assertNull(canon("10.0.0.256"));
        assertNull(canon("10.0.0"));
        assertNull(canon("10.0.0.1.2"));
        assertNull(canon(" 10.0.0.1"));
        assertNull(canon("10.0.0.1 "));
        assertNull(canon("+10.0.0.1"));
        assertNull(canon("10..0.1"));
        assertNull(canon("localhost"));
        assertNull(canon("0x0a.0.0.1"));
        assertNull(canon("１０.0.0.1"), "non-ASCII digits are refused");
    }

    @Test
    void shouldFormatEveryOctetInEveryPositionAndParseItBack()
    {
        for (int octet = 0; octet < 256; octet++)
        {
            for (int position = 0; position < 4; position++)
            {
                final long v = (long)octet << (8 * position) | (0x01020304L & ~(0xFFL << (8 * position)));
                final String text = AddressText.formatV4(v);
                assertEquals(((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." +
                    (v & 0xFF), text);
                assertEquals(v, AddressText.parseV4(text));
            }
        }
        assertEquals("255.255.255.255", AddressText.formatV4(0xFFFF_FFFFL));
        assertEquals("0.0.0.0", AddressText.formatV4(0));
    }

    @Test
    void shouldFormatIpv6PerRfc5952()
    {
        assertEquals("2001:db8::1", canon("2001:DB8:0:0:0:0:0:1"));
        assertEquals("2001:db8::1:0:0:1", canon("2001:db8:0:0:1:0:0:1"), "first longest run wins");
        assertEquals("2001:db8:0:1:1:1:1:1", canon("2001:db8::1:1:1:1:1"), "a single zero group is not compressed");
        assertEquals("::", canon("::"));
        assertEquals("::1", canon("0:0:0:0:0:0:0:1"));
        assertEquals("1::", canon("1:0:0:0:0:0:0:0"));
        assertEquals("2001:db8:0:0:1::", canon("2001:db8:0:0:1:0:0:0"));
        assertEquals("::ffff:a00:1", canon("::ffff:10.0.0.1"), "embedded IPv4 is accepted");
        assertEquals("64:ff9b::c000:201", canon("64:ff9b::192.0.2.1"));
        assertEquals("1:2:3:4:5:6:7:8", canon("1:2:3:4:5:6:7:8"));
        assertEquals("0:2:3:4:5:6:7:8", canon("0:2:3:4:5:6:7:8"), "RFC 5952 4.2.2: one zero group stays");
        assertEquals("::3:4:5:6:7:8", canon("0:0:3:4:5:6:7:8"));
    }

    @Test
    void shouldRefuseOddIpv6()
    {
        assertNull(canon("fe80::1%eth0"), "zone ids are refused");
        assertNull(canon("[2001:db8::1]"));
        assertNull(canon("2001:db8:::1"));
        assertNull(canon("2001:db8::1::2"));
        assertNull(canon("1:2:3:4:5:6:7:8:9"));
        assertNull(canon("1:2:3:4:5:6:7"));
        assertNull(canon("12345::"));
        assertNull(canon(":1::"));
        assertNull(canon("1::2:"));
        assertNull(canon("::ffff:10.0.0.256"));
        assertNull(canon("::10.0.0.1:1"));
        assertNull(canon("1:2:3:4:5:6:7:1.2.3.4"));
        assertNull(canon("g::1"));
        final IpamException ex = assertThrows(IpamException.class,
            () -> AddressText.parseAddress("fe80::1%eth0", "address"));
        assertEquals(ErrorCode.MALFORMED, ex.code());
        assertTrue(ex.getMessage().contains("zone"), ex.getMessage());
    }

    @Test
    void shouldParseCidrsWithoutNormalising()
    {
        final Cidr c = AddressText.parseCidr("10.0.0.5/24", "cidr");
        assertTrue(c.hostBitsSet());
        assertEquals("10.0.0.0/24", c.network().toString());
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AddressText.parseCidr("10.0.0.0/024", "cidr")).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AddressText.parseCidr("10.0.0.0/", "cidr")).code());
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> AddressText.parseCidr("/24", "cidr")).code());
        assertEquals("2001:db8::/64", AddressText.parseCidr("2001:DB8::/64", "cidr").toString());
        assertEquals("::/0", AddressText.parseCidr("::/0", "cidr").toString());
    }

    @Test
    void shouldParseMacsAndDeriveEui64()
    {
        assertEquals(0x001122334455L, AddressText.parseMac("00:11:22:33:44:55"));
        assertEquals(0x001122334455L, AddressText.parseMac("00-11-22-33-44-55"));
        assertEquals(0x001122334455L, AddressText.parseMac("0011.2233.4455"));
        assertEquals(0x0211_22FF_FE33_4455L, AddressText.eui64InterfaceId(0x001122334455L));
        assertThrows(IpamException.class, () -> AddressText.parseMac("00:11:22:33:44:5"));
        assertThrows(IpamException.class, () -> AddressText.parseMac("00:11-22:33:44:55"));
        assertThrows(IpamException.class, () -> AddressText.parseMac(null));
    }

    @Test
    void shouldQuoteUserTextSafely()
    {
        assertEquals("'a\\u000ab'", AddressText.quote("a\nb"));
        assertTrue(AddressText.quote("x".repeat(500)).length() < 120);
    }
}
