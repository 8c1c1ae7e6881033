package io.ipam.core.engine;

import java.math.BigInteger;
import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * SPEC 1 for subnets whose offsets need more than 64 bits (IPv6 /1 to /63): default pools, given pools, overlap and
 * the gateway rules in 128-bit offsets; and the IPv6 subnet-router anycast address as a gateway.
 */
class SubnetRulesWideTest
{
    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    @Test
    void shouldMakeTheDefaultPoolOfAWideSubnet()
    {
        final Cidr c48 = AddressText.parseCidr("2001:db8::/48", "cidr");
        final long[][] p = SubnetRules.defaultPools(c48, ip("2001:db8::1"));
        // the usable range 1 .. 2^80 - 1 less the gateway at 1
        assertPools(p, new BigInteger[][] {{BigInteger.TWO, BigInteger.ONE.shiftLeft(80).subtract(BigInteger.ONE)}});
        final Cidr c1 = AddressText.parseCidr("8000::/1", "cidr");
        assertPools(SubnetRules.defaultPools(c1, null),
            new BigInteger[][] {{BigInteger.ONE, BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE)}});
        final Cidr c63 = AddressText.parseCidr("2001:db8::/63", "cidr");
        assertPools(SubnetRules.defaultPools(c63, null),
            new BigInteger[][] {{BigInteger.ONE, TWO64.shiftLeft(1).subtract(BigInteger.ONE)}});
    }

    @Test
    void shouldSplitAWideDefaultPoolAroundAGatewayAcrossTheLowWord()
    {
        final Cidr c = AddressText.parseCidr("2001:db8::/48", "cidr");
        // the gateway at offset 2^64: the pools end just below the low word's wrap and start just after it
        final long[][] p = SubnetRules.defaultPools(c, ip("2001:db8:0:1::"));
        assertPools(p, new BigInteger[][] {{BigInteger.ONE, TWO64.subtract(BigInteger.ONE)},
            {TWO64.add(BigInteger.ONE), BigInteger.ONE.shiftLeft(80).subtract(BigInteger.ONE)}});
    }

    @Test
    void shouldCheckGivenPoolsInWideOffsets()
    {
        final Cidr c = AddressText.parseCidr("2001:db8::/48", "cidr");
        final long[][] p = SubnetRules.checkPools(c, ip("2001:db8::1"), List.<IpAddress[]>of(
            range("2001:db8:0:5::", "2001:db8:0:5::ff"), range("2001:db8::10", "2001:db8:0:1::10")));
        assertPools(p, new BigInteger[][] {{BigInteger.valueOf(16), TWO64.add(BigInteger.valueOf(16))},
            {TWO64.multiply(BigInteger.valueOf(5)),
                TWO64.multiply(BigInteger.valueOf(5)).add(BigInteger.valueOf(255))}});
        assertEquals(ErrorCode.POOL_OVERLAP, code(() -> SubnetRules.checkPools(c, null, List.<IpAddress[]>of(
            range("2001:db8::10", "2001:db8:0:1::10"), range("2001:db8:0:1::", "2001:db8:0:2::")))));
        assertEquals(ErrorCode.GATEWAY_IN_POOL, code(() -> SubnetRules.checkPools(c, ip("2001:db8:0:1::5"),
            List.<IpAddress[]>of(range("2001:db8::10", "2001:db8:0:1::10")))));
        assertEquals(ErrorCode.POOL_OUT_OF_BOUNDS, code(() -> SubnetRules.checkPools(c, null, List.<IpAddress[]>of(
            range("2001:db8::", "2001:db8::10")))));
        assertEquals(ErrorCode.POOL_OUT_OF_BOUNDS, code(() -> SubnetRules.checkPools(c, null, List.<IpAddress[]>of(
            range("2001:db8:0:ffff::", "2001:db8:1::")))));
        // round trip through a restored plan
        final SubnetRules.Plan plan = SubnetRules.Plan.restored("s", null,
            AddressText.parseCidr("2001:db8::/64", "cidr"), null, new long[] {5}, new long[] {9},
            AllocationStrategy.RANDOM);
        assertArrayEquals(new long[] {0}, plan.poolFirstHi());
        assertArrayEquals(new long[] {5}, plan.poolFirst());
    }

    @Test
    void shouldLetAnIpv6GatewayBeTheNetworkAddressButNotAnIpv4One()
    {
        SubnetRules.checkGateway(AddressText.parseCidr("2001:db8::/64", "cidr"), ip("2001:db8::"));
        SubnetRules.checkGateway(AddressText.parseCidr("2001:db8::/48", "cidr"), ip("2001:db8::"));
        assertEquals(ErrorCode.GATEWAY_INVALID,
            code(() -> SubnetRules.checkGateway(AddressText.parseCidr("10.0.0.0/24", "cidr"), ip("10.0.0.0"))));
        assertEquals(ErrorCode.GATEWAY_INVALID,
            code(() -> SubnetRules.checkGateway(AddressText.parseCidr("10.0.0.0/24", "cidr"), ip("10.0.0.255"))));
        // the anycast gateway lies outside the usable range, so the default pool is the whole usable range
        final Cidr c = AddressText.parseCidr("2001:db8::/64", "cidr");
        assertPools(SubnetRules.defaultPools(c, ip("2001:db8::")),
            new BigInteger[][] {{BigInteger.ONE, TWO64.subtract(BigInteger.ONE)}});
    }

    private static void assertPools(final long[][] p, final BigInteger[][] expected)
    {
        assertEquals(expected.length, p[0].length);
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i][0], Wide.toBig(p[2][i], p[0][i]), "pool " + i + " first");
            assertEquals(expected[i][1], Wide.toBig(p[3][i], p[1][i]), "pool " + i + " last");
        }
    }

    private static IpAddress ip(final String text)
    {
        return AddressText.parseAddress(text, "address");
    }

    private static IpAddress[] range(final String a, final String b)
    {
        return new IpAddress[] {ip(a), ip(b)};
    }

    private static ErrorCode code(final Executable e)
    {
        return assertThrows(IpamException.class, e).code();
    }
}
