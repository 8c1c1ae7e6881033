package io.ipam.ui.map;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The curve visits every cell once, steps to a neighbour each time, its inverse is its inverse, and its first half
 * fills the left half of the square (how odd cell counts are drawn).
 */
class HilbertTest
{
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 16, 64, 256})
    void shouldBeAWalkOverEveryCell(final int side)
    {
        final Set<Integer> seen = new HashSet<>();
        int[] before = null;
        for (int d = 0; d < side * side; d++)
        {
            final int[] xy = Hilbert.d2xy(side, d);
            assertTrue(seen.add(xy[1] * side + xy[0]), "cell visited twice");
            assertEquals(d, Hilbert.xy2d(side, xy[0], xy[1]));
            if (before != null)
            {
                assertEquals(1, Math.abs(xy[0] - before[0]) + Math.abs(xy[1] - before[1]), "step " + d);
            }
            if (d < side * side / 2)
            {
                assertTrue(xy[0] < Math.max(1, side / 2), "first half in the left half");
            }
            before = xy;
        }
        assertEquals(side * side, seen.size());
    }
}
