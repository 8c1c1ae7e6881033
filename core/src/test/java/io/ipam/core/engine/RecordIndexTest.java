package io.ipam.core.engine;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * {@link RecordIndex#putAll} (a load's bulk insert: region by region in a hashed index, by page runs in a direct
     * one) holds what puts one by one hold, for offsets in ascending order (a snapshot's) and shuffled (a store's
     * batches), over the region-sorting threshold.
     */
    @ParameterizedTest(name = "last offset {0}, shuffled {1}")
    @CsvSource({"16777215, false", "16777215, true", "4294967295, false", "18446744073709551615, false",
        "18446744073709551615, true"})
    void shouldHoldInBulkWhatItHoldsOneByOne(final String lastText, final boolean shuffled)
    {
        final long last = Long.parseUnsignedLong(lastText);
        final long seed = SEED ^ last ^ (shuffled ? 1 : 0);
        System.out.println("RecordIndexTest bulk last=" + lastText + " seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        final int n = SlotOrder.MIN_KEYS * 3;
        final long[] offsets = new long[n];
        final long span = Long.compareUnsigned(last, 1L << 40) < 0 ? last + 1 : 1L << 40;
        for (int i = 0; i < n; i++)
        {
            // half crowded into one page (so that it turns dense), half spread
            offsets[i] = i % 2 == 0 ? random.nextInt(1 << 16) : Long.remainderUnsigned(random.nextLong(), span);
        }
        Arrays.sort(offsets);
        if (shuffled)
        {
            for (int i = n - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final long t = offsets[i];
                offsets[i] = offsets[j];
                offsets[j] = t;
            }
        }
        final int[] records = new int[n];
        final RecordIndex one = RecordIndex.forSize(last);
        for (int i = 0; i < n; i++)
        {
            records[i] = random.nextInt(Integer.MAX_VALUE);
            one.put(offsets[i], records[i]);
        }
        final RecordIndex bulk = RecordIndex.forSize(last);
        bulk.reserve(n);
        bulk.putAll(offsets.clone(), records.clone(), n);
        for (int i = 0; i < n; i++)
        {
            assertEquals(one.get(offsets[i]), bulk.get(offsets[i]), "offset " + Long.toUnsignedString(offsets[i]));
        }
    }

    /**
     * A load's run of records for one empty page that will be dense is put into a dense page made at once: about
     * the page's 256 KiB, not a sparse table grown step by step to the threshold and then copied (over 600 KiB).
     */
    @Test
    void shouldMakeALoadedPageDenseAtOnce()
    {
        final int n = RecordIndex.DENSE_AT + 1000;
        final long[] offsets = new long[n];
        final int[] records = new int[n];
        for (int i = 0; i < n; i++)
        {
            offsets[i] = (1L << 16) + i * 3L;
            records[i] = i;
        }
        final RecordIndex index = RecordIndex.forSize((1L << 24) - 1);
        // warm the code paths on another page, so that the measured call counts only its own allocation
        final long[] other = {5L << 16, (5L << 16) + 1};
        index.putAll(other, new int[] {1, 2}, 2);
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        index.putAll(offsets, records, n);
        final long bytes = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(bytes < 300 * 1024, bytes + " bytes allocated for one page");
        for (int i = 0; i < n; i++)
        {
            assertEquals(i, index.get(offsets[i]));
        }
    }
}
