package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations on each {@link AddressSet} against a plain sorted set of unsigned offsets. Offsets are drawn
 * from a few windows (dense runs at the start, the end and at chunk and page borders, plus uniform draws) so
 * that full words, full chunks and the summaries are exercised. A disagreement fails with the seed and the
 * operation number; replay with {@code -Dipam.sets.seed=}.
 */
class AddressSetTest
{
    private static final long SEED = Long.getLong("ipam.sets.seed", System.nanoTime());
    private static final int OPS = Integer.getInteger("ipam.sets.ops", 200_000);

    @ParameterizedTest(name = "last offset {0}")
    @CsvSource({
        "0", "3", "63", "64", "255", "1000", "65535", "65536", "131071", "16777215", "33554431", "4294967295",
        "18446744073709551615", "281474976710655",
    })
    void shouldAgreeWithModel(final String lastText)
    {
        final long last = Long.parseUnsignedLong(lastText);
        final long seed = SEED ^ last;
        System.out.println("AddressSetTest last=" + lastText + " seed=" + seed);
        check(AddressSet.forSize(last), last, seed,
            new long[] {0, last, 65536, 65536 * 3 - 40, 1L << 24, (1L << 32) - 100, 1L << 40, 12345});
    }

    @ParameterizedTest(name = "window at {0}")
    @CsvSource({"0", "1099511627776", "18446744069414584320", "65536"})
    void shouldAgreeWithModelWithAWindow(final String windowText)
    {
        final long window = Long.parseUnsignedLong(windowText);
        final long seed = SEED ^ window ^ 0x5DEECE66DL;
        System.out.println("AddressSetTest window=" + windowText + " seed=" + seed);
        check(new WindowedAddressSet(window), -1L, seed, new long[] {0, -1L, window, window - 1, window + 65536,
            window + (1L << 32), window + (1L << 32) - 1, window + 12345, 1L << 40});
    }

    private static void check(final AddressSet set, final long last, final long seed, final long[] anchors)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final TreeSet<Long> model = new TreeSet<>(Long::compareUnsigned);
        for (int op = 0; op < OPS; op++)
        {
            final String where = "seed " + seed + " op " + op;
            final long offset = draw(random, last, anchors);
            final int kind = random.nextInt(10);
            if (kind < 5)
            {
                assertEquals(model.add(offset), set.add(offset), "add " + offset + " " + where);
            }
            else if (kind < 8)
            {
                assertEquals(model.remove(offset), set.remove(offset), "remove " + offset + " " + where);
            }
            else
            {
                final long to = Long.compareUnsigned(offset, last) == 0 ? offset :
                    pick(random, offset, last);
                final Long expected = nextAbsent(model, offset, to);
                final boolean got = set.nextAbsent(offset, to);
                assertEquals(expected != null, got, "nextAbsent(" + offset + ", " + to + ") " + where);
                if (got)
                {
                    assertEquals(expected.longValue(), set.found, "nextAbsent(" + offset + ", " + to + ") " + where);
                }
            }
            assertEquals(model.contains(offset), set.contains(offset), "contains " + offset + " " + where);
            assertEquals(model.size(), set.cardinality(), "cardinality " + where);
        }
        final List<Long> seen = new ArrayList<>();
        set.forEach(seen::add);
        assertEquals(new ArrayList<>(model), seen, "forEach, seed " + seed);
        if (!model.isEmpty())
        {
            final long a = model.first();
            final long b = model.last();
            assertEquals(model.subSet(a, true, b, true).size(), set.cardinality(a, b), "range count, seed " + seed);
            final long mid = pick(random, a, b);
            assertEquals(model.subSet(a, true, mid, true).size(), set.cardinality(a, mid),
                "range count to " + mid + ", seed " + seed);
        }
    }

    @ParameterizedTest(name = "last offset {0}")
    @CsvSource({"1000", "16777215", "18446744073709551615"})
    void shouldLoadWholeWordsLikeSingleAdds(final String lastText)
    {
        final long last = Long.parseUnsignedLong(lastText);
        final long seed = SEED ^ ~last;
        System.out.println("AddressSetTest words last=" + lastText + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final AddressSet bulk = AddressSet.forSize(last);
        final AddressSet single = AddressSet.forSize(last);
        final long words = Long.compareUnsigned(last, 1L << 20) > 0 ? 1L << 14 : (last >>> 6) + 1;
        for (long w = 0; w < words; w++)
        {
            final long lastMask = w == (last >>> 6) && (last & 63) != 63 ? (1L << ((last & 63) + 1)) - 1 : -1L;
            // the first two chunks whole, so that searches skip full chunks; then a mix of full and random words
            final long bits = (w < 2048 || random.nextInt(3) == 0 ? -1L : random.nextLong()) & lastMask;
            assertTrue(bulk.addWord(w, bits));
            for (int b = 0; b < 64; b++)
            {
                if ((bits >>> b & 1) != 0)
                {
                    single.add((w << 6) + b);
                }
            }
        }
        assertEquals(single.cardinality(), bulk.cardinality(), "seed " + seed);
        final long span = Long.compareUnsigned(words * 64 - 1, last) < 0 ? words * 64 : last + 1;
        for (int i = 0; i < 10_000; i++)
        {
            final long from = Long.remainderUnsigned(random.nextLong(), span);
            final long to = pick(random, from, last);
            assertEquals(single.nextAbsent(from, to), bulk.nextAbsent(from, to), "seed " + seed);
            assertEquals(single.found, bulk.found, "seed " + seed);
        }
        assertTrue(bulk.contains(0));
        assertFalse(bulk.addWord(0, 1), "a bit set twice is refused, seed " + seed);
    }

    @ParameterizedTest(name = "last offset {0}")
    @CsvSource({"16777215", "65535", "4095", "18446744073709551615"})
    void shouldFindTheOnlyFreeOffsetAnywhereInAFullChunk(final String lastText)
    {
        final long last = Long.parseUnsignedLong(lastText);
        final long words = Math.min((last >>> 6) + 1, 1024 * 3);
        for (final long hole : new long[] {0, 63, 64, 4095, 61_439, 61_440, 64_000, 65_535, 65_536, 131_071,
            131_072 + 65_535, last})
        {
            if (Long.compareUnsigned(hole, words * 64 - 1) > 0 || Long.compareUnsigned(hole, last) > 0)
            {
                continue;
            }
            final AddressSet set = AddressSet.forSize(last);
            for (long w = 0; w < words; w++)
            {
                set.addWord(w, w == hole >>> 6 ? ~(1L << hole) : -1L);
            }
            final long to = Long.compareUnsigned(words * 64 - 1, last) < 0 ? words * 64 - 1 : last;
            assertTrue(set.nextAbsent(0, to), "hole " + hole);
            assertEquals(hole, set.found, "hole " + hole);
            assertTrue(set.nextAbsent(hole, to), "hole " + hole);
            assertEquals(hole, set.found, "hole " + hole);
            if (hole > 0)
            {
                assertFalse(set.nextAbsent(0, hole - 1), "hole " + hole);
            }
            set.add(hole);
            assertFalse(set.nextAbsent(0, to), "all full, hole " + hole);
        }
    }

    private static long pick(final SplittableRandom random, final long from, final long last)
    {
        final long span = last - from;
        if (random.nextBoolean())
        {
            return from + Math.min(Long.compareUnsigned(span, 200) < 0 ? span : 200, random.nextInt(201));
        }
        return span == -1L ? random.nextLong() : from + Long.remainderUnsigned(random.nextLong(), span + 1);
    }

    private static long draw(final SplittableRandom random, final long last, final long[] anchors)
    {
        if (random.nextInt(20) == 0)
        {
            return last == -1L ? random.nextLong() : Long.remainderUnsigned(random.nextLong(), last + 1);
        }
        final long anchor = anchors[random.nextInt(anchors.length)];
        final long o = anchor + random.nextInt(256) - 128;
        if (Long.compareUnsigned(o, last) > 0)
        {
            return Long.remainderUnsigned(o, last + 1 == 0 ? -1L : last + 1);
        }
        return o;
    }

    private static Long nextAbsent(final TreeSet<Long> model, final long from, final long to)
    {
        long c = from;
        while (true)
        {
            if (!model.contains(c))
            {
                return c;
            }
            if (c == to)
            {
                return null;
            }
            c++;
        }
    }
}
