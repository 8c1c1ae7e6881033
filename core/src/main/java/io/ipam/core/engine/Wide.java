package io.ipam.core.engine;

import java.math.BigInteger;

import io.ipam.core.RandomSource;

/**
 * Unsigned 128-bit arithmetic on pairs of longs (high, low), for the offsets of wide subnets (IPv6 /1 to /63, see
 * {@code docs/wide-offsets.md}), and the uniform draw below a 128-bit bound. Results that are pairs go into the
 * caller's {@link Wide.Pair}, so nothing here allocates.
 */
final class Wide
{
    /** A 128-bit result: written by the methods of {@link Wide}, read by their caller. */
    static final class Pair
    {
        long hi;
        long lo;
    }

    private Wide()
    {
    }

    /**
     * @return negative, zero or positive as {@code (ah, al)} is below, equal to or above {@code (bh, bl)}, unsigned.
     */
    static int compare(final long ah, final long al, final long bh, final long bl)
    {
        final int c = Long.compareUnsigned(ah, bh);
        return c != 0 ? c : Long.compareUnsigned(al, bl);
    }

    /**
     * @return true if {@code (ah, al) <= (bh, bl)}, unsigned.
     */
    static boolean le(final long ah, final long al, final long bh, final long bl)
    {
        return ah == bh ? Long.compareUnsigned(al, bl) <= 0 : Long.compareUnsigned(ah, bh) < 0;
    }

    /**
     * @return true if {@code (ah, al) < (bh, bl)}, unsigned.
     */
    static boolean lt(final long ah, final long al, final long bh, final long bl)
    {
        return ah == bh ? Long.compareUnsigned(al, bl) < 0 : Long.compareUnsigned(ah, bh) < 0;
    }

    /**
     * @return the high word of {@code (ah, al) + (bh, bl)} (mod 2^128); the low word is {@code al + bl}.
     */
    static long addHi(final long ah, final long al, final long bh, final long bl)
    {
        final long lo = al + bl;
        return ah + bh + (Long.compareUnsigned(lo, al) < 0 ? 1 : 0);
    }

    /**
     * @return the high word of {@code (ah, al) - (bh, bl)} (mod 2^128); the low word is {@code al - bl}.
     */
    static long subHi(final long ah, final long al, final long bh, final long bl)
    {
        return ah - bh - (Long.compareUnsigned(al, bl) < 0 ? 1 : 0);
    }

    /**
     * @return the value as an unsigned {@link BigInteger} (for answers and tests, never on the hot path).
     */
    static BigInteger toBig(final long hi, final long lo)
    {
        return new BigInteger(1, new byte[] {
            (byte)(hi >>> 56), (byte)(hi >>> 48), (byte)(hi >>> 40), (byte)(hi >>> 32),
            (byte)(hi >>> 24), (byte)(hi >>> 16), (byte)(hi >>> 8), (byte)hi,
            (byte)(lo >>> 56), (byte)(lo >>> 48), (byte)(lo >>> 40), (byte)(lo >>> 32),
            (byte)(lo >>> 24), (byte)(lo >>> 16), (byte)(lo >>> 8), (byte)lo});
    }

    /**
     * A value uniform in {@code [0, (nh, nl))} for a 128-bit bound above zero, by rejection sampling: the high word
     * is drawn first (when the bound needs one) and masked to the bit length of {@code n - 1}, then the low word; a
     * draw at or above the bound is thrown away and drawn again. Every value is equally likely (no modulo bias); at
     * most half the draws are thrown away, so fewer than two rounds are expected.
     *
     * @param random the engine's source.
     * @param nh     bound, high word.
     * @param nl     bound, low word; {@code (nh, nl)} is not zero. {@code (0, 0)} means 2^128.
     * @param out    receives the value.
     */
    static void below(final RandomSource random, final long nh, final long nl, final Pair out)
    {
        // m = n - 1, the largest value allowed
        final long ml = nl - 1;
        final long mh = nh - (nl == 0 ? 1 : 0);
        if (mh != 0)
        {
            final long mask = -1L >>> Long.numberOfLeadingZeros(mh);
            while (true)
            {
                final long h = random.nextLong() & mask;
                final long l = random.nextLong();
                if (le(h, l, mh, ml))
                {
                    out.hi = h;
                    out.lo = l;
                    return;
                }
            }
        }
        out.hi = 0;
        if (ml == 0)
        {
            out.lo = 0;
            return;
        }
        final long mask = -1L >>> Long.numberOfLeadingZeros(ml);
        while (true)
        {
            final long l = random.nextLong() & mask;
            if (Long.compareUnsigned(l, ml) <= 0)
            {
                out.lo = l;
                return;
            }
        }
    }

    /**
     * Sort pairs in place, ascending unsigned (a heap sort: no recursion, no allocation).
     *
     * @param hi high words.
     * @param lo low words, moved with their high words.
     * @param n  number of pairs, from index 0.
     */
    static void sort(final long[] hi, final long[] lo, final int n)
    {
        for (int i = n / 2 - 1; i >= 0; i--)
        {
            siftDown(hi, lo, i, n);
        }
        for (int end = n - 1; end > 0; end--)
        {
            swap(hi, lo, 0, end);
            siftDown(hi, lo, 0, end);
        }
    }

    private static void siftDown(final long[] hi, final long[] lo, final int start, final int n)
    {
        int root = start;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= n)
            {
                return;
            }
            if (child + 1 < n && lt(hi[child], lo[child], hi[child + 1], lo[child + 1]))
            {
                child++;
            }
            if (!lt(hi[root], lo[root], hi[child], lo[child]))
            {
                return;
            }
            swap(hi, lo, root, child);
            root = child;
        }
    }

    private static void swap(final long[] hi, final long[] lo, final int a, final int b)
    {
        final long h = hi[a];
        hi[a] = hi[b];
        hi[b] = h;
        final long l = lo[a];
        lo[a] = lo[b];
        lo[b] = l;
    }
}
