package io.ipam.core.engine;

import java.util.Arrays;

/**
 * The allocated addresses of a wide subnet (IPv6 /1 to /63: offsets of up to 127 bits, see
 * {@code docs/wide-offsets.md}) as unsigned 128-bit offsets {@code (hi, lo)} from the network address. Two shapes:
 * {@link Hashed}, the 64-bit words of {@link WordHashAddressSet} in an open-addressing table keyed by the 128-bit
 * word index, whose memory follows the allocations and never the subnet's size; and {@link Windowed}, when every
 * pool lies in one window of 2^32 offsets at creation: a {@link BitmapAddressSet} for the window (as fast as IPv4)
 * and a table for the rest of the subnet, where only specific requests land. Single-threaded.
 */
abstract class WideAddressSet
{
    /** Offsets in a window. */
    static final long WINDOW = 1L << 32;

    /** High word of the result of the last successful {@link #nextAbsent}. */
    long foundHi;
    /** Low word of the result of the last successful {@link #nextAbsent}. */
    long foundLo;

    /**
     * Receives offsets in ascending order.
     */
    interface OffsetConsumer
    {
        /**
         * @param hi offset, high word.
         * @param lo offset, low word.
         */
        void accept(long hi, long lo);
    }

    /**
     * @param windowHi first offset of the window, high word, or -1 for none.
     * @param windowLo first offset of the window, low word: a multiple of 2^16.
     * @return the set for the shape.
     */
    static WideAddressSet forShape(final long windowHi, final long windowLo)
    {
        return windowHi == -1 ? new Hashed() : new Windowed(windowHi, windowLo);
    }

    /**
     * The window of 2^32 offsets that holds every pool, if there is one.
     *
     * @param firstHi pools' first offsets, high words.
     * @param firstLo pools' first offsets, low words.
     * @param lastHi  pools' last offsets, high words.
     * @param lastLo  pools' last offsets, low words.
     * @param out     receives the window's first offset (a multiple of 2^16) when there is one.
     * @return true if every pool lies in one window.
     */
    static boolean windowFor(final long[] firstHi, final long[] firstLo, final long[] lastHi, final long[] lastLo,
        final Wide.Pair out)
    {
        if (firstHi.length == 0)
        {
            return false;
        }
        long minHi = firstHi[0];
        long minLo = firstLo[0];
        long maxHi = lastHi[0];
        long maxLo = lastLo[0];
        for (int i = 1; i < firstHi.length; i++)
        {
            if (Wide.lt(firstHi[i], firstLo[i], minHi, minLo))
            {
                minHi = firstHi[i];
                minLo = firstLo[i];
            }
            if (Wide.lt(maxHi, maxLo, lastHi[i], lastLo[i]))
            {
                maxHi = lastHi[i];
                maxLo = lastLo[i];
            }
        }
        final long startLo = minLo & -(1L << 16);
        final long spanLo = maxLo - startLo;
        final long spanHi = Wide.subHi(maxHi, maxLo, minHi, startLo);
        if (spanHi != 0 || Long.compareUnsigned(spanLo, WINDOW - 1) > 0)
        {
            return false;
        }
        out.hi = minHi;
        out.lo = startLo;
        return true;
    }

    /**
     * @return false if the offset was present already.
     */
    abstract boolean add(long hi, long lo);

    /**
     * @return false if the offset was absent.
     */
    abstract boolean remove(long hi, long lo);

    abstract boolean contains(long hi, long lo);

    /**
     * Bulk load: set the bits of one 64-bit word at once.
     *
     * @param keyHi word index ({@code offset >>> 6}), high word.
     * @param keyLo word index, low word.
     * @param bits  bits to set.
     * @return false (and nothing changed) if any of the bits was set already.
     */
    abstract boolean addWord(long keyHi, long keyLo, long bits);

    /**
     * Bulk load: make room for {@code n} more offsets at once.
     *
     * @param n offsets about to be added.
     */
    abstract void reserve(long n);

    /**
     * Find the lowest absent offset in {@code [from, to]} (unsigned, inclusive) and leave it in {@link #foundHi},
     * {@link #foundLo}.
     *
     * @return true if one was found.
     */
    abstract boolean nextAbsent(long fromHi, long fromLo, long toHi, long toLo);

    abstract long cardinality();

    /**
     * @return the number of present offsets in {@code [from, to]} (inclusive); reads every word (pool changes only).
     */
    abstract long cardinality(long fromHi, long fromLo, long toHi, long toLo);

    /**
     * Visit every present offset in ascending unsigned order.
     */
    abstract void forEach(OffsetConsumer consumer);

    abstract void clear();

    /**
     * @return word index of an offset, high word.
     */
    static long keyHi(final long hi)
    {
        return hi >>> 6;
    }

    /**
     * @return word index of an offset, low word.
     */
    static long keyLo(final long hi, final long lo)
    {
        return (hi << 58) | (lo >>> 6);
    }

    /**
     * Words keyed by their 128-bit word index in a primitive open-addressing table: linear probing, backward-shift
     * deletion, 24 bytes a slot at up to 3/4 load. RANDOM over a whole wide pool costs one slot per allocation, a
     * dense run one slot per 64. A missing word is all free. The table never shrinks. Word indexes are below 2^121,
     * so their high word is below 2^57 and -1 marks an empty slot.
     */
    static final class Hashed extends WideAddressSet
    {
        private static final long EMPTY = -1L;
        private static final int INITIAL = 16;

        private long[] keysHi;
        private long[] keysLo;
        private long[] words;
        private int mask;
        private int size;
        private long cardinality;

        Hashed()
        {
            init();
        }

        private void init()
        {
            keysHi = new long[INITIAL];
            keysLo = new long[INITIAL];
            words = new long[INITIAL];
            Arrays.fill(keysHi, EMPTY);
            mask = INITIAL - 1;
            size = 0;
            cardinality = 0;
        }

        private static int hash(final long kh, final long kl)
        {
            final long h = (kl ^ (kh * 0xC2B2AE3D27D4EB4FL)) * 0x9E3779B97F4A7C15L;
            return (int)(h ^ (h >>> 32));
        }

        private int slotOf(final long kh, final long kl)
        {
            int i = hash(kh, kl) & mask;
            while (true)
            {
                final long k = keysHi[i];
                if (k == kh && keysLo[i] == kl)
                {
                    return i;
                }
                if (k == EMPTY)
                {
                    return -1;
                }
                i = (i + 1) & mask;
            }
        }

        private long word(final long kh, final long kl)
        {
            final int i = slotOf(kh, kl);
            return i < 0 ? 0 : words[i];
        }

        @Override
        boolean add(final long hi, final long lo)
        {
            return addWord(keyHi(hi), keyLo(hi, lo), 1L << lo);
        }

        @Override
        boolean addWord(final long kh, final long kl, final long bits)
        {
            int i = hash(kh, kl) & mask;
            while (true)
            {
                final long k = keysHi[i];
                if (k == kh && keysLo[i] == kl)
                {
                    if ((words[i] & bits) != 0)
                    {
                        return false;
                    }
                    words[i] |= bits;
                    cardinality += Long.bitCount(bits);
                    return true;
                }
                if (k == EMPTY)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            keysHi[i] = kh;
            keysLo[i] = kl;
            words[i] = bits;
            cardinality += Long.bitCount(bits);
            if (++size * 4 > keysHi.length * 3)
            {
                rehash(keysHi.length * 2);
            }
            return true;
        }

        @Override
        void reserve(final long n)
        {
            final long needed = Math.min(size + n, 1L << 29) * 4 / 3 + 1;
            if (needed > keysHi.length)
            {
                rehash((int)Math.min(1L << 30, Long.highestOneBit(needed - 1) << 1));
            }
        }

        private void rehash(final int capacity)
        {
            final long[] oldHi = keysHi;
            final long[] oldLo = keysLo;
            final long[] oldWords = words;
            keysHi = new long[capacity];
            keysLo = new long[capacity];
            words = new long[capacity];
            Arrays.fill(keysHi, EMPTY);
            mask = capacity - 1;
            for (int j = 0; j < oldHi.length; j++)
            {
                final long kh = oldHi[j];
                if (kh != EMPTY)
                {
                    int i = hash(kh, oldLo[j]) & mask;
                    while (keysHi[i] != EMPTY)
                    {
                        i = (i + 1) & mask;
                    }
                    keysHi[i] = kh;
                    keysLo[i] = oldLo[j];
                    words[i] = oldWords[j];
                }
            }
        }

        @Override
        boolean remove(final long hi, final long lo)
        {
            final int i = slotOf(keyHi(hi), keyLo(hi, lo));
            final long bit = 1L << lo;
            if (i < 0 || (words[i] & bit) == 0)
            {
                return false;
            }
            cardinality--;
            final long w = words[i] & ~bit;
            if (w != 0)
            {
                words[i] = w;
                return true;
            }
            int hole = i;
            int j = (hole + 1) & mask;
            while (keysHi[j] != EMPTY)
            {
                final int ideal = hash(keysHi[j], keysLo[j]) & mask;
                if (((j - ideal) & mask) >= ((j - hole) & mask))
                {
                    keysHi[hole] = keysHi[j];
                    keysLo[hole] = keysLo[j];
                    words[hole] = words[j];
                    hole = j;
                }
                j = (j + 1) & mask;
            }
            keysHi[hole] = EMPTY;
            keysLo[hole] = 0;
            words[hole] = 0;
            size--;
            return true;
        }

        @Override
        boolean contains(final long hi, final long lo)
        {
            return (word(keyHi(hi), keyLo(hi, lo)) & (1L << lo)) != 0;
        }

        @Override
        boolean nextAbsent(final long fromHi, final long fromLo, final long toHi, final long toLo)
        {
            long kh = keyHi(fromHi);
            long kl = keyLo(fromHi, fromLo);
            final long lastKh = keyHi(toHi);
            final long lastKl = keyLo(toHi, toLo);
            long w = word(kh, kl) | ((1L << fromLo) - 1);
            while (true)
            {
                if (w != -1L)
                {
                    // the candidate's offset: the word's first offset plus the lowest clear bit
                    final long candHi = (kh << 6) | (kl >>> 58);
                    final long candLo = (kl << 6) | Long.numberOfTrailingZeros(~w);
                    if (Wide.le(candHi, candLo, toHi, toLo))
                    {
                        foundHi = candHi;
                        foundLo = candLo;
                        return true;
                    }
                    return false;
                }
                if (kh == lastKh && kl == lastKl)
                {
                    return false;
                }
                kl++;
                if (kl == 0)
                {
                    kh++;
                }
                w = word(kh, kl);
            }
        }

        @Override
        long cardinality()
        {
            return cardinality;
        }

        @Override
        long cardinality(final long fromHi, final long fromLo, final long toHi, final long toLo)
        {
            long count = 0;
            for (int i = 0; i < keysHi.length; i++)
            {
                final long kh = keysHi[i];
                if (kh == EMPTY)
                {
                    continue;
                }
                final long baseHi = (kh << 6) | (keysLo[i] >>> 58);
                final long baseLo = keysLo[i] << 6;
                long w = words[i];
                while (w != 0)
                {
                    final long lo = baseLo | Long.numberOfTrailingZeros(w);
                    if (Wide.le(fromHi, fromLo, baseHi, lo) && Wide.le(baseHi, lo, toHi, toLo))
                    {
                        count++;
                    }
                    w &= w - 1;
                }
            }
            return count;
        }

        @Override
        void forEach(final OffsetConsumer consumer)
        {
            final long[] hi = new long[size];
            final long[] lo = new long[size];
            int n = 0;
            for (int i = 0; i < keysHi.length; i++)
            {
                if (keysHi[i] != EMPTY)
                {
                    hi[n] = keysHi[i];
                    lo[n++] = keysLo[i];
                }
            }
            Wide.sort(hi, lo, n);
            for (int k = 0; k < n; k++)
            {
                final long baseHi = (hi[k] << 6) | (lo[k] >>> 58);
                final long baseLo = lo[k] << 6;
                long w = word(hi[k], lo[k]);
                while (w != 0)
                {
                    consumer.accept(baseHi, baseLo | Long.numberOfTrailingZeros(w));
                    w &= w - 1;
                }
            }
        }

        @Override
        void clear()
        {
            init();
        }
    }

    /**
     * Every pool in one window of 2^32 offsets, starting at a multiple of 2^16 (so that no word straddles its
     * edges): a {@link BitmapAddressSet} for the window, a {@link Hashed} table for the rest of the subnet.
     */
    static final class Windowed extends WideAddressSet
    {
        private final long windowHi;
        private final long windowLo;
        private final long windowLastHi;
        private final long windowLastLo;
        private final BitmapAddressSet inside = new BitmapAddressSet(WINDOW - 1);
        private final Hashed outside = new Hashed();

        /**
         * @param windowHi first offset of the window, high word.
         * @param windowLo first offset of the window, low word: a multiple of 2^16.
         */
        Windowed(final long windowHi, final long windowLo)
        {
            this.windowHi = windowHi;
            this.windowLo = windowLo;
            this.windowLastLo = windowLo + WINDOW - 1;
            this.windowLastHi = Wide.addHi(windowHi, windowLo, 0, WINDOW - 1);
        }

        /**
         * @return the offset's place in the window (0 .. 2^32 - 1), or -1 when it lies outside.
         */
        private long in(final long hi, final long lo)
        {
            final long dl = lo - windowLo;
            final long dh = Wide.subHi(hi, lo, windowHi, windowLo);
            return dh == 0 && (dl >>> 32) == 0 ? dl : -1;
        }

        @Override
        boolean add(final long hi, final long lo)
        {
            final long o = in(hi, lo);
            return o >= 0 ? inside.add(o) : outside.add(hi, lo);
        }

        @Override
        boolean remove(final long hi, final long lo)
        {
            final long o = in(hi, lo);
            return o >= 0 ? inside.remove(o) : outside.remove(hi, lo);
        }

        @Override
        boolean contains(final long hi, final long lo)
        {
            final long o = in(hi, lo);
            return o >= 0 ? inside.contains(o) : outside.contains(hi, lo);
        }

        @Override
        boolean addWord(final long kh, final long kl, final long bits)
        {
            final long hi = (kh << 6) | (kl >>> 58);
            final long lo = kl << 6;
            final long o = in(hi, lo);
            return o >= 0 ? inside.addWord(o >>> 6, bits) : outside.addWord(kh, kl, bits);
        }

        @Override
        void reserve(final long n)
        {
            // the window's bitmap needs no room made; the table only takes specific requests outside the pools
        }

        @Override
        boolean nextAbsent(final long fromHi, final long fromLo, final long toHi, final long toLo)
        {
            final boolean fromBelow = Wide.lt(fromHi, fromLo, windowHi, windowLo);
            if (fromBelow)
            {
                // below the window: up to the window's first offset - 1, or to
                final boolean toBelow = Wide.lt(toHi, toLo, windowHi, windowLo);
                final long endLo = toBelow ? toLo : windowLo - 1;
                final long endHi = toBelow ? toHi : Wide.subHi(windowHi, windowLo, 0, 1);
                if (outside.nextAbsent(fromHi, fromLo, endHi, endLo))
                {
                    foundHi = outside.foundHi;
                    foundLo = outside.foundLo;
                    return true;
                }
                if (toBelow)
                {
                    return false;
                }
            }
            final long startHi = fromBelow ? windowHi : fromHi;
            final long startLo = fromBelow ? windowLo : fromLo;
            if (Wide.le(startHi, startLo, windowLastHi, windowLastLo))
            {
                final boolean toInside = Wide.le(toHi, toLo, windowLastHi, windowLastLo);
                final long end = toInside ? in(toHi, toLo) : WINDOW - 1;
                if (inside.nextAbsent(in(startHi, startLo), end))
                {
                    foundLo = windowLo + inside.found;
                    foundHi = Wide.addHi(windowHi, windowLo, 0, inside.found);
                    return true;
                }
                if (toInside)
                {
                    return false;
                }
                final long afterLo = windowLastLo + 1;
                final long afterHi = Wide.addHi(windowLastHi, windowLastLo, 0, 1);
                if (outside.nextAbsent(afterHi, afterLo, toHi, toLo))
                {
                    foundHi = outside.foundHi;
                    foundLo = outside.foundLo;
                    return true;
                }
                return false;
            }
            if (outside.nextAbsent(startHi, startLo, toHi, toLo))
            {
                foundHi = outside.foundHi;
                foundLo = outside.foundLo;
                return true;
            }
            return false;
        }

        @Override
        long cardinality()
        {
            return inside.cardinality() + outside.cardinality();
        }

        @Override
        long cardinality(final long fromHi, final long fromLo, final long toHi, final long toLo)
        {
            long count = outside.cardinality(fromHi, fromLo, toHi, toLo);
            final boolean fromAfterStart = Wide.lt(windowHi, windowLo, fromHi, fromLo);
            final long aHi = fromAfterStart ? fromHi : windowHi;
            final long aLo = fromAfterStart ? fromLo : windowLo;
            final boolean toBeforeEnd = Wide.lt(toHi, toLo, windowLastHi, windowLastLo);
            final long bHi = toBeforeEnd ? toHi : windowLastHi;
            final long bLo = toBeforeEnd ? toLo : windowLastLo;
            if (Wide.le(aHi, aLo, bHi, bLo))
            {
                count += inside.cardinality(in(aHi, aLo), in(bHi, bLo));
            }
            return count;
        }

        @Override
        void forEach(final OffsetConsumer consumer)
        {
            // ascending: the table below the window, the window, the table above it
            outside.forEach((hi, lo) ->
            {
                if (Wide.lt(hi, lo, windowHi, windowLo))
                {
                    consumer.accept(hi, lo);
                }
            });
            inside.forEach(o -> consumer.accept(Wide.addHi(windowHi, windowLo, 0, o), windowLo + o));
            outside.forEach((hi, lo) ->
            {
                if (Wide.lt(windowLastHi, windowLastLo, hi, lo))
                {
                    consumer.accept(hi, lo);
                }
            });
        }

        @Override
        void clear()
        {
            inside.clear();
            outside.clear();
        }
    }
}
