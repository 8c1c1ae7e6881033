package io.ipam.persistence;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.EngineImage.SubnetImage;
import io.ipam.core.engine.LifecycleImage.KeyImage;
import io.ipam.core.engine.RequestKeys;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.snapshot.SettingsCodec;

/**
 * The bytes of the durable store's records, keys and values, as {@code docs/durable-store.md} specifies them.
 * <p>
 * {@code meta.cm}: a subnet (key {@code s}+id) is its settings encoded as in the snapshot format's SUBNETS section
 * ({@link SettingsCodec}) followed by its cooldown ({@code i64} ms; a record written before issue 14 has none and
 * means 0); a prefix pool (key {@code p}+id) as in the PREFIX_POOLS section; the generator's state (key
 * {@code r}) and the change sequence a restored store continues (key {@code q}).
 * <p>
 * {@code entries.cm}: keys are a kind byte, an id (subnet, pool or tenant), a 0 byte, then the rest: an
 * allocation ({@code a}, then the address {@code i64}; value owner 16 bytes and time, or 40 bytes with lease end
 * and key serial), a prefix child ({@code c}, then the child in {@link AddressCodec}'s CIDR layout; value its
 * tenant), a cooling address ({@code o}, then the address; value the time freed) and a request key ({@code k},
 * then the key's name; value as {@link #keyValue}).
 */
final class StoreRecordCodec
{
    static final byte SUBNET = 's';
    static final byte POOL = 'p';
    static final byte[] RANDOM_KEY = {'r'};
    static final byte[] SEQUENCE_KEY = {'q'};
    static final byte ALLOCATION = 'a';
    static final byte CHILD = 'c';
    static final byte COOLING = 'o';
    static final byte KEY = 'k';
    /** An allocation's value: owner (16) and time (8). */
    static final int VALUE = 24;
    /** An allocation's value with lifecycle state: also lease end (8, 0: none) and key serial (8, 0: none). */
    static final int LIFECYCLE_VALUE = 40;
    /** An allocation value with flags (store version 2): the lifecycle value and an {@code i64} of flags. */
    static final int FLAGS_VALUE = 48;
    /** Offset of the flags in a {@link #FLAGS_VALUE} value. */
    static final int FLAGS_AT = 40;
    /** Flag: a router's allocation (SPEC 2). */
    static final long ROUTER = 1;
    /** Where the lease end and the key serial lie in a lifecycle value. */
    static final int LEASE_AT = 24;
    static final int SERIAL_AT = 32;
    /** A request key's value before its payload: serial, fingerprint, code, value, time gone, payload length. */
    private static final int KEY_VALUE = 8 + 8 + 4 + 8 + 8 + 4;

    private StoreRecordCodec()
    {
    }

    // ------------------------------------------------------------------------------------------------------------
    // keys
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param kind  the record's kind.
     * @param id    its id.
     * @param extra bytes after the id's terminating 0 (-1: no terminator, a meta key).
     * @return the key with room for the extra bytes at its end.
     */
    static byte[] key(final byte kind, final String id, final int extra)
    {
        final byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        final byte[] k = new byte[2 + idBytes.length + extra];
        k[0] = kind;
        System.arraycopy(idBytes, 0, k, 1, idBytes.length);
        return k;
    }

    /**
     * @param wide true for a wide subnet (IPv6 /1 to /63): the key holds the whole address, high then low 64 bits
     *             (store version 2); else its low 64 bits.
     * @return an allocation's key.
     */
    static byte[] allocationKey(final String subnetId, final boolean wide, final long addressHi, final long address)
    {
        return wide ? wideKey(ALLOCATION, subnetId, addressHi, address) : allocationKey(subnetId, address);
    }

    /**
     * @param wide as in {@link #allocationKey(String, boolean, long, long)}.
     * @return a cooling address's key.
     */
    static byte[] coolingKey(final String subnetId, final boolean wide, final long addressHi, final long address)
    {
        return wide ? wideKey(COOLING, subnetId, addressHi, address) : coolingKey(subnetId, address);
    }

    private static byte[] wideKey(final byte kind, final String subnetId, final long addressHi, final long address)
    {
        final byte[] k = key(kind, subnetId, 16);
        ByteBuffer.wrap(k).putLong(k.length - 16, addressHi).putLong(k.length - 8, address);
        return k;
    }

    /**
     * @return a router's allocation value (store version 2): the lifecycle form without a lease, then the flags.
     */
    static byte[] routerValue(final long ownerMsb, final long ownerLsb, final long timeMs, final long keySerial)
    {
        return ByteBuffer.allocate(FLAGS_VALUE).putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs)
            .putLong(SERIAL_AT, keySerial).putLong(FLAGS_AT, ROUTER).array();
    }

    /**
     * @return the value of an allocation made under a request key: the lifecycle form with its key's serial and no
     * lease yet (the allocation and its key link in one write).
     */
    static byte[] keyedValue(final long ownerMsb, final long ownerLsb, final long timeMs, final long keySerial)
    {
        return ByteBuffer.allocate(LIFECYCLE_VALUE).putLong(ownerMsb).putLong(ownerLsb).putLong(timeMs)
            .putLong(SERIAL_AT, keySerial).array();
    }

    static byte[] allocationKey(final String subnetId, final long address)
    {
        final byte[] k = key(ALLOCATION, subnetId, 8);
        ByteBuffer.wrap(k).putLong(k.length - 8, address);
        return k;
    }

    static byte[] coolingKey(final String subnetId, final long address)
    {
        final byte[] k = key(COOLING, subnetId, 8);
        ByteBuffer.wrap(k).putLong(k.length - 8, address);
        return k;
    }

    static byte[] childKey(final String poolId, final Cidr child)
    {
        final byte[] k = key(CHILD, poolId, AddressCodec.CIDR_BYTES);
        AddressCodec.putCidr(AddressCodec.sink(ByteBuffer.wrap(k, k.length - AddressCodec.CIDR_BYTES,
            AddressCodec.CIDR_BYTES)), child);
        return k;
    }

    /**
     * @param k       a child entry's key.
     * @param at      where the CIDR starts (after the pool id's terminator).
     * @param corrupt makes the exception for a problem description.
     * @return the child.
     */
    static Cidr child(final byte[] k, final int at, final Function<String, IpamException> corrupt)
    {
        return AddressCodec.getCidr(AddressCodec.source(ByteBuffer.wrap(k, at, AddressCodec.CIDR_BYTES)), corrupt);
    }

    static byte[] keyKey(final RequestKeys.Key k)
    {
        final byte[] t = (k.tenant == null ? "" : k.tenant).getBytes(StandardCharsets.UTF_8);
        final byte[] n = k.key.getBytes(StandardCharsets.UTF_8);
        final byte[] key = new byte[2 + t.length + n.length];
        key[0] = KEY;
        System.arraycopy(t, 0, key, 1, t.length);
        System.arraycopy(n, 0, key, 2 + t.length, n.length);
        return key;
    }

    // ------------------------------------------------------------------------------------------------------------
    // values
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param k a request key.
     * @return its value: serial, fingerprint, first answer's code and value, time its last allocation went,
     * payload length and payload (as in the snapshot's LIFECYCLE section).
     */
    static byte[] keyValue(final RequestKeys.Key k)
    {
        final byte[] payload = k.payload();
        return ByteBuffer.allocate(KEY_VALUE + payload.length).putLong(k.serial).putLong(k.fingerprint)
            .putInt(k.code()).putLong(k.value()).putLong(k.goneAt()).putInt(payload.length).put(payload).array();
    }

    /**
     * Decode what {@link #keyValue} wrote.
     *
     * @param tenant  the key's tenant ("" for none).
     * @param key     its name.
     * @param v       the value.
     * @param corrupt makes the exception for a problem description.
     * @return the key.
     */
    static KeyImage readKey(final String tenant, final String key, final byte[] v,
        final Function<String, IpamException> corrupt)
    {
        final ByteBuffer b = ByteBuffer.wrap(v);
        if (key.isEmpty() || v.length < KEY_VALUE)
        {
            throw corrupt.apply("request key entry " + key + " has a bad size");
        }
        final long serial = b.getLong();
        final long fingerprint = b.getLong();
        final int code = b.getInt();
        final long value = b.getLong();
        final long goneAt = b.getLong();
        final int length = b.getInt();
        if (length != b.remaining() || serial <= 0)
        {
            throw corrupt.apply("request key entry " + key + " is damaged");
        }
        final byte[] payload = new byte[length];
        b.get(payload);
        return new KeyImage(tenant.isEmpty() ? null : tenant, key, fingerprint, code, value, payload, goneAt, serial);
    }

    /**
     * @param v a value.
     * @return its 8 bytes.
     */
    static byte[] longValue(final long v)
    {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    /**
     * @param b      bytes.
     * @param offset where a big-endian long starts.
     * @return the long.
     */
    static long longAt(final byte[] b, final int offset)
    {
        long v = 0;
        for (int i = 0; i < 8; i++)
        {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------------------
    // meta records
    // ------------------------------------------------------------------------------------------------------------

    /**
     * @param m a subnet.
     * @return its record: settings and cooldown.
     * @throws IOException on write failure.
     */
    static byte[] subnetRecord(final SubnetImage m) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(bytes);
        SettingsCodec.writeSubnet(d, m);
        d.writeLong(m.cooldownMs);
        return bytes.toByteArray();
    }

    /**
     * Decode what {@link #subnetRecord(SubnetImage)} wrote.
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
        return new SubnetImage(-1, m.id, m.tenant, m.cidr, m.strategy, m.gateway, m.poolFirstHi, m.poolFirst,
            m.poolLastHi, m.poolLast, -1, cooldownMs);
    }

    /**
     * @param p a prefix pool.
     * @return its record: settings without children.
     * @throws IOException on write failure.
     */
    static byte[] poolRecord(final PrefixPoolImage p) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SettingsCodec.writePool(new DataOutputStream(bytes), p);
        return bytes.toByteArray();
    }

    /**
     * Decode what {@link #poolRecord(PrefixPoolImage)} wrote.
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
