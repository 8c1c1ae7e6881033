package io.ipam.core.addr;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * Strict parsing and canonical formatting of addresses, CIDRs and MACs. Never resolves names.
 * <p>
 * Accepted: IPv4 dotted quads of four decimal octets without leading zeros ({@code 010.0.0.1} is
 * refused: some parsers read it as octal); IPv6 in any RFC 4291 form, including {@code ::} and an
 * embedded IPv4 tail ({@code ::ffff:10.0.0.1}). Refused: zone ids ({@code fe80::1%eth0}), brackets,
 * white space, signs, anything over 64 characters. Output: dotted quad; IPv6 per RFC 5952 (lower
 * case, no leading zeros, the longest run of two or more zero groups compressed, the first on ties).
 * <p>
 * The primitive parsers ({@link #parseV4(CharSequence)}, {@link #parseV6(CharSequence, long[])})
 * allocate nothing and signal failure with a sentinel; the object parsers throw {@link IpamException}
 * with {@link ErrorCode#MALFORMED} and a message that names the input.
 */
public final class AddressText
{
    /** Longest text accepted for an address or CIDR; longer input is refused before parsing. */
    public static final int MAX_TEXT_LENGTH = 64;

    /** Returned by {@link #parseV4(CharSequence)} when the text is not an IPv4 address. */
    public static final long NOT_V4 = -1;

    /** What {@code tryParseAddress(text, halves)} found. */
    private static final int NOT_AN_ADDRESS = -1;
    private static final int V4 = 0;
    private static final int V6 = 1;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** The text of each octet: formatting a dotted quad joins four of these (one exact-size copy, no digits made). */
    private static final String[] OCTETS = new String[256];

    static
    {
        for (int i = 0; i < 256; i++)
        {
            OCTETS[i] = Integer.toString(i);
        }
    }

    private AddressText()
    {
    }

    /**
     * Parse an IPv4 dotted quad without allocating.
     *
     * @param s text.
     * @return the unsigned value, or {@link #NOT_V4}.
     */
    public static long parseV4(final CharSequence s)
    {
        return parseV4(s, 0, s.length());
    }

    private static long parseV4(final CharSequence s, final int from, final int to)
    {
        if (to - from < 7 || to - from > 15)
        {
            return NOT_V4;
        }
        long value = 0;
        int octets = 0;
        int i = from;
        while (true)
        {
            final int start = i;
            int octet = 0;
            while (i < to)
            {
                final char c = s.charAt(i);
                if (c < '0' || c > '9')
                {
                    break;
                }
                octet = octet * 10 + (c - '0');
                i++;
                if (i - start > 3)
                {
                    return NOT_V4;
                }
            }
            final int digits = i - start;
            if (digits == 0 || octet > 255 || (digits > 1 && s.charAt(start) == '0'))
            {
                return NOT_V4;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets == 4)
            {
                return i == to ? value : NOT_V4;
            }
            if (i >= to || s.charAt(i) != '.')
            {
                return NOT_V4;
            }
            i++;
        }
    }

    /**
     * Parse IPv6 text without allocating.
     *
     * @param s   text.
     * @param out receives high and low 64 bits at index 0 and 1.
     * @return true if the text is a valid IPv6 address.
     */
    public static boolean parseV6(final CharSequence s, final long[] out)
    {
        final int len = s.length();
        if (len < 2 || len > MAX_TEXT_LENGTH)
        {
            return false;
        }
        long hi = 0;
        long lo = 0;
        int groups = 0;
        int compressAt = -1;
        int i = 0;
        if (s.charAt(0) == ':')
        {
            if (s.charAt(1) != ':')
            {
                return false;
            }
            compressAt = 0;
            i = 2;
            if (i == len)
            {
                out[0] = 0;
                out[1] = 0;
                return true;
            }
        }
        while (i < len)
        {
            final int start = i;
            int group = 0;
            while (i < len && i - start < 5)
            {
                final int d = hexValue(s.charAt(i));
                if (d < 0)
                {
                    break;
                }
                group = (group << 4) | d;
                i++;
            }
            final int digits = i - start;
            if (i < len && s.charAt(i) == '.')
            {
                // embedded IPv4 tail: takes the place of two groups and ends the text
                if (groups > 6 || (compressAt < 0 && groups != 6))
                {
                    return false;
                }
                final long v4 = parseV4(s, start, len);
                if (v4 == NOT_V4)
                {
                    return false;
                }
                hi = (hi << 16) | (lo >>> 48);
                lo = (lo << 16) | (v4 >>> 16);
                hi = (hi << 16) | (lo >>> 48);
                lo = (lo << 16) | (v4 & 0xFFFF);
                groups += 2;
                i = len;
                break;
            }
            if (digits == 0 || digits > 4 || groups == 8)
            {
                return false;
            }
            hi = (hi << 16) | (lo >>> 48);
            lo = (lo << 16) | group;
            groups++;
            if (i == len)
            {
                break;
            }
            if (s.charAt(i) != ':')
            {
                return false;
            }
            i++;
            if (i < len && s.charAt(i) == ':')
            {
                if (compressAt >= 0)
                {
                    return false;
                }
                compressAt = groups;
                i++;
                if (i == len)
                {
                    break;
                }
            }
            else if (i == len)
            {
                return false;
            }
        }
        if (compressAt < 0)
        {
            if (groups != 8)
            {
                return false;
            }
        }
        else
        {
            if (groups > 7)
            {
                return false;
            }
            // move the groups after the "::" to the end, zeros in between
            final int tail = groups - compressAt;
            final int shift = (8 - groups) * 16;
            long tailHi = 0;
            long tailLo = 0;
            if (tail > 0)
            {
                final int tailBits = tail * 16;
                tailLo = tailBits >= 64 ? lo : lo & ((1L << tailBits) - 1);
                tailHi = tailBits > 64 ? hi & ((1L << (tailBits - 64)) - 1) : 0;
            }
            // head = value >> tailBits, then shift left by (tail + zeros) * 16
            final int tailBits = tail * 16;
            long headHi;
            long headLo;
            if (tailBits == 0)
            {
                headHi = hi;
                headLo = lo;
            }
            else if (tailBits < 64)
            {
                headLo = (lo >>> tailBits) | (hi << (64 - tailBits));
                headHi = hi >>> tailBits;
            }
            else if (tailBits == 64)
            {
                headLo = hi;
                headHi = 0;
            }
            else
            {
                headLo = hi >>> (tailBits - 64);
                headHi = 0;
            }
            final int up = tailBits + shift;
            long rHi;
            long rLo;
            if (up == 0)
            {
                rHi = headHi;
                rLo = headLo;
            }
            else if (up < 64)
            {
                rHi = (headHi << up) | (headLo >>> (64 - up));
                rLo = headLo << up;
            }
            else if (up == 64)
            {
                rHi = headLo;
                rLo = 0;
            }
            else if (up < 128)
            {
                rHi = headLo << (up - 64);
                rLo = 0;
            }
            else
            {
                rHi = 0;
                rLo = 0;
            }
            hi = rHi | tailHi;
            lo = rLo | tailLo;
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    private static int hexValue(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Parse an IPv4 or IPv6 address.
     *
     * @param text the text.
     * @param what what the text is, for the message ("address", "gateway").
     * @return the address.
     * @throws IpamException {@code MALFORMED} naming the text.
     */
    public static IpAddress parseAddress(final String text, final String what)
    {
        final IpAddress a = tryParseAddress(text);
        if (a == null)
        {
            throw notAnAddress(text, what);
        }
        return a;
    }

    /**
     * Parse an IPv4 or IPv6 address into its two halves, making no object (a hot call's address).
     *
     * @param text   the text.
     * @param what   what the text is, for the message.
     * @param halves receives the high and low 64 bits at index 0 and 1 (0 and the address for IPv4).
     * @return true for IPv6.
     * @throws IpamException {@code MALFORMED} naming the text, worded as {@link #parseAddress(String, String)}.
     */
    public static boolean parseAddress(final String text, final String what, final long[] halves)
    {
        final int kind = tryParseAddress(text, halves);
        if (kind == NOT_AN_ADDRESS)
        {
            throw notAnAddress(text, what);
        }
        return kind == V6;
    }

    private static IpamException notAnAddress(final String text, final String what)
    {
        if (text == null)
        {
            return new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        return new IpamException(ErrorCode.MALFORMED, what + " " + quote(text) + " is not an IP address" +
            (text.indexOf('%') >= 0 ? " (zone ids are not accepted)" : ""));
    }

    /**
     * @param text the text.
     * @return the address, or null if the text is not one.
     */
    public static IpAddress tryParseAddress(final String text)
    {
        final long[] out = new long[2];
        final int kind = tryParseAddress(text, out);
        return kind == NOT_AN_ADDRESS ? null : kind == V6 ? new IpAddress(true, out[0], out[1]) : IpAddress.v4(out[1]);
    }

    private static int tryParseAddress(final String text, final long[] halves)
    {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT_LENGTH)
        {
            return NOT_AN_ADDRESS;
        }
        if (text.indexOf(':') < 0)
        {
            final long v4 = parseV4(text);
            if (v4 == NOT_V4)
            {
                return NOT_AN_ADDRESS;
            }
            halves[0] = 0;
            halves[1] = v4;
            return V4;
        }
        return parseV6(text, halves) ? V6 : NOT_AN_ADDRESS;
    }

    /**
     * Parse {@code address/length}. Host bits are kept as given: the caller decides whether that is allowed.
     *
     * @param text the text.
     * @param what what the text is, for the message.
     * @return the parsed CIDR.
     * @throws IpamException {@code MALFORMED} naming the text.
     */
    public static Cidr parseCidr(final String text, final String what)
    {
        if (text == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        final int slash = text.indexOf('/');
        if (slash > 0 && text.length() <= MAX_TEXT_LENGTH + 4 && slash < text.length() - 1 &&
            text.length() - slash <= 4)
        {
            final IpAddress a = tryParseAddress(text.substring(0, slash));
            final int len = parseSmallDecimal(text, slash + 1);
            if (a != null && len >= 0 && len <= a.bits())
            {
                return new Cidr(a, len);
            }
        }
        throw new IpamException(ErrorCode.MALFORMED, what + " " + quote(text) +
            " is not a CIDR (address/length, IPv4 length 0-32, IPv6 length 0-128)");
    }

    private static int parseSmallDecimal(final String s, final int from)
    {
        final int len = s.length() - from;
        if (len < 1 || len > 3 || (len > 1 && s.charAt(from) == '0'))
        {
            return -1;
        }
        int v = 0;
        for (int i = from; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Parse a 48-bit MAC: six pairs of hex digits separated by {@code :} or {@code -}, or three groups of
     * four separated by {@code .}.
     *
     * @param text the text.
     * @return the MAC as the low 48 bits.
     * @throws IpamException {@code MALFORMED} naming the text.
     */
    public static long parseMac(final String text)
    {
        if (text == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "MAC is null");
        }
        long v = 0;
        boolean ok = false;
        if (text.length() == 17)
        {
            final char sep = text.charAt(2);
            ok = sep == ':' || sep == '-';
            for (int i = 0; ok && i < 17; i++)
            {
                if (i % 3 == 2)
                {
                    ok = text.charAt(i) == sep;
                }
                else
                {
                    final int d = hexValue(text.charAt(i));
                    ok = d >= 0;
                    v = (v << 4) | (d & 0xF);
                }
            }
        }
        else if (text.length() == 14)
        {
            ok = true;
            for (int i = 0; ok && i < 14; i++)
            {
                if (i % 5 == 4)
                {
                    ok = text.charAt(i) == '.';
                }
                else
                {
                    final int d = hexValue(text.charAt(i));
                    ok = d >= 0;
                    v = (v << 4) | (d & 0xF);
                }
            }
        }
        if (!ok)
        {
            throw new IpamException(ErrorCode.MALFORMED, "MAC " + quote(text) +
                " is not a 48-bit MAC (like 00:11:22:33:44:55)");
        }
        return v;
    }

    /**
     * The modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A).
     *
     * @param mac 48-bit MAC.
     * @return the 64-bit interface identifier.
     */
    public static long eui64InterfaceId(final long mac)
    {
        final long oui = (mac >>> 24) & 0xFFFFFF;
        final long nic = mac & 0xFFFFFF;
        return ((oui ^ 0x020000L) << 40) | (0xFFFEL << 24) | nic;
    }

    /**
     * @param v unsigned 32-bit value.
     * @return dotted quad.
     */
    public static String formatV4(final long v)
    {
        return OCTETS[(int)(v >>> 24) & 0xFF] + "." + OCTETS[(int)(v >>> 16) & 0xFF] + "." +
            OCTETS[(int)(v >>> 8) & 0xFF] + "." + OCTETS[(int)v & 0xFF];
    }

    /**
     * @param hi high 64 bits.
     * @param lo low 64 bits.
     * @return RFC 5952 text.
     */
    public static String formatV6(final long hi, final long lo)
    {
        final int[] g = new int[8];
        for (int i = 0; i < 4; i++)
        {
            g[i] = (int)((hi >>> (48 - 16 * i)) & 0xFFFF);
            g[i + 4] = (int)((lo >>> (48 - 16 * i)) & 0xFFFF);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; )
        {
            if (g[i] == 0)
            {
                int j = i;
                while (j < 8 && g[j] == 0)
                {
                    j++;
                }
                if (j - i > bestLen)
                {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            }
            else
            {
                i++;
            }
        }
        final StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen)
            {
                sb.append(':');
            }
            appendHex(sb, g[i]);
        }
        return sb.toString();
    }

    private static void appendHex(final StringBuilder sb, final int v)
    {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            final int d = (v >>> shift) & 0xF;
            if (d != 0 || started || shift == 0)
            {
                sb.append(HEX[d]);
                started = true;
            }
        }
    }

    /**
     * Quote user text for a message: at most 80 characters, control characters escaped.
     *
     * @param text user text.
     * @return quoted text.
     */
    public static String quote(final String text)
    {
        if (text == null)
        {
            return "null";
        }
        final StringBuilder sb = new StringBuilder(Math.min(text.length(), 80) + 8).append('\'');
        for (int i = 0; i < text.length() && i < 80; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F || (c >= 0x80 && Character.isISOControl(c)))
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        if (text.length() > 80)
        {
            sb.append("...(").append(text.length()).append(" chars)");
        }
        return sb.append('\'').toString();
    }
}
