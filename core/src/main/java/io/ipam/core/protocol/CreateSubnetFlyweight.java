package io.ipam.core.protocol;

import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#CREATE_SUBNET}: id (string), tenant (string, null for the default), CIDR, gateway
 * (an address, family 0 for none; a default gateway is already resolved), pool count (int) and each pool's first
 * and last offset from the network address (long, long), strategy (byte: 0 RANDOM, 1 LOWEST), cooldown (long ms;
 * absent in logs written before issue 14, read as 0).
 */
public final class CreateSubnetFlyweight extends BodyFlyweight
{
    private String id;
    private String tenant;
    private Cidr cidr;
    private IpAddress gateway;
    private long[] poolFirst;
    private long[] poolLast;
    private long[] poolFirstHi;
    private long[] poolLastHi;
    private int strategy;
    private long cooldownMs;

    /**
     * @param w          positioned at the body.
     * @param id         subnet id.
     * @param tenant     tenant, or null.
     * @param cidr       the CIDR.
     * @param gateway    the gateway, or null.
     * @param poolFirst  first offset of each pool.
     * @param poolLast   last offset of each pool.
     * @param strategy   strategy ordinal.
     * @param cooldownMs cooldown, 0 for none.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String id, final String tenant, final Cidr cidr,
        final IpAddress gateway, final long[] poolFirst, final long[] poolLast, final int strategy,
        final long cooldownMs)
    {
        return encode(w, id, tenant, cidr, gateway, new long[poolFirst.length], poolFirst, new long[poolLast.length],
            poolLast, strategy, cooldownMs);
    }

    /**
     * As {@link #encode(Wire, String, String, Cidr, IpAddress, long[], long[], int, long)} with 128-bit pool offsets:
     * a wide subnet's (IPv6 /1 to /63) pools are written as four longs (first high, first low, last high, last low),
     * every other subnet's as two (the high words are zero).
     *
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String id, final String tenant, final Cidr cidr,
        final IpAddress gateway, final long[] poolFirstHi, final long[] poolFirst, final long[] poolLastHi,
        final long[] poolLast, final int strategy, final long cooldownMs)
    {
        final boolean wide = isWide(cidr);
        w.putString(id).putString(tenant).putCidr(cidr).putAddress(gateway).putInt(poolFirst.length);
        for (int i = 0; i < poolFirst.length; i++)
        {
            if (wide)
            {
                w.putLong(poolFirstHi[i]).putLong(poolFirst[i]).putLong(poolLastHi[i]).putLong(poolLast[i]);
            }
            else
            {
                w.putLong(poolFirst[i]).putLong(poolLast[i]);
            }
        }
        return w.putByte(strategy).putLong(cooldownMs);
    }

    /**
     * @return true for a subnet whose offsets need more than 64 bits (IPv6 shorter than /64).
     */
    public static boolean isWide(final Cidr cidr)
    {
        return cidr.isV6() && cidr.prefixLength() < 64;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public CreateSubnetFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        id = w.getString();
        tenant = w.getString();
        cidr = w.getCidr();
        gateway = w.getAddress();
        final boolean wide = isWide(cidr);
        final int n = w.getCount(wide ? 32 : 16);
        poolFirst = new long[n];
        poolLast = new long[n];
        poolFirstHi = new long[n];
        poolLastHi = new long[n];
        for (int i = 0; i < n; i++)
        {
            poolFirstHi[i] = wide ? w.getLong() : 0;
            poolFirst[i] = w.getLong();
            poolLastHi[i] = wide ? w.getLong() : 0;
            poolLast[i] = w.getLong();
        }
        strategy = w.getByte();
        cooldownMs = remaining() >= 8 ? w.getLong() : 0;
        return this;
    }

    /**
     * @return the id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the tenant, or null.
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
     * @return the gateway, or null.
     */
    public IpAddress gateway()
    {
        return gateway;
    }

    /**
     * @return first offsets of the pools (a new array per command).
     */
    public long[] poolFirst()
    {
        return poolFirst;
    }

    /**
     * @return last offsets of the pools (a new array per command).
     */
    public long[] poolLast()
    {
        return poolLast;
    }

    /**
     * @return high words of the pools' first offsets (zero but in a wide subnet).
     */
    public long[] poolFirstHi()
    {
        return poolFirstHi;
    }

    /**
     * @return high words of the pools' last offsets (zero but in a wide subnet).
     */
    public long[] poolLastHi()
    {
        return poolLastHi;
    }

    /**
     * @return the strategy ordinal as encoded (not checked here).
     */
    public int strategy()
    {
        return strategy;
    }

    /**
     * @return the cooldown in ms.
     */
    public long cooldownMs()
    {
        return cooldownMs;
    }
}
