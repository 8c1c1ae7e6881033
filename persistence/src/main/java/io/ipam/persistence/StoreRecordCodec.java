package io.ipam.persistence;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;

/**
 * The bytes of the durable store's meta records (one subnet's or one prefix pool's settings), owned by the store
 * alone: the snapshot format ({@code docs/snapshot-format.md}, {@code SnapshotCodec}) has its own encoder, so
 * a change to one can never silently change the other's bytes on disk. Today both happen to lay a subnet out the
 * same way; stores written before this class existed read unchanged.
 */
final class StoreRecordCodec
{
    private StoreRecordCodec()
    {
    }

    /**
     * Encode one subnet's settings (no allocations), in the store's meta map.
     *
     * @param d target.
     * @param m the subnet.
     * @throws IOException on write failure.
     */
    static void writeSubnet(final DataOutputStream d, final SubnetImage m) throws IOException
    {
        d.writeUTF(m.id);
        d.writeBoolean(m.tenant != null);
        if (m.tenant != null)
        {
            d.writeUTF(m.tenant);
        }
        writeCidr(d, m.cidr);
        d.writeByte(m.strategy.ordinal());
        d.writeBoolean(m.gateway != null);
        if (m.gateway != null)
        {
            writeAddress(d, m.gateway);
        }
        d.writeInt(m.poolFirst.length);
        for (int i = 0; i < m.poolFirst.length; i++)
        {
            d.writeLong(m.poolFirst[i]);
            d.writeLong(m.poolLast[i]);
        }
        d.writeLong(m.cooldownMs);
    }

    /**
     * Encode one prefix pool's settings (no children), in the store's meta map.
     *
     * @param d target.
     * @param p the pool.
     * @throws IOException on write failure.
     */
    static void writePool(final DataOutputStream d, final PrefixPoolImage p) throws IOException
    {
        d.writeUTF(p.id);
        d.writeByte(p.v6 ? 6 : 4);
        d.writeByte(p.min);
        d.writeByte(p.def);
        d.writeByte(p.max);
        d.writeLong(p.quota);
        d.writeInt(p.prefixes.size());
        for (final Cidr c : p.prefixes)
        {
            writeCidr(d, c);
        }
    }

    /**
     * Decode what {@link #writeSubnet(DataOutputStream, SubnetImage)} wrote.
     *
     * @param p       source, positioned at the subnet.
     * @param corrupt makes the exception for a problem description.
     * @return the subnet, with an allocation count of -1.
     */
    static SubnetImage readSubnet(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final String id = utf(p);
        final String tenant = p.get() != 0 ? utf(p) : null;
        final Cidr cidr = readCidr(p, corrupt);
        final int strategy = p.get();
        if (strategy < 0 || strategy >= AllocationStrategy.values().length)
        {
            throw corrupt.apply("subnet " + id + " has unknown strategy " + strategy);
        }
        final IpAddress gateway = p.get() != 0 ? readAddress(p, corrupt) : null;
        final int pools = p.getInt();
        if (pools < 0 || (long)pools * 16 > p.remaining())
        {
            throw corrupt.apply("subnet " + id + " pool count " + pools + " runs past its data");
        }
        final long[] first = new long[pools];
        final long[] last = new long[pools];
        for (int k = 0; k < pools; k++)
        {
            first[k] = p.getLong();
            last[k] = p.getLong();
        }
        // the cooldown (since issue 14); a record written before has none
        final long cooldownMs = p.remaining() >= 8 ? p.getLong() : 0;
        if (cooldownMs < 0 || cooldownMs > io.ipam.core.engine.SubnetRules.MAX_COOLDOWN_MS)
        {
            throw corrupt.apply("subnet " + id + " has cooldown " + cooldownMs + " ms");
        }
        return new SubnetImage(-1, id, tenant, cidr, AllocationStrategy.values()[strategy], gateway, first, last, -1,
            cooldownMs);
    }

    /**
     * Decode what {@link #writePool(DataOutputStream, PrefixPoolImage)} wrote.
     *
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the pool with no children.
     */
    static PrefixPoolImage readPool(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final String id = utf(p);
        final int family = p.get();
        if (family != 4 && family != 6)
        {
            throw corrupt.apply("pool " + id + " family " + family);
        }
        final int min = p.get() & 0xFF;
        final int def = p.get() & 0xFF;
        final int max = p.get() & 0xFF;
        final long quota = p.getLong();
        final int np = p.getInt();
        if (np < 0 || np > p.remaining())
        {
            throw corrupt.apply("pool " + id + " prefix count " + np + " runs past its data");
        }
        final List<Cidr> prefixes = new ArrayList<>(np);
        for (int k = 0; k < np; k++)
        {
            prefixes.add(readCidr(p, corrupt));
        }
        return new PrefixPoolImage(id, family == 6, min, def, max, quota, prefixes, List.of(), List.of());
    }

    /**
     * @param p source.
     * @return a string written with {@link DataOutputStream#writeUTF(String)} (ASCII ids and tenants).
     */
    static String utf(final ByteBuffer p)
    {
        final int len = p.getShort() & 0xFFFF;
        final byte[] b = new byte[len];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the address.
     */
    static IpAddress readAddress(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final int family = p.get();
        if (family != 4 && family != 6)
        {
            throw corrupt.apply("address family " + family + " is neither 4 nor 6");
        }
        final long hi = p.getLong();
        final long lo = p.getLong();
        if (family == 4 && (hi != 0 || (lo >>> 32) != 0))
        {
            throw corrupt.apply("IPv4 address out of range");
        }
        return new IpAddress(family == 6, hi, lo);
    }

    /**
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the CIDR.
     */
    static Cidr readCidr(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final IpAddress a = readAddress(p, corrupt);
        final int len = p.get() & 0xFF;
        if (len > a.bits())
        {
            throw corrupt.apply("prefix length " + len + " out of range");
        }
        return new Cidr(a, len);
    }

    private static void writeAddress(final DataOutputStream d, final IpAddress a) throws IOException
    {
        d.writeByte(a.isV6() ? 6 : 4);
        d.writeLong(a.hi());
        d.writeLong(a.lo());
    }

    /**
     * @param d target.
     * @param c CIDR to write.
     * @throws IOException on write failure.
     */
    static void writeCidr(final DataOutputStream d, final Cidr c) throws IOException
    {
        writeAddress(d, c.address());
        d.writeByte(c.prefixLength());
    }
}
