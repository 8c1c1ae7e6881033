package io.ipam.core.protocol;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
import io.ipam.core.SubnetStats;
import io.ipam.core.addr.Cidr;

/**
 * Encodings of the variable answers in a {@link Reply}'s payload, both directions, with {@link Wire}: the writer's
 * adapter encodes through these, the facade decodes through these, and no other place knows an answer's layout.
 * <ul>
 *   <li>error: the message (string).</li>
 *   <li>bulk: int count, then each address value (long).</li>
 *   <li>port request: int count, then per item int handle, bool IPv6, long high bits, long value; on failure int
 *       failed item, int its handle. A request key keeps it with subnet ids instead of handles.</li>
 *   <li>allocations of an owner: int count, then per allocation subnet id, bool IPv6, long high bits, long value,
 *       long time, long lease end (0 for none).</li>
 *   <li>reconcile: int count, then per allocation subnet id, bool IPv6, long high bits, long value, long owner
 *       high, long owner low, long time.</li>
 *   <li>subnet statistics: int count, then per subnet id, tenant, long allocated, string free (decimal), long
 *       cooling, leased, expired, reclaimed.</li>
 *   <li>a subnet resolved: its CIDR and tenant; a child prefix: its CIDR.</li>
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

    /**
     * @param w       the wire, positioned.
     * @param message an error's message.
     */
    public static void putError(final Wire w, final String message)
    {
        w.putString(message);
    }

    /**
     * @param w the wire, positioned.
     * @return an error's message, or null.
     */
    public static String getError(final Wire w)
    {
        return w.remaining() == 0 ? null : w.getString();
    }

    /**
     * @param w      the wire, positioned.
     * @param values address values.
     * @param count  how many.
     */
    public static void putAddresses(final Wire w, final long[] values, final int count)
    {
        w.putInt(count);
        for (int i = 0; i < count; i++)
        {
            w.putLong(values[i]);
        }
    }

    /**
     * @param w the wire, positioned.
     * @return address values.
     */
    public static long[] getAddresses(final Wire w)
    {
        final int n = w.getCount(8);
        final long[] values = new long[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = w.getLong();
        }
        return values;
    }

    /**
     * A wide subnet's bulk answer (IPv6 /1 to /63): each address as its high and low 64 bits.
     *
     * @param w      the wire, positioned.
     * @param hi     the addresses' high bits.
     * @param values the addresses' values.
     * @param count  how many.
     */
    public static void putWideAddresses(final Wire w, final long[] hi, final long[] values, final int count)
    {
        w.putInt(count);
        for (int i = 0; i < count; i++)
        {
            w.putLong(hi[i]).putLong(values[i]);
        }
    }

    /**
     * @param w the wire, positioned at a wide subnet's bulk answer.
     * @return the addresses as (high, value) pairs, 2 longs each.
     */
    public static long[] getWideAddresses(final Wire w)
    {
        final int n = w.getCount(16);
        final long[] values = new long[2 * n];
        for (int i = 0; i < 2 * n; i++)
        {
            values[i] = w.getLong();
        }
        return values;
    }

    /**
     * The answer of an allocation in a wide subnet (IPv6 /1 to /63) carries the address's high 64 bits as its
     * payload (its value holds the low 64 bits, as for every subnet).
     *
     * @param w  the wire, positioned.
     * @param hi the address's high bits.
     */
    public static void putAddressHigh(final Wire w, final long hi)
    {
        w.putLong(hi);
    }

    /**
     * @param w the wire, positioned at an allocation answer's payload.
     * @return the address's high bits.
     */
    public static long getAddressHigh(final Wire w)
    {
        return w.getLong();
    }

    /**
     * One allocated address of a port request's answer; {@code putInt(count)} comes first.
     *
     * @param w      the wire.
     * @param handle the subnet it was allocated in.
     * @param v6     family.
     * @param hi     high bits.
     * @param value  value.
     */
    public static void putPortItem(final Wire w, final int handle, final boolean v6, final long hi, final long value)
    {
        w.putInt(handle).putBoolean(v6).putLong(hi).putLong(value);
    }

    /**
     * @param w            the wire, positioned.
     * @param failedItem   the item that failed.
     * @param failedHandle the subnet it failed in.
     */
    public static void putPortFailure(final Wire w, final int failedItem, final int failedHandle)
    {
        w.putInt(failedItem).putInt(failedHandle);
    }

    /**
     * Receives a port request's allocated addresses.
     */
    @FunctionalInterface
    public interface PortItemReader
    {
        /**
         * @param index  the item.
         * @param handle the subnet it was allocated in.
         * @param v6     family.
         * @param hi     high bits.
         * @param value  value.
         */
        void onItem(int index, int handle, boolean v6, long hi, long value);
    }

    /**
     * @param w      the wire, positioned.
     * @param reader receives each allocated address.
     * @return the count.
     */
    public static int getPortItems(final Wire w, final PortItemReader reader)
    {
        final int n = w.getCount(21);
        for (int i = 0; i < n; i++)
        {
            reader.onItem(i, w.getInt(), w.getBoolean(), w.getLong(), w.getLong());
        }
        return n;
    }

    /**
     * The failed item's index and handle of a port request answered with an error code (read them in this order).
     *
     * @param w the wire, positioned.
     * @return the failed item.
     */
    public static int getPortFailedItem(final Wire w)
    {
        return w.getInt();
    }

    /**
     * @param w the wire, after {@link #getPortFailedItem}.
     * @return the failed item's handle.
     */
    public static int getPortFailedHandle(final Wire w)
    {
        return w.getInt();
    }

    /**
     * Resolves a subnet id to its handle now, and back.
     */
    public interface SubnetIds
    {
        /**
         * @param handle a handle.
         * @return its subnet's id, or null.
         */
        String idOf(int handle);

        /**
         * @param id a subnet id.
         * @return its handle now.
         */
        int handleOf(String id);
    }

    /**
     * A port answer as a request key keeps it: subnet ids instead of handles (handles are numbered again when a
     * store is reopened or a snapshot restored): int count, then per item id, bool IPv6, long high, long value.
     *
     * @param in  the answer, positioned at its payload.
     * @param out where the kept form is written.
     * @param ids handles to ids.
     */
    public static void portAnswerToKept(final Wire in, final Wire out, final SubnetIds ids)
    {
        final int n = in.getInt();
        out.putInt(n);
        for (int i = 0; i < n; i++)
        {
            out.putString(ids.idOf(in.getInt())).putBoolean(in.getBoolean()).putLong(in.getLong())
                .putLong(in.getLong());
        }
    }

    /**
     * A kept port answer as the reply carries it, with the subnets' handles of now.
     *
     * @param kept the kept form, positioned.
     * @param out  the reply's payload.
     * @param ids  ids to handles.
     */
    public static void portAnswerFromKept(final Wire kept, final Wire out, final SubnetIds ids)
    {
        final int n = kept.getInt();
        out.putInt(n);
        for (int i = 0; i < n; i++)
        {
            out.putInt(ids.handleOf(kept.getString())).putBoolean(kept.getBoolean()).putLong(kept.getLong())
                .putLong(kept.getLong());
        }
    }

    /**
     * Start a list whose count is known only at its end: room for the count is left, {@link #endList} fills it.
     *
     * @param w the wire, positioned.
     * @return where the count goes.
     */
    public static int beginList(final Wire w)
    {
        final int at = w.position();
        w.putInt(0);
        return at;
    }

    /**
     * @param w     the wire.
     * @param at    what {@link #beginList} returned.
     * @param count the elements written.
     */
    public static void endList(final Wire w, final int at, final int count)
    {
        w.putIntAt(at, count);
    }

    /**
     * One allocation of an owner (see {@link #beginList}).
     *
     * @param w         the wire.
     * @param subnetId  subnet.
     * @param v6        family.
     * @param hi        high bits.
     * @param value     value.
     * @param timeMs    allocation time.
     * @param expiresAt lease end, 0 for none.
     */
    public static void putOwnedAllocation(final Wire w, final String subnetId, final boolean v6, final long hi,
        final long value, final long timeMs, final long expiresAt)
    {
        w.putString(subnetId).putBoolean(v6).putLong(hi).putLong(value).putLong(timeMs).putLong(expiresAt);
    }

    /**
     * After a list of allocations (an owner's, or a reconcile's), the indexes of those a router's request made
     * (SPEC 2): written only when there is one, so an answer without router allocations is what it always was.
     *
     * @param w       the wire, after the list.
     * @param indexes the indexes in the list, ascending.
     * @param count   how many.
     */
    public static void putRouterMarks(final Wire w, final int[] indexes, final int count)
    {
        if (count > 0)
        {
            w.putInt(count);
            for (int i = 0; i < count; i++)
            {
                w.putInt(indexes[i]);
            }
        }
    }

    /**
     * @param w the wire, after a list of allocations.
     * @return the indexes of the router allocations in it (none when the answer carries no marks).
     */
    public static int[] getRouterMarks(final Wire w)
    {
        if (w.remaining() < 4)
        {
            return new int[0];
        }
        final int n = w.getCount(4);
        final int[] indexes = new int[n];
        for (int i = 0; i < n; i++)
        {
            indexes[i] = w.getInt();
        }
        return indexes;
    }

    /**
     * Receives the allocations of an owner.
     */
    @FunctionalInterface
    public interface OwnedAllocationReader
    {
        /**
         * @param subnetId  subnet.
         * @param v6        family.
         * @param hi        high bits.
         * @param value     value.
         * @param timeMs    allocation time.
         * @param expiresAt lease end, 0 for none.
         */
        void onAllocation(String subnetId, boolean v6, long hi, long value, long timeMs, long expiresAt);
    }

    /**
     * @param w      the wire, positioned.
     * @param reader receives each.
     * @return the count.
     */
    public static int getOwnedAllocations(final Wire w, final OwnedAllocationReader reader)
    {
        final int n = w.getCount(37);
        for (int i = 0; i < n; i++)
        {
            reader.onAllocation(w.getString(), w.getBoolean(), w.getLong(), w.getLong(), w.getLong(), w.getLong());
        }
        return n;
    }

    /**
     * One allocation a reconcile released or would release (see {@link #beginList}).
     *
     * @param w        the wire.
     * @param subnetId subnet.
     * @param v6       family.
     * @param hi       high bits.
     * @param value    value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     */
    public static void putReclaimed(final Wire w, final String subnetId, final boolean v6, final long hi,
        final long value, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        w.putString(subnetId).putBoolean(v6).putLong(hi).putLong(value).putLong(ownerMsb).putLong(ownerLsb)
            .putLong(timeMs);
    }

    /**
     * Receives the allocations of a reconcile.
     */
    @FunctionalInterface
    public interface ReclaimedReader
    {
        /**
         * @param subnetId subnet.
         * @param v6       family.
         * @param hi       high bits.
         * @param value    value.
         * @param ownerMsb owner high bits.
         * @param ownerLsb owner low bits.
         * @param timeMs   allocation time.
         */
        void onAllocation(String subnetId, boolean v6, long hi, long value, long ownerMsb, long ownerLsb,
            long timeMs);
    }

    /**
     * @param w      the wire, positioned.
     * @param reader receives each.
     * @return the count.
     */
    public static int getReclaimed(final Wire w, final ReclaimedReader reader)
    {
        final int n = w.getCount(45);
        for (int i = 0; i < n; i++)
        {
            reader.onAllocation(w.getString(), w.getBoolean(), w.getLong(), w.getLong(), w.getLong(), w.getLong(),
                w.getLong());
        }
        return n;
    }

    /**
     * One subnet's statistics (see {@link #beginList}).
     *
     * @param w the wire.
     * @param s the statistics.
     */
    public static void putStats(final Wire w, final SubnetStats s)
    {
        w.putString(s.subnetId()).putString(s.tenant().orElse(null)).putLong(s.allocated())
            .putString(s.free().toString()).putLong(s.cooling()).putLong(s.leased()).putLong(s.expired())
            .putLong(s.reclaimed());
    }

    /**
     * @param w the wire, positioned.
     * @return every subnet's statistics.
     */
    public static List<SubnetStats> getStats(final Wire w)
    {
        final int n = w.getCount(40);
        final List<SubnetStats> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final String id = w.getString();
            final String tenant = w.getString();
            final long allocated = w.getLong();
            final BigInteger free = new BigInteger(w.getString());
            out.add(new SubnetStats(id, tenant, allocated, free, w.getLong(), w.getLong(), w.getLong(), w.getLong()));
        }
        return out;
    }

    /**
     * @param w      the wire, positioned.
     * @param cidr   a resolved subnet's CIDR.
     * @param tenant its tenant, or null.
     */
    public static void putResolved(final Wire w, final Cidr cidr, final String tenant)
    {
        w.putCidr(cidr).putString(tenant);
    }

    /**
     * @param w the wire, positioned (the tenant follows: {@link Wire#getString()}).
     * @return a resolved subnet's CIDR.
     */
    public static Cidr getResolvedCidr(final Wire w)
    {
        return w.getCidr();
    }
}
