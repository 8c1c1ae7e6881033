package io.ipam.core.snapshot;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;

/**
 * The bytes of one subnet's and one prefix pool's settings, as {@code docs/snapshot-format.md} lays them out in
 * the SUBNETS and PREFIX_POOLS sections (without the allocation count and the children around them). The durable
 * store keeps the same records in its meta map ({@code docs/durable-store.md}), a subnet followed by its
 * cooldown; addresses and CIDRs are {@link AddressCodec}'s.
 */
public final class SettingsCodec
{
    /** Bytes of a subnet's pool range: first and last offset. */
    private static final int POOL_RANGE_BYTES = 16;

    private SettingsCodec()
    {
    }

    /**
     * Encode one subnet's settings (no allocations).
     *
     * @param d target.
     * @param m the subnet.
     * @throws IOException on write failure.
     */
    public static void writeSubnet(final DataOutputStream d, final SubnetImage m) throws IOException
    {
        final AddressCodec.Sink out = AddressCodec.sink(d);
        d.writeUTF(m.id);
        d.writeBoolean(m.tenant != null);
        if (m.tenant != null)
        {
            d.writeUTF(m.tenant);
        }
        AddressCodec.putCidr(out, m.cidr);
        d.writeByte(m.strategy.ordinal());
        d.writeBoolean(m.gateway != null);
        if (m.gateway != null)
        {
            AddressCodec.putAddress(out, m.gateway);
        }
        d.writeInt(m.poolFirst.length);
        final boolean wide = isWide(m.cidr);
        for (int i = 0; i < m.poolFirst.length; i++)
        {
            if (wide)
            {
                // a wide subnet (IPv6 /1 to /63, format version 4): 128-bit offsets
                d.writeLong(m.poolFirstHi[i]);
                d.writeLong(m.poolFirst[i]);
                d.writeLong(m.poolLastHi[i]);
                d.writeLong(m.poolLast[i]);
            }
            else
            {
                d.writeLong(m.poolFirst[i]);
                d.writeLong(m.poolLast[i]);
            }
        }
    }

    /**
     * @param cidr a subnet's CIDR.
     * @return true for a wide subnet (IPv6 /1 to /63): 128-bit offsets, written only in format version 4.
     */
    public static boolean isWide(final Cidr cidr)
    {
        return cidr.isV6() && cidr.prefixLength() < 64;
    }

    /**
     * Decode what {@link #writeSubnet(DataOutputStream, SubnetImage)} wrote.
     *
     * @param p       source, positioned at the subnet.
     * @param corrupt makes the exception for a problem description.
     * @return the subnet, with handle and allocation count -1 and no cooldown.
     */
    public static SubnetImage readSubnet(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final AddressCodec.Source in = AddressCodec.source(p);
        final String id = utf(p);
        final String tenant = p.get() != 0 ? utf(p) : null;
        final Cidr cidr = AddressCodec.getCidr(in, corrupt);
        final int strategy = p.get();
        if (strategy < 0 || strategy >= AllocationStrategy.values().length)
        {
            throw corrupt.apply("subnet " + id + " has unknown strategy " + strategy);
        }
        final IpAddress gateway = p.get() != 0 ? AddressCodec.getAddress(in, corrupt) : null;
        final int pools = p.getInt();
        final boolean wide = isWide(cidr);
        if (pools < 0 || (long)pools * POOL_RANGE_BYTES * (wide ? 2 : 1) > p.remaining())
        {
            throw corrupt.apply("subnet " + id + " pool count " + pools + " runs past its data");
        }
        final long[] first = new long[pools];
        final long[] last = new long[pools];
        final long[] firstHi = new long[pools];
        final long[] lastHi = new long[pools];
        for (int k = 0; k < pools; k++)
        {
            firstHi[k] = wide ? p.getLong() : 0;
            first[k] = p.getLong();
            lastHi[k] = wide ? p.getLong() : 0;
            last[k] = p.getLong();
        }
        return new SubnetImage(-1, id, tenant, cidr, AllocationStrategy.values()[strategy], gateway, firstHi, first,
            lastHi, last, -1, 0);
    }

    /**
     * Encode one prefix pool's settings (no children).
     *
     * @param d target.
     * @param p the pool.
     * @throws IOException on write failure.
     */
    public static void writePool(final DataOutputStream d, final PrefixPoolImage p) throws IOException
    {
        final AddressCodec.Sink out = AddressCodec.sink(d);
        d.writeUTF(p.id);
        d.writeByte(p.v6 ? 6 : 4);
        d.writeByte(p.min);
        d.writeByte(p.def);
        d.writeByte(p.max);
        d.writeLong(p.quota);
        d.writeInt(p.prefixes.size());
        for (final Cidr c : p.prefixes)
        {
            AddressCodec.putCidr(out, c);
        }
    }

    /**
     * Decode what {@link #writePool(DataOutputStream, PrefixPoolImage)} wrote.
     *
     * @param p       source.
     * @param corrupt makes the exception for a problem description.
     * @return the pool with no children.
     */
    public static PrefixPoolImage readPool(final ByteBuffer p, final Function<String, IpamException> corrupt)
    {
        final AddressCodec.Source in = AddressCodec.source(p);
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
        if (np < 0 || np > p.remaining() / AddressCodec.CIDR_BYTES)
        {
            throw corrupt.apply("pool " + id + " prefix count " + np + " runs past its data");
        }
        final List<Cidr> prefixes = new ArrayList<>(np);
        for (int k = 0; k < np; k++)
        {
            prefixes.add(AddressCodec.getCidr(in, corrupt));
        }
        return new PrefixPoolImage(id, family == 6, min, def, max, quota, prefixes, List.of(), List.of());
    }

    /**
     * @param p source.
     * @return a string written with {@link DataOutputStream#writeUTF(String)} (ASCII ids and tenants).
     * @throws BufferUnderflowException when its length runs past the buffer.
     */
    public static String utf(final ByteBuffer p)
    {
        final int len = p.getShort() & 0xFFFF;
        if (len > p.remaining())
        {
            throw new BufferUnderflowException();
        }
        final byte[] b = new byte[len];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
