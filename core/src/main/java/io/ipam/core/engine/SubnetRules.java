package io.ipam.core.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * The rules of SPEC section 1, applied to input before any state is looked at: ids, CIDRs, gateways, pools.
 * Stateless; any thread may call it (the facade validates on the caller's thread, the engine re-checks
 * nothing it does not own).
 */
public final class SubnetRules
{
    private SubnetRules()
    {
    }

    /**
     * A validated subnet, ready for {@link AllocatorEngine#createSubnet(Plan)}.
     */
    public static final class Plan
    {
        final String id;
        final String tenant;
        final Cidr cidr;
        final IpAddress gateway;
        final long[] poolFirst;
        final long[] poolLast;
        /** High words of the pools' offsets: all zero but in a wide subnet (IPv6 /1 to /63). */
        final long[] poolFirstHi;
        final long[] poolLastHi;
        final AllocationStrategy strategy;
        long cooldownMs;

        Plan(final String id, final String tenant, final Cidr cidr, final IpAddress gateway, final long[][] pools,
            final AllocationStrategy strategy)
        {
            this.id = id;
            this.tenant = tenant;
            this.cidr = cidr;
            this.gateway = gateway;
            this.poolFirst = pools[0];
            this.poolLast = pools[1];
            this.poolFirstHi = pools[2];
            this.poolLastHi = pools[3];
            this.strategy = strategy;
        }

        /**
         * @param ms the release cooldown in milliseconds (zero to {@link #MAX_COOLDOWN_MS}).
         * @return this plan.
         */
        public Plan cooldown(final long ms)
        {
            if (ms < 0 || ms > MAX_COOLDOWN_MS)
            {
                throw new IpamException(ErrorCode.MALFORMED, "cooldown must be 0 to " + MAX_COOLDOWN_MS +
                    " ms, was " + ms);
            }
            cooldownMs = ms;
            return this;
        }

        /**
         * @return the release cooldown in milliseconds.
         */
        public long cooldownMs()
        {
            return cooldownMs;
        }

        /**
         * Re-validate a subnet read from a snapshot or a store, with its pools as they were saved.
         *
         * @param id        id.
         * @param tenant    tenant or null.
         * @param cidr      CIDR.
         * @param gateway   gateway or null.
         * @param poolFirst pool first offsets.
         * @param poolLast  pool last offsets.
         * @param strategy  strategy.
         * @return the plan.
         * @throws IpamException if any rule is broken.
         */
        public static Plan restored(final String id, final String tenant, final Cidr cidr, final IpAddress gateway,
            final long[] poolFirst, final long[] poolLast, final AllocationStrategy strategy)
        {
            return restored(id, tenant, cidr, gateway, new long[poolFirst.length], poolFirst, new long[poolLast.length],
                poolLast, strategy);
        }

        /**
         * Re-validate a subnet read from a snapshot or a store, with its pools as they were saved: 128-bit offsets
         * (the high words are zero but in a wide subnet, IPv6 /1 to /63).
         *
         * @param id          id.
         * @param tenant      tenant or null.
         * @param cidr        CIDR.
         * @param gateway     gateway or null.
         * @param poolFirstHi pool first offsets, high words.
         * @param poolFirst   pool first offsets, low words.
         * @param poolLastHi  pool last offsets, high words.
         * @param poolLast    pool last offsets, low words.
         * @param strategy    strategy.
         * @return the plan.
         * @throws IpamException if any rule is broken.
         */
        public static Plan restored(final String id, final String tenant, final Cidr cidr, final IpAddress gateway,
            final long[] poolFirstHi, final long[] poolFirst, final long[] poolLastHi, final long[] poolLast,
            final AllocationStrategy strategy)
        {
            checkId(id, "subnet id");
            checkTenant(tenant);
            checkSubnetCidr(cidr.toString());
            if (gateway != null)
            {
                checkGateway(cidr, gateway);
            }
            if (strategy == null || poolFirst.length != poolLast.length || poolFirstHi.length != poolFirst.length ||
                poolLastHi.length != poolLast.length)
            {
                throw new IpamException(ErrorCode.MALFORMED, "subnet " + id + " has no strategy or uneven pools");
            }
            final List<IpAddress[]> ranges = new ArrayList<>(poolFirst.length);
            for (int i = 0; i < poolFirst.length; i++)
            {
                ranges.add(new IpAddress[] {at(cidr, poolFirstHi[i], poolFirst[i]),
                    at(cidr, poolLastHi[i], poolLast[i])});
            }
            return new Plan(id, tenant, cidr, gateway, checkPools(cidr, gateway, ranges), strategy);
        }

        /**
         * @return the id.
         */
        public String id()
        {
            return id;
        }

        /**
         * @return the tenant, or null for the default tenant.
         */
        public String tenant()
        {
            return tenant;
        }

        /**
         * @return the CIDR.
         */
        public Cidr cidr()
        {
            return cidr;
        }

        /**
         * @return the gateway, or null for none (a default gateway is already resolved here).
         */
        public IpAddress gateway()
        {
            return gateway;
        }

        /**
         * @return the pools' first offsets from the network address (a copy).
         */
        public long[] poolFirst()
        {
            return poolFirst.clone();
        }

        /**
         * @return the pools' last offsets from the network address (a copy).
         */
        public long[] poolLast()
        {
            return poolLast.clone();
        }

        /**
         * @return the high words of the pools' first offsets (a copy; all zero but in a wide subnet).
         */
        public long[] poolFirstHi()
        {
            return poolFirstHi.clone();
        }

        /**
         * @return the high words of the pools' last offsets (a copy; all zero but in a wide subnet).
         */
        public long[] poolLastHi()
        {
            return poolLastHi.clone();
        }

        /**
         * @return the strategy.
         */
        public AllocationStrategy strategy()
        {
            return strategy;
        }
    }

    /**
     * Validate an id (subnet or pool): 1-64 characters of {@code [A-Za-z0-9._:-]}.
     *
     * @param id   the id.
     * @param what "subnet id", "pool id".
     * @return the id.
     */
    public static String checkId(final String id, final String what)
    {
        if (id == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        boolean ok = !id.isEmpty() && id.length() <= 64;
        for (int i = 0; ok && i < id.length(); i++)
        {
            final char c = id.charAt(i);
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == ':' || c == '-';
        }
        if (!ok)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " " + AddressText.quote(id) +
                " must be 1-64 characters of A-Z a-z 0-9 . _ : -");
        }
        return id;
    }

    /**
     * Validate a tenant: same rules as ids.
     *
     * @param tenant tenant or null (the default tenant).
     * @return the tenant.
     */
    public static String checkTenant(final String tenant)
    {
        return tenant == null ? null : checkId(tenant, "tenant");
    }

    /**
     * Parse and check a subnet CIDR.
     *
     * @param text CIDR text.
     * @return the CIDR.
     */
    public static Cidr checkSubnetCidr(final String text)
    {
        final Cidr c = AddressText.parseCidr(text, "subnet CIDR");
        if (c.prefixLength() == 0)
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "CIDR " + AddressText.quote(text) +
                " has prefix length 0; a subnet needs /1 or longer");
        }
        if (c.hostBitsSet())
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "CIDR " + AddressText.quote(text) +
                " has host bits set; did you mean " + c.network() + "?");
        }
        return c;
    }

    /**
     * Validate a whole spec.
     *
     * @param spec the spec.
     * @return the plan.
     */
    public static Plan plan(final SubnetSpec spec)
    {
        if (spec == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "subnet spec is null");
        }
        final String id = checkId(spec.id(), "subnet id");
        final Cidr cidr = checkSubnetCidr(spec.cidr());
        final String tenant = checkTenant(spec.tenant());
        if (spec.strategy() == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "strategy is null");
        }
        final IpAddress gateway;
        if (spec.gateway() != null)
        {
            gateway = AddressText.parseAddress(spec.gateway(), "gateway");
            checkGateway(cidr, gateway);
        }
        else if (spec.noGateway() || isPointToPoint(cidr))
        {
            gateway = null;
        }
        else
        {
            gateway = new IpAddress(cidr.isV6(), cidr.address().hi(), cidr.address().lo() + 1);
        }
        final long[][] pools;
        if (spec.poolsGiven())
        {
            pools = checkPools(cidr, gateway, parseRanges(spec.pools()));
        }
        else
        {
            pools = defaultPools(cidr, gateway);
        }
        return new Plan(id, tenant, cidr, gateway, pools, spec.strategy()).cooldown(checkCooldown(spec.cooldown()));
    }

    /** Longest cooldown: 100 years. */
    public static final long MAX_COOLDOWN_MS = 36_500L * 86_400_000L;

    /**
     * @param d a subnet's cooldown.
     * @return it in milliseconds.
     * @throws IpamException {@code MALFORMED} for null, negative or over 100 years.
     */
    public static long checkCooldown(final Duration d)
    {
        if (d == null || d.isNegative() || d.compareTo(Duration.ofMillis(MAX_COOLDOWN_MS)) > 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "cooldown must be zero to 100 years, was " + d);
        }
        return d.toMillis();
    }

    static boolean isPointToPoint(final Cidr cidr)
    {
        return cidr.prefixLength() >= (cidr.isV6() ? 127 : 31);
    }

    /**
     * Check a gateway against a subnet: same family; inside an IPv4 CIDR it may not be the network or the broadcast
     * address (point-to-point and host subnets excepted); in IPv6 the network address is allowed (the subnet-router
     * anycast address, RFC 4291 2.6.1: what Neutron gives an IPv6 subnet created without a gateway). Outside the CIDR
     * is on-link, allowed.
     *
     * @param cidr    subnet.
     * @param gateway gateway.
     */
    public static void checkGateway(final Cidr cidr, final IpAddress gateway)
    {
        if (gateway.isV6() != cidr.isV6())
        {
            throw new IpamException(ErrorCode.GATEWAY_INVALID, "gateway " + gateway + " is " +
                (gateway.isV6() ? "IPv6" : "IPv4") + " but subnet " + cidr + " is not");
        }
        if (!cidr.contains(gateway) || isPointToPoint(cidr))
        {
            return;
        }
        if (!cidr.isV6() && gateway.equals(cidr.address()))
        {
            throw new IpamException(ErrorCode.GATEWAY_INVALID, "gateway " + gateway + " is the network address of " +
                cidr);
        }
        if (!cidr.isV6() && gateway.equals(cidr.last()))
        {
            throw new IpamException(ErrorCode.GATEWAY_INVALID, "gateway " + gateway +
                " is the broadcast address of " + cidr);
        }
    }

    /**
     * Parse pool ranges.
     *
     * @param ranges ranges (null or null elements are {@code MALFORMED}).
     * @return parsed first/last pairs.
     */
    public static List<IpAddress[]> parseRanges(final List<IpRange> ranges)
    {
        if (ranges == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "pool list is null");
        }
        final List<IpAddress[]> out = new ArrayList<>(ranges.size());
        for (final IpRange r : ranges)
        {
            if (r == null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "pool list holds a null range");
            }
            out.add(new IpAddress[] {
                AddressText.parseAddress(r.first(), "pool first address"),
                AddressText.parseAddress(r.last(), "pool last address")});
        }
        return out;
    }

    /**
     * Check given pools against a subnet and its gateway; returns offsets sorted ascending. Offsets are 128-bit: the
     * high words are zero but in a wide subnet (IPv6 /1 to /63).
     *
     * @param cidr    subnet.
     * @param gateway gateway or null.
     * @param ranges  parsed ranges.
     * @return {first offsets, last offsets, first offsets' high words, last offsets' high words}.
     */
    public static long[][] checkPools(final Cidr cidr, final IpAddress gateway, final List<IpAddress[]> ranges)
    {
        final boolean p2p = isPointToPoint(cidr);
        final IpAddress usableFirst = p2p ? cidr.address() : plus(cidr.address(), 1);
        final IpAddress usableLast = p2p || cidr.isV6() ? cidr.last() : plus(cidr.last(), -1);
        final int n = ranges.size();
        final long[][] sorted = new long[n][];
        for (int i = 0; i < n; i++)
        {
            final IpAddress a = ranges.get(i)[0];
            final IpAddress b = ranges.get(i)[1];
            final String name = a + "-" + b;
            if (a.isV6() != b.isV6() || a.isV6() != cidr.isV6())
            {
                throw new IpamException(ErrorCode.POOL_INVALID, "pool " + name +
                    " mixes address families or does not match subnet " + cidr);
            }
            if (a.compareTo(b) > 0)
            {
                throw new IpamException(ErrorCode.POOL_INVALID, "pool " + name + ": first address is after last");
            }
            if (a.compareTo(usableFirst) < 0 || b.compareTo(usableLast) > 0)
            {
                throw new IpamException(ErrorCode.POOL_OUT_OF_BOUNDS, "pool " + name +
                    " is outside the usable range " + usableFirst + "-" + usableLast + " of " + cidr);
            }
            sorted[i] = new long[] {offsetHi(cidr, a), offsetLo(cidr, a), offsetHi(cidr, b), offsetLo(cidr, b)};
        }
        Arrays.sort(sorted, (x, y) -> Wide.compare(x[0], x[1], y[0], y[1]));
        final long[] first = new long[n];
        final long[] last = new long[n];
        final long[] firstHi = new long[n];
        final long[] lastHi = new long[n];
        for (int i = 0; i < n; i++)
        {
            firstHi[i] = sorted[i][0];
            first[i] = sorted[i][1];
            lastHi[i] = sorted[i][2];
            last[i] = sorted[i][3];
            if (i > 0 && Wide.le(firstHi[i], first[i], lastHi[i - 1], last[i - 1]))
            {
                throw new IpamException(ErrorCode.POOL_OVERLAP, "pools " +
                    text(cidr, firstHi[i - 1], first[i - 1], lastHi[i - 1], last[i - 1]) + " and " +
                    text(cidr, firstHi[i], first[i], lastHi[i], last[i]) + " overlap");
            }
        }
        if (gateway != null && cidr.contains(gateway))
        {
            final long gh = offsetHi(cidr, gateway);
            final long gl = offsetLo(cidr, gateway);
            for (int i = 0; i < n; i++)
            {
                if (Wide.le(firstHi[i], first[i], gh, gl) && Wide.le(gh, gl, lastHi[i], last[i]))
                {
                    throw new IpamException(ErrorCode.GATEWAY_IN_POOL, "gateway " + gateway + " lies in pool " +
                        text(cidr, firstHi[i], first[i], lastHi[i], last[i]));
                }
            }
        }
        return new long[][] {first, last, firstHi, lastHi};
    }

    /**
     * @return true for a subnet whose offsets need more than 64 bits: IPv6 shorter than /64.
     */
    public static boolean isWide(final Cidr cidr)
    {
        return cidr.isV6() && cidr.prefixLength() < 64;
    }

    /**
     * @return the high word of an address's offset from a subnet's network address (zero but in a wide subnet).
     */
    static long offsetHi(final Cidr cidr, final IpAddress a)
    {
        return Wide.subHi(a.hi(), a.lo(), cidr.address().hi(), cidr.address().lo());
    }

    /**
     * @return the low word of an address's offset from a subnet's network address.
     */
    static long offsetLo(final Cidr cidr, final IpAddress a)
    {
        return a.lo() - cidr.address().lo();
    }

    /**
     * @return the address at a 128-bit offset from a subnet's network address.
     */
    static IpAddress at(final Cidr cidr, final long offsetHi, final long offsetLo)
    {
        final IpAddress n = cidr.address();
        return new IpAddress(cidr.isV6(), Wide.addHi(n.hi(), n.lo(), offsetHi, offsetLo), n.lo() + offsetLo);
    }

    private static String text(final Cidr cidr, final long firstHi, final long first, final long lastHi,
        final long last)
    {
        return at(cidr, firstHi, first) + "-" + at(cidr, lastHi, last);
    }

    private static IpAddress plus(final IpAddress a, final long delta)
    {
        return new IpAddress(a.isV6(), a.hi(), a.lo() + delta);
    }

    /**
     * The usable range with the gateway cut out (which can split it in two).
     *
     * @param cidr    subnet.
     * @param gateway gateway or null.
     * @return {first offsets, last offsets, first offsets' high words, last offsets' high words}.
     */
    static long[][] defaultPools(final Cidr cidr, final IpAddress gateway)
    {
        final boolean p2p = isPointToPoint(cidr);
        final int hostBits = (cidr.isV6() ? 128 : 32) - cidr.prefixLength();
        // the last offset: 2^hostBits - 1, in two words
        final long lastHi = hostBits > 64 ? (1L << (hostBits - 64)) - 1 : 0;
        final long lastLo = hostBits >= 64 ? -1L : (1L << hostBits) - 1;
        final long firstLo = p2p ? 0 : 1;
        final long lo = p2p || cidr.isV6() ? lastLo : lastLo - 1;
        if (gateway == null || !cidr.contains(gateway))
        {
            return new long[][] {{firstLo}, {lo}, {0}, {lastHi}};
        }
        final long gh = offsetHi(cidr, gateway);
        final long gl = offsetLo(cidr, gateway);
        if (Wide.lt(gh, gl, 0, firstLo) || Wide.lt(lastHi, lo, gh, gl))
        {
            return new long[][] {{firstLo}, {lo}, {0}, {lastHi}};
        }
        final List<long[]> parts = new ArrayList<>(2);
        if (gh != 0 || gl != firstLo)
        {
            // first .. gateway - 1
            parts.add(new long[] {0, firstLo, Wide.subHi(gh, gl, 0, 1), gl - 1});
        }
        if (gh != lastHi || gl != lo)
        {
            // gateway + 1 .. last
            parts.add(new long[] {Wide.addHi(gh, gl, 0, 1), gl + 1, lastHi, lo});
        }
        final long[] f = new long[parts.size()];
        final long[] l = new long[parts.size()];
        final long[] fh = new long[parts.size()];
        final long[] lh = new long[parts.size()];
        for (int i = 0; i < parts.size(); i++)
        {
            fh[i] = parts.get(i)[0];
            f[i] = parts.get(i)[1];
            lh[i] = parts.get(i)[2];
            l[i] = parts.get(i)[3];
        }
        return new long[][] {f, l, fh, lh};
    }
}
