package io.ipam.core.addr;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Feeds 1,000,000 generated and mutated strings to every text parser. Nothing but {@link IpamException} may
 * escape; every text we accept must mean the same value to an independent parser, and must print back to a
 * canonical text that parses to the same value.
 */
class ParserFuzzTest
{
    private static final long SEED = Long.getLong("ipam.fuzz.seed", 0x5EED_1234L);
    private static final int COUNT = Integer.getInteger("ipam.fuzz.count", 1_000_000);
    private static final String ALPHABET = "0123456789abcdefABCDEFxg:.:/%-[] \t\n0\u0660\u00e9\uFFFF\u0000";
    private static final String[] SEEDS = {
        "10.0.0.1", "192.168.1.255", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "fe80::1%eth0",
        "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1", "64:ff9b::192.0.2.1", "2001:db8:0:0:1:0:0:1", "10.0.0.0/24",
        "2001:db8::/64", "10.0.0.5/33", "00:11:22:33:44:55", "0011.2233.4455", "aa-bb-cc-dd-ee-ff", "1::", "::2:3",
    };

    @Test
    void shouldLetOnlyIpamExceptionEscape()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        int accepted = 0;
        String input = null;
        try
        {
            for (int i = 0; i < COUNT; i++)
            {
                input = generate(random);
                if (check(input))
                {
                    accepted++;
                }
            }
        }
        catch (final AssertionError | RuntimeException ex)
        {
            fail("seed " + SEED + ", input " + AddressText.quote(input) + ": " + ex, ex);
        }
        assertTrue(accepted > COUNT / 50, "the generator should also produce valid text, got " + accepted);
    }

    private static String generate(final SplittableRandom random)
    {
        final int mode = random.nextInt(10);
        if (mode == 0)
        {
            final StringBuilder sb = new StringBuilder();
            final int len = random.nextInt(50);
            for (int i = 0; i < len; i++)
            {
                sb.append((char)random.nextInt(0x3000));
            }
            return sb.toString();
        }
        if (mode <= 3)
        {
            return randomValid(random);
        }
        final StringBuilder sb = new StringBuilder(mode <= 6 ? randomValid(random) :
            SEEDS[random.nextInt(SEEDS.length)]);
        final int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++)
        {
            final char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            final int pos = sb.length() == 0 ? 0 : random.nextInt(sb.length());
            switch (random.nextInt(3))
            {
                case 0:
                    sb.insert(pos, c);
                    break;
                case 1:
                    if (sb.length() > 0)
                    {
                        sb.deleteCharAt(pos);
                    }
                    break;
                default:
                    if (sb.length() > 0)
                    {
                        sb.setCharAt(pos, c);
                    }
            }
        }
        return sb.toString();
    }

    private static String randomValid(final SplittableRandom random)
    {
        final String address;
        if (random.nextBoolean())
        {
            address = AddressText.formatV4(random.nextLong() & 0xFFFF_FFFFL);
            return random.nextBoolean() ? address : address + "/" + random.nextInt(33);
        }
        long hi = random.nextLong();
        long lo = random.nextLong();
        // zero runs make compression interesting
        if (random.nextBoolean())
        {
            hi &= 0xFFFF_0000_0000_FFFFL;
        }
        if (random.nextBoolean())
        {
            lo &= 0x0000_0000_FFFF_FFFFL;
        }
        final String v6 = random.nextInt(4) == 0 ? expanded(hi, lo) : AddressText.formatV6(hi, lo);
        return random.nextBoolean() ? v6 : v6 + "/" + random.nextInt(129);
    }

    private static String expanded(final long hi, final long lo)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            final long word = i < 4 ? hi >>> (48 - 16 * i) : lo >>> (48 - 16 * (i - 4));
            sb.append(i == 0 ? "" : ":").append(Long.toHexString(word & 0xFFFF).toUpperCase());
        }
        return sb.toString();
    }

    /**
     * @return true if some parser accepted the input.
     */
    private static boolean check(final String input)
    {
        boolean accepted = false;
        try
        {
            final IpAddress a = AddressText.parseAddress(input, "address");
            accepted = true;
            assertSameAsOracle(input, a);
            assertEquals(a, AddressText.parseAddress(a.toString(), "canonical"), "canonical text round trip");
        }
        catch (final IpamException expected)
        {
            // refused cleanly
        }
        try
        {
            final Cidr c = AddressText.parseCidr(input, "cidr");
            accepted = true;
            assertEquals(c, AddressText.parseCidr(c.toString(), "canonical"), "canonical CIDR round trip");
        }
        catch (final IpamException expected)
        {
            // refused cleanly
        }
        try
        {
            AddressText.parseMac(input);
            accepted = true;
        }
        catch (final IpamException expected)
        {
            // refused cleanly
        }
        return accepted;
    }

    private static void assertSameAsOracle(final String input, final IpAddress ours)
    {
        final IPAddress oracle = new IPAddressString(input).getAddress();
        if (oracle == null)
        {
            fail("we accepted " + AddressText.quote(input) + " but the oracle refuses it");
        }
        final BigInteger expected = oracle.getValue();
        final BigInteger actual = new BigInteger(1, ByteBuffer.allocate(16).putLong(ours.hi())
            .putLong(ours.lo()).array());
        assertEquals(expected, actual, "value of " + input);
        assertEquals(oracle.isIPv6(), ours.isV6(), "family of " + input);
    }
}
