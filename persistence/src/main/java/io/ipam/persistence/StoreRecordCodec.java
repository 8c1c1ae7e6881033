package io.ipam.persistence;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;

import io.ipam.core.IpamException;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SettingsCodec;

/**
 * The bytes of the durable store's meta records, as {@code docs/durable-store.md} specifies them: one subnet's
 * settings encoded as in the snapshot format's SUBNETS section ({@link SettingsCodec}) followed by its cooldown
 * ({@code i64} ms; a record written before issue 14 has none and means 0), one prefix pool's settings as in the
 * PREFIX_POOLS section.
 */
final class StoreRecordCodec
{
    private StoreRecordCodec()
    {
    }

    /**
     * Encode one subnet's settings (no allocations) and its cooldown.
     *
     * @param d target.
     * @param m the subnet.
     * @throws IOException on write failure.
     */
    static void writeSubnet(final DataOutputStream d, final SubnetImage m) throws IOException
    {
        SettingsCodec.writeSubnet(d, m);
        d.writeLong(m.cooldownMs);
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
        final SubnetImage m = SettingsCodec.readSubnet(p, corrupt);
        // the cooldown (since issue 14); a record written before has none
        final long cooldownMs = p.remaining() >= 8 ? p.getLong() : 0;
        if (cooldownMs < 0 || cooldownMs > SubnetRules.MAX_COOLDOWN_MS)
        {
            throw corrupt.apply("subnet " + m.id + " has cooldown " + cooldownMs + " ms");
        }
        return new SubnetImage(-1, m.id, m.tenant, m.cidr, m.strategy, m.gateway, m.poolFirst, m.poolLast, -1,
            cooldownMs);
    }

    /**
     * Encode one prefix pool's settings (no children).
     *
     * @param d target.
     * @param p the pool.
     * @throws IOException on write failure.
     */
    static void writePool(final DataOutputStream d, final PrefixPoolImage p) throws IOException
    {
        SettingsCodec.writePool(d, p);
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
        return SettingsCodec.readPool(p, corrupt);
    }
}
