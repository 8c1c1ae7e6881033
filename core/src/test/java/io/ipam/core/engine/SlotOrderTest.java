package io.ipam.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SlotOrder#sort}: the keys come back with their values, each once, grouped by the table region of their
 * home slot in ascending order (what makes a bulk insert walk the table front to back).
 */
class SlotOrderTest
{
    @Test
    void shouldGroupKeysByRegionKeepingTheirValues()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final int n = 100_000;
        final int mask = (1 << 18) - 1;
        final long[] keys = new long[n];
        final int[] ints = new int[n];
        final long[] longs = new long[n];
        final Map<Long, Integer> model = new HashMap<>();
        for (int i = 0; i < n; i++)
        {
            long k;
            do
            {
                k = random.nextLong();
            }
            while (model.containsKey(k));
            keys[i] = k;
            ints[i] = i;
            longs[i] = ~k;
            model.put(k, i);
        }
        final long[] sortedKeys = new long[n];
        final int[] sortedInts = new int[n];
        final long[] keysAgain = new long[n];
        final long[] sortedLongs = new long[n];
        SlotOrder.sort(keys, ints, n, mask, sortedKeys, sortedInts);
        SlotOrder.sort(keys, longs, n, mask, keysAgain, sortedLongs);
        assertArrayEquals(sortedKeys, keysAgain, "the same order whatever the values");
        final int shift = SlotOrder.shift(mask);
        assertEquals(6, shift, "2^18 slots in 2^12 regions");
        int region = -1;
        for (int i = 0; i < n; i++)
        {
            final int r = (SlotOrder.hash(sortedKeys[i]) & mask) >>> shift;
            assertTrue(r >= region, "regions ascend at " + i);
            region = r;
            assertEquals(model.remove(sortedKeys[i]), sortedInts[i], "the int value stays with its key");
            assertEquals(~sortedKeys[i], sortedLongs[i], "the long value stays with its key");
        }
        assertTrue(model.isEmpty(), "every key once");
    }
}
