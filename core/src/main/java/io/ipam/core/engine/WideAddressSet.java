package io.ipam.core.engine;

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
     * deletion, one {@code long[]} holding each slot's key high word, key low word and bits side by side (24 bytes a
     * slot at up to 3/4 load: a probe reads one cache line, not three). RANDOM over a whole wide pool costs one slot
     * per allocation, a dense run one slot per 64. A missing word is all free. The table never shrinks. Word indexes
     * are below 2^121, so their high word is below 2^57 and -1 marks an empty slot.
     */
    static final class Hashed extends WideAddressSet
    {
        private static final long EMPTY = -1L;
        private static final int INITIAL = 16;

        /** Slot i: key high word at 3i, key low word at 3i + 1, the word's bits at 3i + 2. */
        private long[] table;
        private int mask;
        private int size;
        private long cardinality;

        Hashed()
        {
            init();
        }

        private void init()
        {
            table = newTable(INITIAL);
            mask = INITIAL - 1;
            size = 0;
            cardinality = 0;
        }

        private static long[] newTable(final int slots)
        {
            final long[] t = new long[slots * 3];
            for (int i = 0; i < t.length; i += 3)
            {
                t[i] = EMPTY;
            }
            return t;
        }

        private static int hash(final long kh, final long kl)
        {
            final long h = (kl ^ (kh * 0xC2B2AE3D27D4EB4FL)) * 0x9E3779B97F4A7C15L;
            return (int)(h ^ (h >>> 32));
        }

        /**
         * @return the index in {@link #table} of the key's slot, or -1.
         */
        private int slotOf(final long kh, final long kl)
        {
            final long[] t = table;
            int i = hash(kh, kl) & mask;
            while (true)
            {
                final int j = i * 3;
                final long k = t[j];
                if (k == kh && t[j + 1] == kl)
                {
                    return j;
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
            final int j = slotOf(kh, kl);
            return j < 0 ? 0 : table[j + 2];
        }

        @Override
        boolean add(final long hi, final long lo)
        {
            return addWord(keyHi(hi), keyLo(hi, lo), 1L << lo);
        }

        @Override
        boolean addWord(final long kh, final long kl, final long bits)
        {
            final long[] t = table;
            int i = hash(kh, kl) & mask;
            int j;
            while (true)
            {
                j = i * 3;
                final long k = t[j];
                if (k == kh && t[j + 1] == kl)
                {
                    if ((t[j + 2] & bits) != 0)
                    {
                        return false;
                    }
                    t[j + 2] |= bits;
                    cardinality += Long.bitCount(bits);
                    return true;
                }
                if (k == EMPTY)
                {
                    break;
                }
                i = (i + 1) & mask;
            }
            t[j] = kh;
            t[j + 1] = kl;
            t[j + 2] = bits;
            cardinality += Long.bitCount(bits);
            if (++size * 4 > (mask + 1) * 3)
            {
                rehash((mask + 1) * 2);
            }
            return true;
        }

        @Override
        void reserve(final long n)
        {
            final long needed = Math.min(size + n, 1L << 28) * 4 / 3 + 1;
            if (needed > mask + 1)
            {
                rehash((int)Math.min(1L << 29, Long.highestOneBit(needed - 1) << 1));
            }
        }

        private void rehash(final int capacity)
        {
            final long[] old = table;
            final long[] t = newTable(capacity);
            mask = capacity - 1;
            for (int j = 0; j < old.length; j += 3)
            {
                final long kh = old[j];
                if (kh != EMPTY)
                {
                    int i = hash(kh, old[j + 1]) & mask;
                    while (t[i * 3] != EMPTY)
                    {
                        i = (i + 1) & mask;
                    }
                    t[i * 3] = kh;
                    t[i * 3 + 1] = old[j + 1];
                    t[i * 3 + 2] = old[j + 2];
                }
            }
            table = t;
        }

        @Override
        boolean remove(final long hi, final long lo)
        {
            final int found = slotOf(keyHi(hi), keyLo(hi, lo));
            final long bit = 1L << lo;
            final long[] t = table;
            if (found < 0 || (t[found + 2] & bit) == 0)
            {
                return false;
            }
            cardinality--;
            final long w = t[found + 2] & ~bit;
            if (w != 0)
            {
                t[found + 2] = w;
                return true;
            }
            // backward-shift deletion keeps probe chains intact without tombstones
            int hole = found / 3;
            int i = (hole + 1) & mask;
            while (t[i * 3] != EMPTY)
            {
                final int ideal = hash(t[i * 3], t[i * 3 + 1]) & mask;
                if (((i - ideal) & mask) >= ((i - hole) & mask))
                {
                    t[hole * 3] = t[i * 3];
                    t[hole * 3 + 1] = t[i * 3 + 1];
                    t[hole * 3 + 2] = t[i * 3 + 2];
                    hole = i;
                }
                i = (i + 1) & mask;
            }
            t[hole * 3] = EMPTY;
            t[hole * 3 + 1] = 0;
            t[hole * 3 + 2] = 0;
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
            final long[] t = table;
            for (int j = 0; j < t.length; j += 3)
            {
                final long kh = t[j];
                if (kh == EMPTY)
                {
                    continue;
                }
                final long baseHi = (kh << 6) | (t[j + 1] >>> 58);
                final long baseLo = t[j + 1] << 6;
                long w = t[j + 2];
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
            final long[] t = table;
            for (int j = 0; j < t.length; j += 3)
            {
                if (t[j] != EMPTY)
                {
                    hi[n] = t[j];
                    lo[n++] = t[j + 1];
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
