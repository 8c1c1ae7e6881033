package io.ipam.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressCodec;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.EngineImage.PrefixPoolImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.engine.Restorer;
import io.ipam.core.snapshot.SettingsCodec;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Rebuilds an engine from a store's maps when it opens: decodes every record ({@link StoreRecordCodec}) and hands
 * it to the {@link Restorer}, the rebuild path a snapshot restore takes too. Bitmaps, owner tables and indexes are
 * derived, never stored. A record that does not decode is {@code STORE_CORRUPT}, never an index or buffer exception.
 */
final class StoreLoader
{
    private final ChronicleMap<byte[], byte[]> meta;
    private final ChronicleMap<byte[], byte[]> entries;
    private final Function<String, IpamException> corrupt;
    /** Entries of one subnet come in runs: the last id's bytes and string, so its subnet is looked up once a run. */
    private byte[] lastIdBytes;
    private String lastId;
    /** Ids of the wide subnets (IPv6 /1 to /63): their allocation and cooling keys hold whole addresses. */
    private final Set<String> wide = new HashSet<>();
    /** Allocations made under a request key, put back once every key record has been read. */
    private final List<KeyedAllocation> keyed = new ArrayList<>();
    /** Serials of the request keys in the store. */
    private final Set<Long> keySerials = new HashSet<>();
    /** Entries of keyed allocations whose key record is missing: to remove (see {@link #putBackKeyed}). */
    private final List<byte[]> unfinished = new ArrayList<>();

    private record KeyedAllocation(String id, byte[] key, int z, byte[] value)
    {
    }

    private StoreLoader(final ChronicleMap<byte[], byte[]> meta, final ChronicleMap<byte[], byte[]> entries,
        final Function<String, IpamException> corrupt)
    {
        this.meta = meta;
        this.entries = entries;
        this.corrupt = corrupt;
    }

    /**
     * Rebuild an empty engine from the maps.
     *
     * @param meta    the meta map.
     * @param entries the entries map.
     * @param engine  an empty engine without listener.
     * @param corrupt makes the exception for a problem description (naming the store).
     * @return the keys of entries to remove: allocations of keyed requests that never finished (see
     * {@link #putBackKeyed}); the engine does not hold them.
     */
    static List<byte[]> load(final ChronicleMap<byte[], byte[]> meta, final ChronicleMap<byte[], byte[]> entries,
        final AllocatorEngine engine, final Function<String, IpamException> corrupt, final Set<String> wide)
    {
        try
        {
            final StoreLoader loader = new StoreLoader(meta, entries, corrupt);
            loader.load(new Restorer(engine, corrupt));
            wide.addAll(loader.wide);
            return loader.unfinished;
        }
        catch (final IpamException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            // a damaged entry must not escape as an index or buffer exception
            throw corrupt.apply("an entry does not decode (" + (ex.getMessage() == null ?
                ex.getClass().getSimpleName() : ex.getMessage()) + ")");
        }
    }

    private void load(final Restorer restorer)
    {
        final List<PrefixPoolImage> pools = new ArrayList<>();
        meta.forEach((k, v) ->
        {
            final ByteBuffer b = ByteBuffer.wrap(v);
            if (k.length > 0 && k[0] == StoreRecordCodec.SUBNET)
            {
                final EngineImage.SubnetImage m = decoded(StoreRecordCodec.readSubnet(b, corrupt), b);
                if (SettingsCodec.isWide(m.cidr))
                {
                    wide.add(m.id);
                }
                restorer.subnet(m);
            }
            else if (k.length > 0 && k[0] == StoreRecordCodec.POOL)
            {
                pools.add(decoded(StoreRecordCodec.readPool(b, corrupt), b));
            }
            else if (!Arrays.equals(k, StoreRecordCodec.RANDOM_KEY) && !Arrays.equals(k, StoreRecordCodec.SEQUENCE_KEY))
            {
                throw corrupt.apply("unknown key in " + DurableStore.META);
            }
        });
        for (final PrefixPoolImage p : pools)
        {
            restorer.pool(p);
        }
        entries.forEach((k, v) -> entry(restorer, k, v));
        putBackKeyed(restorer);
        final byte[] sequence = meta.get(StoreRecordCodec.SEQUENCE_KEY);
        if (sequence != null && sequence.length == 8)
        {
            restorer.sequence(StoreRecordCodec.longAt(sequence, 0));
        }
        restorer.finish();
    }

    private void entry(final Restorer restorer, final byte[] k, final byte[] v)
    {
        if (k.length < 2)
        {
            throw corrupt.apply("a key of " + k.length + " bytes in " + DurableStore.ENTRIES);
        }
        final byte kind = k[0];
        int z = 1;
        while (z < k.length && k[z] != 0)
        {
            z++;
        }
        if (z >= k.length)
        {
            throw corrupt.apply("key without a terminator in " + DurableStore.ENTRIES);
        }
        if (lastIdBytes == null || !Arrays.equals(k, 1, z, lastIdBytes, 0, lastIdBytes.length))
        {
            lastIdBytes = Arrays.copyOfRange(k, 1, z);
            lastId = new String(k, 1, z - 1, StandardCharsets.UTF_8);
        }
        final String id = lastId;
        if (kind == StoreRecordCodec.ALLOCATION)
        {
            if (v.length >= StoreRecordCodec.LIFECYCLE_VALUE &&
                StoreRecordCodec.longAt(v, StoreRecordCodec.SERIAL_AT) != 0)
            {
                // put back after every key record is read (the map's order is not the write order): its key there?
                keyed.add(new KeyedAllocation(id, k.clone(), z, v.clone()));
            }
            else
            {
                allocation(restorer, id, k, z, v);
            }
        }
        else if (kind == StoreRecordCodec.CHILD)
        {
            if (k.length != z + 1 + AddressCodec.CIDR_BYTES || v.length == 0 || v.length > 64)
            {
                throw corrupt.apply("prefix child entry of pool " + id + " has a bad key or tenant");
            }
            final Cidr child = StoreRecordCodec.child(k, z + 1,
                what -> corrupt.apply("prefix child entry of pool " + id + ": " + what));
            restorer.child(id, child, new String(v, StandardCharsets.UTF_8));
        }
        else if (kind == StoreRecordCodec.COOLING)
        {
            final boolean whole = wide.contains(id);
            if (k.length != z + (whole ? 17 : 9) || v.length != 8)
            {
                throw corrupt.apply("cooling entry of subnet " + id + " has a bad size");
            }
            if (whole)
            {
                restorer.cooling(id, StoreRecordCodec.longAt(k, z + 1), StoreRecordCodec.longAt(k, z + 9),
                    StoreRecordCodec.longAt(v, 0));
            }
            else
            {
                restorer.cooling(id, StoreRecordCodec.longAt(k, z + 1), StoreRecordCodec.longAt(v, 0));
            }
        }
        else if (kind == StoreRecordCodec.KEY)
        {
            final LifecycleImage.KeyImage key = StoreRecordCodec.readKey(id, new String(k, z + 1, k.length - z - 1,
                StandardCharsets.UTF_8), v, corrupt);
            keySerials.add(key.serial);
            restorer.key(key);
        }
        else
        {
            throw corrupt.apply("unknown key in " + DurableStore.ENTRIES);
        }
    }

    /**
     * Put back the allocations made under a request key whose key record is in the store. A key record is written
     * when its request finishes, after its allocations and before its answer (each allocation carries the key's
     * serial from its first write: {@code StateListener#onAllocated}); an allocation whose serial names no key is
     * what a kill left of a request that never finished and was never answered. Its client sends the request again
     * with the same key, which, not found, allocates afresh: holding the old one as well would leak it. So it is
     * not put back, and its entry is removed.
     */
    private void putBackKeyed(final Restorer restorer)
    {
        for (final KeyedAllocation a : keyed)
        {
            if (keySerials.contains(StoreRecordCodec.longAt(a.value(), StoreRecordCodec.SERIAL_AT)))
            {
                allocation(restorer, a.id(), a.key(), a.z(), a.value());
            }
            else
            {
                unfinished.add(a.key());
            }
        }
        keyed.clear();
    }

    private void allocation(final Restorer restorer, final String id, final byte[] k, final int z, final byte[] v)
    {
        // a wide subnet's key holds the whole address (16 bytes), any other's its low 64 bits (8)
        final boolean whole = wide.contains(id);
        if (k.length != z + (whole ? 17 : 9) || (v.length != StoreRecordCodec.VALUE &&
            v.length != StoreRecordCodec.LIFECYCLE_VALUE && v.length != StoreRecordCodec.FLAGS_VALUE))
        {
            throw corrupt.apply("allocation entry of subnet " + id + " has a bad size");
        }
        final long hi = whole ? StoreRecordCodec.longAt(k, z + 1) : 0;
        final long address = StoreRecordCodec.longAt(k, k.length - 8);
        final long flags = v.length == StoreRecordCodec.FLAGS_VALUE ?
            StoreRecordCodec.longAt(v, StoreRecordCodec.FLAGS_AT) : 0;
        if ((flags & ~StoreRecordCodec.ROUTER) != 0)
        {
            throw corrupt.apply("allocation entry of subnet " + id + " has unknown flags " + flags);
        }
        restorer.allocation(id, whole, hi, address, StoreRecordCodec.longAt(v, 0), StoreRecordCodec.longAt(v, 8),
            StoreRecordCodec.longAt(v, 16), flags != 0);
        if (v.length >= StoreRecordCodec.LIFECYCLE_VALUE)
        {
            final long expires = StoreRecordCodec.longAt(v, StoreRecordCodec.LEASE_AT);
            final long serial = StoreRecordCodec.longAt(v, StoreRecordCodec.SERIAL_AT);
            if (expires != 0)
            {
                if (whole)
                {
                    restorer.lease(id, hi, address, expires);
                }
                else
                {
                    restorer.lease(id, address, expires);
                }
            }
            if (serial != 0)
            {
                if (whole)
                {
                    restorer.keyLink(serial, id, hi, address);
                }
                else
                {
                    restorer.keyLink(serial, id, address);
                }
            }
        }
    }

    private <T> T decoded(final T value, final ByteBuffer b)
    {
        if (b.hasRemaining())
        {
            throw corrupt.apply(b.remaining() + " bytes left over after an entry in " + DurableStore.META);
        }
        return value;
    }
}
