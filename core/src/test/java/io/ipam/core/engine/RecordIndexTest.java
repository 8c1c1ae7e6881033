package io.ipam.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random puts, removes and gets on each {@link RecordIndex} against a {@link HashMap}, with offsets crowded into
 * a few pages so that sparse pages fill, turn dense and keep working. The seed is printed; replay with
 * {@code -Dipam.index.seed=}.
 */
class RecordIndexTest
{
    private static final long SEED = Long.getLong("ipam.index.seed", System.nanoTime());

    @ParameterizedTest(name = "last offset {0}")
    @CsvSource({"255", "65535", "16777215", "4294967295", "18446744073709551615"})
    void shouldAgreeWithAHashMap(final String lastText)
    {
        final long last = Long.parseUnsignedLong(lastText);
        final long seed = SEED ^ last;
        System.out.println("RecordIndexTest last=" + lastText + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final RecordIndex index = RecordIndex.forSize(last);
        final Map<Long, Integer> model = new HashMap<>();
        final long[] pages = {0, last & ~0xFFFFL, Math.min(last, 1L << 24) & ~0xFFFFL};
        for (int op = 0; op < 300_000; op++)
        {
            final long offset = Long.compareUnsigned(last, 0xFFFF) <= 0 ? random.nextLong(last + 1) :
                pages[random.nextInt(pages.length)] + random.nextInt(1 << 16);
            final int kind = random.nextInt(10);
            if (kind < 6)
            {
                final int record = random.nextInt(Integer.MAX_VALUE);
                model.put(offset, record);
                index.put(offset, record);
            }
            else if (kind < 8)
            {
                model.remove(offset);
                index.remove(offset);
            }
            assertEquals(model.getOrDefault(offset, Records.NONE).intValue(), index.get(offset),
                "offset " + offset + " seed " + seed + " op " + op);
        }
        for (final Map.Entry<Long, Integer> e : model.entrySet())
        {
            assertEquals(e.getValue().intValue(), index.get(e.getKey()), "seed " + seed);
        }
    }
}
