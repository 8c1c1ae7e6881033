package io.ipam.core.protocol;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.Change;
import io.ipam.core.ChangeKind;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.SubnetInfo;

/**
 * Encodings of the variable answers in a {@link Reply}'s payload, both directions, with {@link Wire}:
 * <ul>
 *   <li>subnet: id, CIDR, tenant, gateway (strings, null where absent), int pool count, then first and last
 *       of each pool (strings), byte strategy ordinal, long allocated, string free (decimal).</li>
 *   <li>prefix pool: id, int prefix count and the prefixes (strings), int min, default and max length, long
 *       quota ({@code -1} for none), long child count.</li>
 *   <li>change: long sequence, long time (epoch ms), byte kind, tenant, subnet, address (strings, null where
 *       absent), boolean owner present, then the owner's two longs if so.</li>
 *   <li>a list: int count, then the elements.</li>
 * </ul>
 */
public final class ReplyCodec
{
    private static final AllocationStrategy[] STRATEGIES = AllocationStrategy.values();
    private static final ChangeKind[] KINDS = ChangeKind.values();

    private ReplyCodec()
    {
    }

    /**
     * @param w    the wire, positioned.
     * @param info the subnet.
     */
    public static void putSubnet(final Wire w, final SubnetInfo info)
    {
        w.putString(info.id()).putString(info.cidr()).putString(info.tenant().orElse(null))
            .putString(info.gateway().orElse(null));
        w.putInt(info.pools().size());
        for (final IpRange r : info.pools())
        {
            w.putString(r.first()).putString(r.last());
        }
        w.putByte(info.strategy().ordinal()).putLong(info.allocated()).putString(info.free().toString())
            .putLong(info.cooldown().toMillis()).putLong(info.cooling());
    }

    /**
     * @param w the wire, positioned.
     * @return the subnet.
     */
    public static SubnetInfo getSubnet(final Wire w)
    {
        final String id = w.getString();
        final String cidr = w.getString();
        final String tenant = w.getString();
        final String gateway = w.getString();
        final int n = w.getCount(8);
        final List<IpRange> pools = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            pools.add(IpRange.of(w.getString(), w.getString()));
        }
        final int strategy = w.getByte();
        if (strategy >= STRATEGIES.length)
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded strategy " + strategy + " is unknown");
        }
        final long allocated = w.getLong();
        final BigInteger free = new BigInteger(w.getString());
        final long cooldownMs = w.getLong();
        final long cooling = w.getLong();
        return new SubnetInfo(id, cidr, tenant, gateway, pools, STRATEGIES[strategy], allocated, free, cooldownMs,
            cooling);
    }

    /**
     * @param w    the wire, positioned.
     * @param list subnets.
     */
    public static void putSubnets(final Wire w, final List<SubnetInfo> list)
    {
        w.putInt(list.size());
        for (final SubnetInfo s : list)
        {
            putSubnet(w, s);
        }
    }

    /**
     * @param w the wire, positioned.
     * @return subnets.
     */
    public static List<SubnetInfo> getSubnets(final Wire w)
    {
        final int n = w.getCount(16);
        final List<SubnetInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            out.add(getSubnet(w));
        }
        return out;
    }

    /**
     * @param w    the wire, positioned.
     * @param info the pool.
     */
    public static void putPool(final Wire w, final PrefixPoolInfo info)
    {
        w.putString(info.id());
        putStrings(w, info.prefixes());
        w.putInt(info.minPrefixLength()).putInt(info.defaultPrefixLength()).putInt(info.maxPrefixLength())
            .putLong(info.quota().isPresent() ? info.quota().getAsLong() : -1).putLong(info.childCount());
    }

    /**
     * @param w the wire, positioned.
     * @return the pool.
     */
    public static PrefixPoolInfo getPool(final Wire w)
    {
        final String id = w.getString();
        final List<String> prefixes = getStrings(w);
        final int min = w.getInt();
        final int def = w.getInt();
        final int max = w.getInt();
        final long quota = w.getLong();
        final long children = w.getLong();
        return new PrefixPoolInfo(id, prefixes, min, def, max, quota < 0 ? OptionalLong.empty() :
            OptionalLong.of(quota), children);
    }

    /**
     * @param w    the wire, positioned.
     * @param list strings.
     */
    public static void putStrings(final Wire w, final List<String> list)
    {
        w.putInt(list.size());
        for (final String s : list)
        {
            w.putString(s);
        }
    }

    /**
     * @param w the wire, positioned.
     * @return strings.
     */
    public static List<String> getStrings(final Wire w)
    {
        final int n = w.getCount(4);
        final List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            out.add(w.getString());
        }
        return out;
    }

    /**
     * @param w    the wire, positioned.
     * @param list changes.
     */
    public static void putChanges(final Wire w, final List<Change> list)
    {
        w.putInt(list.size());
        for (final Change c : list)
        {
            w.putLong(c.sequence()).putLong(c.time().toEpochMilli()).putByte(c.kind().ordinal())
                .putString(c.tenant().orElse(null)).putString(c.subnetId().orElse(null))
                .putString(c.address().orElse(null)).putBoolean(c.owner().isPresent());
            if (c.owner().isPresent())
            {
                final UUID owner = c.owner().get();
                w.putLong(owner.getMostSignificantBits()).putLong(owner.getLeastSignificantBits());
            }
        }
    }

    /**
     * @param w the wire, positioned.
     * @return changes.
     */
    public static List<Change> getChanges(final Wire w)
    {
        final int n = w.getCount(27);
        final List<Change> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final long sequence = w.getLong();
            final Instant time = Instant.ofEpochMilli(w.getLong());
            final int kind = w.getByte();
            if (kind >= KINDS.length)
            {
                throw new IpamException(ErrorCode.MALFORMED, "encoded change kind " + kind + " is unknown");
            }
            final String tenant = w.getString();
            final String subnetId = w.getString();
            final String address = w.getString();
            final UUID owner = w.getBoolean() ? new UUID(w.getLong(), w.getLong()) : null;
            out.add(new Change(sequence, time, KINDS[kind], tenant, subnetId, address, owner));
        }
        return out;
    }
}
