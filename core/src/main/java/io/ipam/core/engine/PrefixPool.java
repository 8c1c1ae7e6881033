package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;

/**
 * One prefix pool as a buddy system: its prefixes, the free space as maximal CIDR-aligned blocks in one ordered set
 * per prefix length, its children and each tenant's usage. {@link PrefixPools} holds them all. Writer's thread only.
 */
final class PrefixPool
{
    /**
     * An aligned block: start address and prefix length. Ordered by start (unsigned), then length.
     */
    static final class Block implements Comparable<Block>
    {
        final long hi;
        final long lo;
        final int len;

        Block(final long hi, final long lo, final int len)
        {
            this.hi = hi;
            this.lo = lo;
            this.len = len;
        }

        @Override
        public int compareTo(final Block o)
        {
            int c = Long.compareUnsigned(hi, o.hi);
            if (c == 0)
            {
                c = Long.compareUnsigned(lo, o.lo);
            }
            return c != 0 ? c : Integer.compare(len, o.len);
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Block && ((Block)o).hi == hi && ((Block)o).lo == lo && ((Block)o).len == len;
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(hi * 31 + lo) * 131 + len;
        }
    }

    final String id;
    final boolean v6;
    final int width;
    final int min;
    final int def;
    final int max;
    final long quota;   // -1: none
    final List<Cidr> prefixes = new ArrayList<>();
    final TreeMap<Block, Block> roots = new TreeMap<>();
    @SuppressWarnings({"unchecked", "rawtypes"})
    final TreeSet<Block>[] free = new TreeSet[129];
    final TreeMap<Block, String> children = new TreeMap<>();
    final Map<String, Long> usage = new HashMap<>();

    PrefixPool(final String id, final boolean v6, final int min, final int def, final int max, final long quota)
    {
        this.id = id;
        this.v6 = v6;
        this.width = v6 ? 128 : 32;
        this.min = min;
        this.def = def;
        this.max = max;
        this.quota = quota;
    }

    TreeSet<Block> free(final int len)
    {
        TreeSet<Block> s = free[len];
        if (s == null)
        {
            s = new TreeSet<>();
            free[len] = s;
        }
        return s;
    }

    /** The bit that distinguishes the two halves of a block of length len - 1. */
    Block withBit(final Block b, final int len, final boolean set)
    {
        final int pos = width - len;
        long h = b.hi;
        long l = b.lo;
        if (pos >= 64)
        {
            h = set ? h | (1L << (pos - 64)) : h & ~(1L << (pos - 64));
        }
        else
        {
            l = set ? l | (1L << pos) : l & ~(1L << pos);
        }
        return new Block(h, l, len);
    }

    Block truncate(final Block b, final int len)
    {
        final long hm = Cidr.hiMask(v6, len);
        final long lm = Cidr.loMask(v6, len);
        return new Block(b.hi & hm, b.lo & lm, len);
    }

    boolean contains(final Block outer, final Block inner)
    {
        return inner.len >= outer.len && truncate(inner, outer.len).equals(outer);
    }

    Block rootOf(final Block b)
    {
        final Map.Entry<Block, Block> e = roots.floorEntry(new Block(b.hi, b.lo, 129));
        return e != null && contains(e.getValue(), b) ? e.getValue() : null;
    }

    long units(final int len)
    {
        if (!v6)
        {
            return 1L << (32 - len);
        }
        if (len >= 64)
        {
            return 1;
        }
        return 64 - len >= 63 ? Long.MAX_VALUE : 1L << (64 - len);
    }

    void rebuild()
    {
        roots.clear();
        for (int i = 0; i < free.length; i++)
        {
            free[i] = null;
        }
        final TreeSet<Block> merged = new TreeSet<>();
        for (final Cidr c : prefixes)
        {
            merged.add(new Block(c.address().hi(), c.address().lo(), c.prefixLength()));
        }
        // merge buddies so the free space is split into maximal aligned blocks
        boolean changed = true;
        while (changed)
        {
            changed = false;
            for (final Block b : new ArrayList<>(merged))
            {
                if (b.len == 0 || !merged.contains(b))
                {
                    continue;
                }
                final Block buddy = withBit(b, b.len, !bitSet(b));
                if (merged.contains(buddy))
                {
                    merged.remove(b);
                    merged.remove(buddy);
                    merged.add(truncate(b, b.len - 1));
                    changed = true;
                }
            }
        }
        for (final Block b : merged)
        {
            roots.put(b, b);
            free(b.len).add(b);
        }
        for (final Block child : children.keySet())
        {
            if (!carve(child))
            {
                throw new IllegalStateException("child outside pool " + id);
            }
        }
    }

    boolean bitSet(final Block b)
    {
        final int pos = width - b.len;
        return pos >= 64 ? (b.hi >>> (pos - 64) & 1) != 0 : (b.lo >>> pos & 1) != 0;
    }

    /** Take a specific aligned block out of the free space, splitting the free block that holds it. */
    boolean carve(final Block target)
    {
        for (int l = target.len; l >= 0; l--)
        {
            final TreeSet<Block> set = free[l];
            if (set == null || set.isEmpty())
            {
                continue;
            }
            final Block holder = truncate(target, l);
            if (set.remove(holder))
            {
                for (int k = l + 1; k <= target.len; k++)
                {
                    final Block onPath = truncate(target, k);
                    free(k).add(withBit(onPath, k, !bitSet(onPath)));
                }
                return true;
            }
        }
        return false;
    }

    /** Return a block to the free space, merging with free buddies up to its root. */
    void giveBack(final Block child)
    {
        final Block root = rootOf(child);
        Block cur = child;
        while (root != null && cur.len > root.len)
        {
            final Block buddy = withBit(cur, cur.len, !bitSet(cur));
            final TreeSet<Block> set = free[cur.len];
            if (set == null || !set.remove(buddy))
            {
                break;
            }
            cur = truncate(cur, cur.len - 1);
        }
        free(cur.len).add(cur);
    }

    Cidr cidrOf(final Block b)
    {
        return new Cidr(new IpAddress(v6, b.hi, b.lo), b.len);
    }
}
