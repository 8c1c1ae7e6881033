package io.ipam.core.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Request keys (SPEC 9): per tenant, the first successful answer of a keyed request and a fingerprint of the
 * request, remembered while any allocation it made is held and for a retention time after the last one is gone.
 * Each allocation made under a key links its record to the key (a 4-byte key id per record, in pages made the
 * first time a record of that page is keyed), so a release finds its key without a search. Keys whose last
 * allocation is gone wait in a queue ordered by that time (command times never go back) and are forgotten when
 * their retention has passed. Single-threaded (the writer).
 */
public final class RequestKeys
{
    private static final int PAGE_BITS = 16;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;
    private static final int PAGE_MASK = PAGE_SIZE - 1;

    /**
     * One remembered key.
     */
    public static final class Key
    {
        /** The tenant it belongs to, or null (subnets without a tenant). */
        public final String tenant;
        /** The key. */
        public final String key;
        /** A 64-bit hash of the request's bytes: the same key on another request differs here. */
        public final long fingerprint;
        /** A number no other key of this engine had or will have: how a store links allocations to it. */
        public final long serial;
        final int id;
        int live;
        long goneAt = -1;
        boolean committed;
        /** The first answer: its code, value and payload bytes. */
        int code;
        long value;
        byte[] payload;

        Key(final String tenant, final String key, final long fingerprint, final int id, final long serial)
        {
            this.serial = serial;
            this.tenant = tenant;
            this.key = key;
            this.fingerprint = fingerprint;
            this.id = id;
        }

        /** @return the first answer's code. */
        public int code()
        {
            return code;
        }

        /** @return the first answer's value. */
        public long value()
        {
            return value;
        }

        /** @return the first answer's payload bytes (not a copy: do not change). */
        public byte[] payload()
        {
            return payload;
        }

        /** @return allocations made under this key still held. */
        public int live()
        {
            return live;
        }

        /** @return when the last of its allocations went, or -1 while one is held. */
        public long goneAt()
        {
            return goneAt;
        }
    }

    private final Map<String, Key> byName = new HashMap<>();
    private Key[] byId = new Key[16];
    private final ArrayDeque<Integer> freeIds = new ArrayDeque<>();
    private int nextId;
    private final ArrayDeque<Key> gone = new ArrayDeque<>();
    private int[][] keyOf = new int[1][];
    /** Bytes a key costs beyond its answer and names: its object, map entry, name string and queue place. */
    public static final int KEY_OVERHEAD = 128;

    private final long limit;
    private final long byteLimit;
    private long keptBytes;
    private long lastSerial;

    RequestKeys(final long limit, final long byteLimit)
    {
        this.limit = limit;
        this.byteLimit = byteLimit;
    }

    /**
     * @param tenant       the key's tenant, or null.
     * @param key          the key.
     * @param answerBytes  its kept answer's payload bytes.
     * @return what remembering the key costs against the byte bound.
     */
    public static long cost(final String tenant, final String key, final long answerBytes)
    {
        return KEY_OVERHEAD + 2L * (key.length() + (tenant == null ? 0 : tenant.length())) + answerBytes;
    }

    private static long cost(final Key k)
    {
        return cost(k.tenant, k.key, k.payload == null ? 0 : k.payload.length);
    }

    /**
     * @return bytes the remembered keys hold, as counted against the byte bound.
     */
    public long keptBytes()
    {
        return keptBytes;
    }

    /**
     * @return the byte bound.
     */
    public long byteLimit()
    {
        return byteLimit;
    }

    private static String name(final String tenant, final String key)
    {
        return tenant == null ? "\u0000" + key : tenant + "\u0000" + key;
    }

    /**
     * @return the remembered key, or null.
     */
    public Key find(final String tenant, final String key)
    {
        return byName.get(name(tenant, key));
    }

    /**
     * @return keys remembered.
     */
    public int size()
    {
        return byName.size();
    }

    /**
     * @return true if another key may be remembered.
     */
    public boolean hasRoom()
    {
        return byName.size() < limit;
    }

    /**
     * @param tenant      the key's tenant, or null.
     * @param key         the key.
     * @param answerBytes the most payload bytes its answer may keep.
     * @return true if the key with such an answer stays within the byte bound.
     */
    public boolean hasRoomFor(final String tenant, final String key, final long answerBytes)
    {
        return keptBytes + cost(tenant, key, answerBytes) <= byteLimit;
    }

    /**
     * Start a keyed request: a key not yet remembered, to which the request's allocations link.
     */
    Key begin(final String tenant, final String key, final long fingerprint)
    {
        return register(new Key(tenant, key, fingerprint, newId(), ++lastSerial));
    }

    private int newId()
    {
        final int id = freeIds.isEmpty() ? nextId++ : freeIds.pollFirst();
        if (id >= byId.length)
        {
            byId = Arrays.copyOf(byId, byId.length * 2);
        }
        return id;
    }

    private Key register(final Key k)
    {
        byId[k.id] = k;
        return k;
    }

    /**
     * The request succeeded: remember its answer.
     */
    void commit(final Key k, final int code, final long value, final byte[] payload, final long now)
    {
        k.code = code;
        k.value = value;
        k.payload = payload;
        k.committed = true;
        byName.put(name(k.tenant, k.key), k);
        keptBytes += cost(k);
        if (k.live == 0)
        {
            k.goneAt = now;
            gone.addLast(k);
        }
    }

    /**
     * The request failed: forget the key (its allocations were undone already).
     */
    void abort(final Key k)
    {
        forget(k);
    }

    /**
     * Remember a key read from a snapshot or a store (its links follow with {@link #link}).
     */
    Key restore(final String tenant, final String key, final long fingerprint, final int code, final long value,
        final byte[] payload, final long goneAt, final long serial)
    {
        // a restored serial is kept, and later keys number on from the highest seen
        final Key k = register(new Key(tenant, key, fingerprint, newId(), serial > 0 ? serial : ++lastSerial));
        lastSerial = Math.max(lastSerial, k.serial);
        k.code = code;
        k.value = value;
        k.payload = payload;
        k.committed = true;
        k.goneAt = goneAt;
        if (byName.put(name(tenant, key), k) == null)
        {
            keptBytes += cost(k); // a store's and a snapshot's keys are kept whatever the bound: they were kept
        }
        return k;
    }

    /**
     * After a restore: queue the keys none of whose allocations are held, by the time the last one went.
     */
    void restoreDone()
    {
        final List<Key> idle = new ArrayList<>();
        for (final Key k : byName.values())
        {
            if (k.live == 0)
            {
                idle.add(k);
            }
            else
            {
                k.goneAt = -1;
            }
        }
        idle.sort((a, b) -> Long.compare(a.goneAt, b.goneAt));
        gone.clear();
        gone.addAll(idle);
    }

    void link(final int record, final Key k)
    {
        final int p = record >>> PAGE_BITS;
        if (p >= keyOf.length)
        {
            keyOf = Arrays.copyOf(keyOf, Math.max(keyOf.length * 2, p + 1));
        }
        if (keyOf[p] == null)
        {
            keyOf[p] = new int[PAGE_SIZE];
        }
        keyOf[p][record & PAGE_MASK] = k.id + 1;
        k.live++;
    }

    /**
     * A record is being released: unlink it from its key, if it has one.
     */
    /**
     * @return the key when this was the last of its allocations (its idle time is set now), else null.
     */
    Key unlink(final int record, final long now)
    {
        final int p = record >>> PAGE_BITS;
        if (p >= keyOf.length || keyOf[p] == null)
        {
            return null;
        }
        final int id = keyOf[p][record & PAGE_MASK] - 1;
        if (id < 0)
        {
            return null;
        }
        keyOf[p][record & PAGE_MASK] = 0;
        final Key k = byId[id];
        if (k == null)
        {
            return null; // its request failed and the key is forgotten; the undo is releasing what it took
        }
        if (--k.live == 0 && k.committed)
        {
            k.goneAt = now;
            gone.addLast(k);
            return k;
        }
        return null;
    }

    /**
     * @return the key a record was allocated under, or null.
     */
    public Key keyOf(final int record)
    {
        final int p = record >>> PAGE_BITS;
        if (p >= keyOf.length || keyOf[p] == null)
        {
            return null;
        }
        final int id = keyOf[p][record & PAGE_MASK] - 1;
        return id < 0 ? null : byId[id];
    }

    /**
     * Forget the keys whose retention has passed.
     *
     * @return keys forgotten.
     */
    int expire(final long now, final long retentionMs, final int budget,
        final Consumer<Key> forgotten)
    {
        int n = 0;
        while (n < budget && !gone.isEmpty())
        {
            final Key k = gone.peekFirst();
            if (k.live > 0 || byId[k.id] != k)
            {
                gone.pollFirst();
                continue;
            }
            if (k.goneAt > now - retentionMs)
            {
                break;
            }
            gone.pollFirst();
            forget(k);
            forgotten.accept(k);
            n++;
        }
        return n;
    }

    /**
     * @return every remembered key, in no order.
     */
    public List<Key> all()
    {
        return new ArrayList<>(byName.values());
    }

    private void forget(final Key k)
    {
        if (k.committed && byName.remove(name(k.tenant, k.key), k))
        {
            keptBytes -= cost(k);
        }
        byId[k.id] = null;
        freeIds.addLast(k.id);
    }
}
