package io.ipam.core.engine;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations on each {@link WideAddressSet} shape and on {@link WideRecordIndex} against plain models of
 * 128-bit offsets ({@link BigInteger}s). Offsets come from dense runs around anchors (the ends of the subnet, the
 * 2^64 border, word and window edges) and from uniform draws over the whole subnet, so that full words, searches
 * across the 2^64 border and both sides of a window are exercised. A disagreement fails with the seed and the
 * operation number; replay with {@code -Dipam.sets.seed=}.
 */
class WideAddressSetTest
{
    private static final long SEED = Long.getLong("ipam.sets.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("ipam.sets.ops", 50_000);
    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    @ParameterizedTest(name = "/{0}")
    @CsvSource({"1", "32", "48", "57", "63"})
    void shouldAgreeWithModel(final int prefix)
    {
        final BigInteger last = BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
        final long seed = SEED ^ prefix;
        System.out.println("WideAddressSetTest /" + prefix + " seed=" + seed);
        check(new WideAddressSet.Hashed(), last, seed, anchors(last, BigInteger.ZERO));
    }

    @ParameterizedTest(name = "/{0} window at {1}")
    @CsvSource({
        "48, 0", "48, 18446744073709486080", "1, 170141183460469231731687303715884040192", "63, 4294967296000",
        "32, 79228162514264337593543950336",
    })
    void shouldAgreeWithModelWithAWindow(final int prefix, final String windowText)
    {
        final BigInteger last = BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
        final BigInteger window = new BigInteger(windowText);
        final long seed = SEED ^ prefix ^ window.longValue() ^ 0x5DEECE66DL;
        System.out.println("WideAddressSetTest /" + prefix + " window=" + windowText + " seed=" + seed);
        check(new WideAddressSet.Windowed(hi(window), lo(window)), last, seed, anchors(last, window));
    }

    @ParameterizedTest(name = "/{0}")
    @CsvSource({"1", "48", "63"})
    void shouldAgreeWithAMapAsARecordIndex(final int prefix)
    {
        final BigInteger last = BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
        final long seed = SEED ^ prefix ^ 0x1234;
        System.out.println("WideAddressSetTest index /" + prefix + " seed=" + seed);
        final BigInteger window = last.shiftRight(1).shiftRight(16).shiftLeft(16);
        final List<BigInteger> anchors = anchors(last, window);
        for (final WideRecordIndex index : List.of(new WideRecordIndex.Hashed(),
            new WideRecordIndex.Windowed(hi(window), lo(window))))
        {
            final SplittableRandom random = new SplittableRandom(seed);
            final Map<BigInteger, Integer> model = new HashMap<>();
            for (int op = 0; op < OPS; op++)
            {
                final BigInteger o = draw(random, last, anchors);
                final String where = "seed " + seed + " op " + op + " offset " + o;
                final int kind = random.nextInt(10);
                if (kind < 5)
                {
                    final int r = random.nextInt(1 << 30);
                    model.put(o, r);
                    index.put(hi(o), lo(o), r);
                }
                else if (kind < 8)
                {
                    model.remove(o);
                    index.remove(hi(o), lo(o));
                }
                assertEquals(model.getOrDefault(o, Records.NONE).intValue(), index.get(hi(o), lo(o)), where);
            }
            for (final Map.Entry<BigInteger, Integer> e : model.entrySet())
            {
                assertEquals(e.getValue().intValue(), index.get(hi(e.getKey()), lo(e.getKey())), "seed " + seed);
            }
        }
    }

    @ParameterizedTest(name = "/{0}")
    @CsvSource({"1", "48"})
    void shouldLoadWholeWordsLikeSingleAdds(final int prefix)
    {
        final BigInteger last = BigInteger.ONE.shiftLeft(128 - prefix).subtract(BigInteger.ONE);
        final long seed = SEED ^ ~prefix;
        System.out.println("WideAddressSetTest words /" + prefix + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final WideAddressSet bulk = new WideAddressSet.Hashed();
        final WideAddressSet single = new WideAddressSet.Hashed();
        bulk.reserve(1 << 14);
        // word indexes around the 2^64 border of offsets and around the end of the subnet
        final BigInteger[] starts = {TWO64.shiftRight(6).subtract(BigInteger.valueOf(100)),
            last.shiftRight(6).subtract(BigInteger.valueOf(100))};
        for (final BigInteger start : starts)
        {
            for (int w = 0; w <= 100; w++)
            {
                final BigInteger key = start.add(BigInteger.valueOf(w));
                final long bits = random.nextInt(3) == 0 ? -1L : random.nextLong();
                assertTrue(bulk.addWord(hi(key), lo(key), bits));
                for (int b = 0; b < 64; b++)
                {
                    if ((bits >>> b & 1) != 0)
                    {
                        single.add(hi(key.shiftLeft(6).add(BigInteger.valueOf(b))),
                            lo(key.shiftLeft(6).add(BigInteger.valueOf(b))));
                    }
                }
            }
        }
        assertEquals(single.cardinality(), bulk.cardinality());
        final List<BigInteger> a = new ArrayList<>();
        final List<BigInteger> b = new ArrayList<>();
        single.forEach((h, l) -> a.add(big(h, l)));
        bulk.forEach((h, l) -> b.add(big(h, l)));
        assertEquals(a, b);
        final BigInteger first = a.get(0);
        assertTrue(!bulk.addWord(hi(first.shiftRight(6)), lo(first.shiftRight(6)), 1L << first.intValue()),
            "a word whose bit is set already is refused");
    }

    private static void check(final WideAddressSet set, final BigInteger last, final long seed,
        final List<BigInteger> anchors)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final TreeSet<BigInteger> model = new TreeSet<>();
        for (int op = 0; op < OPS; op++)
        {
            final String where = "seed " + seed + " op " + op;
            final BigInteger o = draw(random, last, anchors);
            final int kind = random.nextInt(10);
            if (kind < 5)
            {
                assertEquals(model.add(o), set.add(hi(o), lo(o)), "add " + o + " " + where);
            }
            else if (kind < 8)
            {
                assertEquals(model.remove(o), set.remove(hi(o), lo(o)), "remove " + o + " " + where);
            }
            else
            {
                final BigInteger to = o.equals(last) ? o : pick(random, o, last);
                final BigInteger expected = nextAbsent(model, o, to);
                final boolean got = set.nextAbsent(hi(o), lo(o), hi(to), lo(to));
                assertEquals(expected != null, got, "nextAbsent(" + o + ", " + to + ") " + where);
                if (got)
                {
                    assertEquals(expected, big(set.foundHi, set.foundLo), "nextAbsent(" + o + ", " + to + ") " + where);
                }
            }
            assertEquals(model.contains(o), set.contains(hi(o), lo(o)), "contains " + o + " " + where);
            assertEquals(model.size(), set.cardinality(), "cardinality " + where);
        }
        final List<BigInteger> seen = new ArrayList<>();
        set.forEach((h, l) -> seen.add(big(h, l)));
        assertEquals(new ArrayList<>(model), seen, "forEach, seed " + seed);
        if (!model.isEmpty())
        {
            final BigInteger a = model.first();
            final BigInteger b = model.last();
            assertEquals(model.size(), set.cardinality(hi(a), lo(a), hi(b), lo(b)), "range count, seed " + seed);
            final BigInteger mid = pick(random, a, b);
            assertEquals(model.subSet(a, true, mid, true).size(), set.cardinality(hi(a), lo(a), hi(mid), lo(mid)),
                "range count to " + mid + ", seed " + seed);
            final BigInteger from = pick(random, a, b);
            assertEquals(model.subSet(from, true, b, true).size(), set.cardinality(hi(from), lo(from), hi(b), lo(b)),
                "range count from " + from + ", seed " + seed);
        }
        set.clear();
        assertEquals(0, set.cardinality());
        assertTrue(set.nextAbsent(0, 0, hi(last), lo(last)));
        assertEquals(BigInteger.ZERO, big(set.foundHi, set.foundLo));
    }

    private static BigInteger nextAbsent(final TreeSet<BigInteger> model, final BigInteger from, final BigInteger to)
    {
        BigInteger o = from;
        while (o.compareTo(to) <= 0)
        {
            if (!model.contains(o))
            {
                return o;
            }
            o = o.add(BigInteger.ONE);
        }
        return null;
    }

    private static List<BigInteger> anchors(final BigInteger last, final BigInteger window)
    {
        final List<BigInteger> a = new ArrayList<>(List.of(BigInteger.ZERO, last, TWO64, TWO64.subtract(BigInteger.ONE),
            last.shiftRight(1), BigInteger.valueOf(12345)));
        if (window.signum() > 0 || window.equals(BigInteger.ZERO))
        {
            final BigInteger windowEnd = window.add(BigInteger.ONE.shiftLeft(32));
            a.addAll(List.of(window, window.subtract(BigInteger.ONE).max(BigInteger.ZERO), windowEnd,
                windowEnd.subtract(BigInteger.ONE), window.add(BigInteger.valueOf(70_000))));
        }
        a.removeIf(x -> x.compareTo(last) > 0);
        return a;
    }

    /**
     * @return mostly an offset within a few hundred of an anchor (dense runs), sometimes one uniform over the subnet.
     */
    private static BigInteger draw(final SplittableRandom random, final BigInteger last, final List<BigInteger> anchors)
    {
        if (random.nextInt(8) == 0)
        {
            return new BigInteger(last.bitLength(), new Random(random.nextLong())).min(last);
        }
        final BigInteger o = anchors.get(random.nextInt(anchors.size()))
            .add(BigInteger.valueOf(random.nextInt(-300, 300)));
        return o.signum() < 0 ? BigInteger.ZERO : o.min(last);
    }

    /**
     * @return a value in [a, b], mostly close to a.
     */
    private static BigInteger pick(final SplittableRandom random, final BigInteger a, final BigInteger b)
    {
        final BigInteger near = a.add(BigInteger.valueOf(random.nextInt(1000)));
        return random.nextInt(4) == 0 ? b : near.min(b);
    }

    static long hi(final BigInteger v)
    {
        return v.shiftRight(64).longValue();
    }

    static long lo(final BigInteger v)
    {
        return v.longValue();
    }

    static BigInteger big(final long hi, final long lo)
    {
        return Wide.toBig(hi, lo);
    }
}
