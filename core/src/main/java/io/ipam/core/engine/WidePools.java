package io.ipam.core.engine;

import java.math.BigInteger;

import io.ipam.core.RandomSource;

/**
 * The pools of a wide subnet (IPv6 /1 to /63, see {@code docs/wide-offsets.md}) and the automatic choice over them:
 * the twin of the pool arrays of {@link Subnet} and of the engine's narrow picks, with 128-bit bounds, hints and
 * rank starts. Pools are ascending and never overlap (the subnet rules see to it). A pool's allocated count stays a
 * {@code long}: a subnet never holds 2^63 allocations.
 * <ul>
 *   <li>{@link #pickLowest}: pools in ascending order, a hint per pool below which everything is taken, a forward
 *       search that skips whole words (a missing word is all free): O(1) words whatever the pool size.</li>
 *   <li>{@link #pickRandom}: a rank uniform over all pool addresses (rejection sampling below the 128-bit total, see
 *       {@link Wide#below}), the pool of that rank, two probes, then a forward search from a random point of a pool
 *       with room, wrapping.</li>
 * </ul>
 * A pick writes its choice into the caller's {@link AddressPicker.Pick} (issue 21: results through the call, nothing
 * remembered between calls but the hints). Single-threaded; a pick allocates nothing.
 */
final class WidePools
{
    long[] firstHi = new long[0];
    long[] firstLo = new long[0];
    long[] lastHi = new long[0];
    long[] lastLo = new long[0];
    /** Pool addresses before each pool, {@code count + 1} entries: rank r lies in pool p when
     * start[p] <= r < start[p + 1]. */
    long[] startHi = new long[1];
    long[] startLo = new long[1];
    long[] allocated = new long[0];
    long[] hintHi = new long[0];
    long[] hintLo = new long[0];
    int count;
    long allocatedTotal;

    /** Bit p set: pool p has a free address. */
    private long[] notFull = new long[0];
    private final Wide.Pair draw = new Wide.Pair();

    /**
     * Replace the pools; the counts are taken from the allocated set (addresses outside the new pools stay
     * allocated and count nowhere).
     *
     * @param fHi first offsets, high words (ascending pools).
     * @param fLo first offsets, low words.
     * @param lHi last offsets, high words.
     * @param lLo last offsets, low words.
     * @param set the subnet's allocated offsets.
     */
    void set(final long[] fHi, final long[] fLo, final long[] lHi, final long[] lLo, final WideAddressSet set)
    {
        count = fHi.length;
        firstHi = fHi;
        firstLo = fLo;
        lastHi = lHi;
        lastLo = lLo;
        startHi = new long[count + 1];
        startLo = new long[count + 1];
        allocated = new long[count];
        hintHi = new long[count];
        hintLo = new long[count];
        notFull = new long[(count + 63) >>> 6];
        allocatedTotal = 0;
        long th = 0;
        long tl = 0;
        for (int i = 0; i < count; i++)
        {
            startHi[i] = th;
            startLo[i] = tl;
            // size = last - first + 1
            final long sl = lLo[i] - fLo[i];
            final long sh = Wide.subHi(lHi[i], lLo[i], fHi[i], fLo[i]);
            th = Wide.addHi(th, tl, sh, sl);
            tl += sl;
            th = Wide.addHi(th, tl, 0, 1);
            tl += 1;
            allocated[i] = set.cardinality(fHi[i], fLo[i], lHi[i], lLo[i]);
            allocatedTotal += allocated[i];
            hintHi[i] = fHi[i];
            hintLo[i] = fLo[i];
        }
        startHi[count] = th;
        startLo[count] = tl;
        // full(i) reads the start of pool i + 1: only now are they all known
        for (int i = 0; i < count; i++)
        {
            if (!full(i))
            {
                notFull[i >>> 6] |= 1L << i;
            }
        }
    }

    /**
     * @return true when every address of pool p is taken (or cooling).
     */
    boolean full(final int p)
    {
        final long sl = startLo[p + 1] - startLo[p];
        final long sh = Wide.subHi(startHi[p + 1], startLo[p + 1], startHi[p], startLo[p]);
        return sh == 0 && sl == allocated[p];
    }

    /**
     * @return the index of the pool holding the offset, or -1.
     */
    int poolOf(final long hi, final long lo)
    {
        if (count == 1)
        {
            return Wide.le(firstHi[0], firstLo[0], hi, lo) && Wide.le(hi, lo, lastHi[0], lastLo[0]) ? 0 : -1;
        }
        // the last pool starting at or below the offset, then whether it reaches it
        int a = 0;
        int b = count - 1;
        int p = -1;
        while (a <= b)
        {
            final int mid = (a + b) >>> 1;
            if (Wide.le(firstHi[mid], firstLo[mid], hi, lo))
            {
                p = mid;
                a = mid + 1;
            }
            else
            {
                b = mid - 1;
            }
        }
        return p >= 0 && Wide.le(hi, lo, lastHi[p], lastLo[p]) ? p : -1;
    }

    /**
     * @return the pool holding rank r: the last one whose start is at or below it.
     */
    int poolAtRank(final long rh, final long rl)
    {
        if (count <= 1)
        {
            return 0;
        }
        int a = 0;
        int b = count - 1;
        while (a < b)
        {
            final int mid = (a + b + 1) >>> 1;
            if (Wide.le(startHi[mid], startLo[mid], rh, rl))
            {
                a = mid;
            }
            else
            {
                b = mid - 1;
            }
        }
        return a;
    }

    /**
     * An offset of pool p became allocated (or cooling).
     */
    void taken(final int p)
    {
        allocatedTotal++;
        allocated[p]++;
        if (full(p))
        {
            notFull[p >>> 6] &= ~(1L << p);
        }
    }

    /**
     * An offset of pool p became free: the count drops, and the hint moves back to it when it lies below.
     */
    void freed(final int p, final long hi, final long lo)
    {
        allocatedTotal--;
        allocated[p]--;
        notFull[p >>> 6] |= 1L << p;
        if (Wide.lt(hi, lo, hintHi[p], hintLo[p]))
        {
            hintHi[p] = hi;
            hintLo[p] = lo;
        }
    }

    /**
     * @return pool addresses not allocated (nor cooling), high word.
     */
    long freeHi()
    {
        return Wide.subHi(startHi[count], startLo[count], 0, allocatedTotal);
    }

    /**
     * @return pool addresses not allocated (nor cooling), low word.
     */
    long freeLo()
    {
        return startLo[count] - allocatedTotal;
    }

    /**
     * @return pool addresses not allocated (nor cooling), exact.
     */
    BigInteger free()
    {
        return Wide.toBig(freeHi(), freeLo());
    }

    /**
     * @return true when no pool address is free.
     */
    boolean exhausted()
    {
        return freeLo() == 0 && freeHi() == 0;
    }

    /**
     * The lowest free offset, pools in ascending order.
     *
     * @param set the subnet's allocated (and cooling) offsets.
     * @param out receives the offset and its pool.
     * @return true with the pick in {@code out}; false when every pool is full.
     */
    boolean pickLowest(final WideAddressSet set, final AddressPicker.Pick out)
    {
        for (int p = 0; p < count; p++)
        {
            if (full(p))
            {
                continue;
            }
            final boolean hinted = Wide.lt(firstHi[p], firstLo[p], hintHi[p], hintLo[p]);
            final long fromHi = hinted ? hintHi[p] : firstHi[p];
            final long fromLo = hinted ? hintLo[p] : firstLo[p];
            if ((Wide.le(fromHi, fromLo, lastHi[p], lastLo[p]) &&
                set.nextAbsent(fromHi, fromLo, lastHi[p], lastLo[p])) ||
                set.nextAbsent(firstHi[p], firstLo[p], lastHi[p], lastLo[p]))
            {
                picked(set, p, out);
                // everything below the pick is taken, so the next search may start after it
                hintLo[p] = out.offset + 1;
                hintHi[p] = Wide.addHi(out.offsetHi, out.offset, 0, 1);
                return true;
            }
        }
        return false;
    }

    /**
     * A free offset uniform over all pool addresses.
     *
     * @param set    the subnet's allocated (and cooling) offsets.
     * @param random the engine's source.
     * @param out    receives the offset and its pool.
     * @return true with the pick in {@code out}; false when every pool is full.
     */
    boolean pickRandom(final WideAddressSet set, final RandomSource random, final AddressPicker.Pick out)
    {
        if (exhausted())
        {
            return false;
        }
        final long totalHi = startHi[count];
        final long totalLo = startLo[count];
        // two probes uniform over all pool addresses (each free address equally likely)
        for (int attempt = 0; attempt < 2; attempt++)
        {
            Wide.below(random, totalHi, totalLo, draw);
            final int p = poolAtRank(draw.hi, draw.lo);
            // candidate = first[p] + (r - start[p])
            final long dl = draw.lo - startLo[p];
            final long dh = Wide.subHi(draw.hi, draw.lo, startHi[p], startLo[p]);
            final long cl = firstLo[p] + dl;
            final long ch = Wide.addHi(firstHi[p], firstLo[p], dh, dl);
            if (!set.contains(ch, cl))
            {
                out.offsetHi = ch;
                out.offset = cl;
                out.pool = p;
                return true;
            }
        }
        // both taken (a full region): the first pool with room from a random one on, from a random point in it
        Wide.below(random, totalHi, totalLo, draw);
        final int p = poolWithRoom(poolAtRank(draw.hi, draw.lo));
        if (p < 0)
        {
            throw new IllegalStateException("wide pool accounting broken");
        }
        final long sl = startLo[p + 1] - startLo[p];
        final long sh = Wide.subHi(startHi[p + 1], startLo[p + 1], startHi[p], startLo[p]);
        Wide.below(random, sh, sl, draw);
        final long fromLo = firstLo[p] + draw.lo;
        final long fromHi = Wide.addHi(firstHi[p], firstLo[p], draw.hi, draw.lo);
        if (set.nextAbsent(fromHi, fromLo, lastHi[p], lastLo[p]) ||
            ((fromLo != firstLo[p] || fromHi != firstHi[p]) &&
            set.nextAbsent(firstHi[p], firstLo[p], Wide.subHi(fromHi, fromLo, 0, 1), fromLo - 1)))
        {
            picked(set, p, out);
            return true;
        }
        throw new IllegalStateException("wide pool accounting broken");
    }

    private static void picked(final WideAddressSet set, final int p, final AddressPicker.Pick out)
    {
        out.offsetHi = set.foundHi;
        out.offset = set.foundLo;
        out.pool = p;
    }

    /**
     * @return the first pool from {@code from} on (wrapping) that has a free address, or -1 if none.
     */
    private int poolWithRoom(final int from)
    {
        final int words = notFull.length;
        int w = from >>> 6;
        long bits = notFull[w] & (-1L << from);
        for (int n = 0; n <= words; n++)
        {
            if (bits != 0)
            {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
            w = w + 1 == words ? 0 : w + 1;
            bits = notFull[w];
        }
        return -1;
    }
}
