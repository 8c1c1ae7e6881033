package io.ipam.core.engine;

import io.ipam.core.RandomSource;

/**
 * Chooses a free pool address in a subnet, without taking it: {@code LOWEST} the lowest free one, {@code RANDOM}
 * one spread uniformly over all free pool addresses. A choice is written into the caller's {@link Pick}; nothing
 * is remembered between calls except the random source's position and the pools' search hints. Cooling addresses
 * keep their bit set, so neither choice takes one. Writer's thread only; allocates nothing.
 */
final class AddressPicker
{
    /**
     * A choice: the offset and the pool it lies in. The caller owns it and reads it right after the call.
     */
    static final class Pick
    {
        long offset;
        /** The offset's high word: zero but in a wide subnet. */
        long offsetHi;
        int pool;
    }

    private RandomSource random;

    AddressPicker(final RandomSource random)
    {
        this.random = random;
    }

    RandomSource random()
    {
        return random;
    }

    void random(final RandomSource random)
    {
        this.random = random;
    }

    /**
     * @param s     the subnet.
     * @param lowest the lowest free address, else by the random strategy.
     * @param out   receives the choice.
     * @return false if every pool address is taken or cooling.
     */
    boolean pick(final Subnet s, final boolean lowest, final Pick out)
    {
        if (s.wide)
        {
            return wide(s, lowest, out);
        }
        out.offsetHi = 0;
        return lowest ? lowest(s, out) : random(s, out);
    }

    /**
     * A wide subnet (IPv6 /1 to /63): the same two rules over 128-bit pools ({@link WidePools}); RANDOM draws a rank
     * uniform over all pool addresses by rejection sampling, whatever the pool size.
     */
    private boolean wide(final Subnet s, final boolean lowest, final Pick out)
    {
        final WidePools pools = s.widePools;
        return lowest ? pools.pickLowest(s.wideSet, out) : pools.pickRandom(s.wideSet, random, out);
    }

    /**
     * Pools in ascending order; per pool a hint below which everything is taken. The search from the hint skips
     * full pages, chunks and words, so it reads O(1) words whatever the fill.
     */
    private static boolean lowest(final Subnet s, final Pick out)
    {
        final AddressSet set = s.allocated;
        for (int p = 0; p < s.poolCount; p++)
        {
            final long first = s.poolFirst[p];
            final long last = s.poolLast[p];
            if (s.poolAllocated[p] == last - first + 1)
            {
                continue;
            }
            final long from = Long.compareUnsigned(s.poolHint[p], first) > 0 ? s.poolHint[p] : first;
            if (Long.compareUnsigned(from, last) <= 0 && set.nextAbsent(from, last) || set.nextAbsent(first, last))
            {
                out.offset = set.found;
                out.pool = p;
                // everything below the pick is taken, so the next search may start after it
                s.poolHint[p] = set.found + 1;
                return true;
            }
        }
        return false;
    }

    private boolean random(final Subnet s, final Pick out)
    {
        final long free = s.poolFree();
        if (free == 0)
        {
            return false;
        }
        final AddressSet set = s.allocated;
        // two probes uniform over all pool addresses (rejection sampling: each free address equally likely); the
        // pool of a rank comes from a table, so a pick costs the same with one pool or a thousand
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final long r = below(s.poolTotal);
            final int p = s.poolAtRank(r);
            final long candidate = s.poolFirst[p] + (r - s.poolStart[p]);
            // the record index answers "taken?" with one array read in small subnets
            if (s.recordByOffset.get(candidate) == Records.NONE &&
                (s.cooling == null || s.cooling.size() == 0 || !set.contains(candidate)))
            {
                out.offset = candidate;
                out.pool = p;
                return true;
            }
        }
        // both taken (a full region): the first pool with room from a random one on, from a random point in it
        final int p = s.poolWithRoom(s.poolAtRank(below(s.poolTotal)));
        if (p < 0)
        {
            throw new IllegalStateException("pool accounting broken in subnet " + s.id);
        }
        final long first = s.poolFirst[p];
        final long last = s.poolLast[p];
        final long start = first + below(last - first + 1);
        if (set.nextAbsent(start, last) || (start != first && set.nextAbsent(first, start - 1)))
        {
            out.offset = set.found;
            out.pool = p;
            return true;
        }
        throw new IllegalStateException("pool accounting broken in subnet " + s.id);
    }

    /**
     * @return a random value in [0, bound) for an unsigned bound; the modulo bias is at most bound / 2^64.
     */
    private long below(final long bound)
    {
        if (bound > 0 && bound <= 0xFFFF_FFFFL)
        {
            // multiply and shift (Lemire): no division for the common case of a pool under 2^32 addresses
            return ((random.nextLong() >>> 32) * bound) >>> 32;
        }
        return bound == 0 ? random.nextLong() : Long.remainderUnsigned(random.nextLong(), bound);
    }
}
