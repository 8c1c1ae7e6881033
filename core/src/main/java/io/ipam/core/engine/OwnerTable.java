package io.ipam.core.engine;

import java.util.Arrays;

/**
 * Interns 128-bit owners into dense int ids, counts their allocations and keeps the head of each owner's
 * list of records. Open addressing with linear probing and backward-shift deletion: no boxing, no garbage
 * after warm-up. An owner whose last allocation is released is forgotten lazily: it stays interned (with no
 * records) and is queued; a new owner being interned first sweeps at most two queued ones, forgetting those that
 * still hold nothing and recycling their ids. So an owner that allocates and releases over and over is interned
 * once, not once per allocation, and the table never holds more than the owners that held something since the
 * last sweep. Single-threaded.
 */
final class OwnerTable
{
    static final int NONE = -1;

    private int[] slots;          // ownerId + 1, 0 = empty
    private int[] slotHash;       // the full hash of the owner in each slot: probes and shifts read no UUID
    private int mask;
    private int size;

    private long[] msb = new long[16];
    private long[] lsb = new long[16];
    private int[] head = new int[16];
    private int[] slotOf = new int[16];       // where each id sits in slots, so forgetting needs no probe
    private int[] count = new int[16];
    private int[] freeIds = new int[16];
    private int freeIdCount;
    private int nextId;
    /** Owners left with nothing, to forget when a new owner is interned: a FIFO ring, and a flag per id. */
    private int[] pending = new int[16];
    private int pendingHead;
    private int pendingCount;
    private boolean[] queued = new boolean[16];
    /** Queued owners looked at per new owner interned. */
    private static final int SWEEP = 2;

    OwnerTable()
    {
        slots = new int[64];
        slotHash = new int[64];
        mask = slots.length - 1;
    }

    private static int hash(final long m, final long l)
    {
        long h = m * 0x9E3779B97F4A7C15L ^ l * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        return (int)(h ^ (h >>> 32));
    }

    int find(final long m, final long l)
    {
        final int h = hash(m, l);
        int i = h & mask;
        while (true)
        {
            final int s = slots[i];
            if (s == 0)
            {
                return NONE;
            }
            final int id = s - 1;
            if (slotHash[i] == h && msb[id] == m && lsb[id] == l)
            {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * @return the id of the owner, interning it when new (with no records yet).
     */
    int acquire(final long m, final long l)
    {
        final int h = hash(m, l);
        int i = h & mask;
        while (slots[i] != 0)
        {
            if (slotHash[i] == h)
            {
                final int id = slots[i] - 1;
                if (msb[id] == m && lsb[id] == l)
                {
                    return id;
                }
            }
            i = (i + 1) & mask;
        }
        // forgetting queued owners empties slots; the first empty one from this owner's ideal slot is where it goes
        final int free = pendingCount > 0 ? sweep(SWEEP, h & mask, i) : i;
        final int id = freeIdCount > 0 ? freeIds[--freeIdCount] : newId();
        msb[id] = m;
        lsb[id] = l;
        head[id] = Records.NONE;
        count[id] = 0;
        if ((size + 1) * 2 > slots.length)
        {
            rehash(slots.length * 2);
            insertSlot(id, h);
        }
        else
        {
            slots[free] = id + 1;
            slotHash[free] = h;
            slotOf[id] = free;
        }
        size++;
        return id;
    }

    /**
     * A never used id, the per-id arrays grown to hold it. Out of {@link #acquire} so that acquire stays small
     * enough for the JIT to inline into its caller (C2 inlines a hot method of at most 325 bytecodes).
     */
    private int newId()
    {
        final int id = nextId++;
        if (id >= msb.length)
        {
            final int n = msb.length * 2;
            msb = Arrays.copyOf(msb, n);
            lsb = Arrays.copyOf(lsb, n);
            head = Arrays.copyOf(head, n);
            count = Arrays.copyOf(count, n);
            slotOf = Arrays.copyOf(slotOf, n);
            queued = Arrays.copyOf(queued, n);
        }
        return id;
    }

    /**
     * Look at up to {@code n} queued owners, forgetting those that still hold nothing.
     *
     * @param ideal an owner's ideal slot.
     * @param empty the first empty slot from {@code ideal} on (every slot from ideal up to it is taken).
     * @return the first empty slot from {@code ideal} on after the forgetting. A forget's backward shift stops at an
     * empty slot, so {@code empty} stays empty, and the one slot it empties is its last hole: the answer is that
     * hole when it lies between {@code ideal} and {@code empty}, else {@code empty} (no second probe).
     */
    private int sweep(final int n, final int ideal, final int empty)
    {
        int first = empty;
        for (int k = 0; k < n && pendingCount > 0; k++)
        {
            final int id = pending[pendingHead];
            pendingHead = (pendingHead + 1) & (pending.length - 1);
            pendingCount--;
            queued[id] = false;
            if (count[id] == 0)
            {
                final int hole = forget(id);
                if (((hole - ideal) & mask) < ((first - ideal) & mask))
                {
                    first = hole;
                }
            }
        }
        return first;
    }

    private void insertSlot(final int id, final int h)
    {
        int i = h & mask;
        while (slots[i] != 0)
        {
            i = (i + 1) & mask;
        }
        slots[i] = id + 1;
        slotHash[i] = h;
        slotOf[id] = i;
    }

    private void rehash(final int capacity)
    {
        final int[] old = slots;
        final int[] oldHash = slotHash;
        slots = new int[capacity];
        slotHash = new int[capacity];
        mask = capacity - 1;
        for (int k = 0; k < old.length; k++)
        {
            if (old[k] != 0)
            {
                insertSlot(old[k] - 1, oldHash[k]);
            }
        }
    }

    /**
     * An owner that holds nothing is queued to be forgotten (and its id recycled) when a new owner is interned.
     */
    void releaseIfEmpty(final int id)
    {
        if (count[id] != 0 || queued[id])
        {
            return;
        }
        if (pendingCount == pending.length)
        {
            // grow the ring, oldest first; it holds each id at most once, so it never outgrows the ids
            final int[] grown = new int[pending.length * 2];
            for (int k = 0; k < pendingCount; k++)
            {
                grown[k] = pending[(pendingHead + k) & (pending.length - 1)];
            }
            pending = grown;
            pendingHead = 0;
        }
        pending[(pendingHead + pendingCount) & (pending.length - 1)] = id;
        pendingCount++;
        queued[id] = true;
    }

    /**
     * @return the slot left empty (the last hole of the backward shift).
     */
    private int forget(final int id)
    {
        // backward-shift deletion keeps probe chains intact without tombstones
        int hole = slotOf[id];
        int j = (hole + 1) & mask;
        while (slots[j] != 0)
        {
            final int ideal = slotHash[j] & mask;
            if (((j - ideal) & mask) >= ((j - hole) & mask))
            {
                slots[hole] = slots[j];
                slotHash[hole] = slotHash[j];
                slotOf[slots[j] - 1] = hole;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        slots[hole] = 0;
        size--;
        if (freeIdCount == freeIds.length)
        {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeIdCount++] = id;
        return hole;
    }

    long msb(final int id)
    {
        return msb[id];
    }

    long lsb(final int id)
    {
        return lsb[id];
    }

    int head(final int id)
    {
        return head[id];
    }

    void head(final int id, final int record)
    {
        head[id] = record;
    }

    int count(final int id)
    {
        return count[id];
    }

    void count(final int id, final int value)
    {
        count[id] = value;
    }

    long[] msbCopy()
    {
        return Arrays.copyOf(msb, nextId);
    }

    long[] lsbCopy()
    {
        return Arrays.copyOf(lsb, nextId);
    }

    int size()
    {
        return size;
    }

    /**
     * @return owners queued to be forgotten (some may hold something again by now).
     */
    int pending()
    {
        return pendingCount;
    }
}
