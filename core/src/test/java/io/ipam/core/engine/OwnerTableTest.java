package io.ipam.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Interning and forgetting owners (open addressing with backward-shift deletion and remembered slots) against
 * a HashMap, through growth and heavy churn: every live owner stays findable under its id.
 */
class OwnerTableTest
{
    @Test
    void shouldAgreeWithAHashMap()
    {
        final SplittableRandom r = new SplittableRandom(5);
        final OwnerTable table = new OwnerTable();
        final Map<Long, Integer> model = new HashMap<>();     // owner low bits -> id
        for (int op = 0; op < 200_000; op++)
        {
            // few high bits values and clustered low bits make collisions and long probe chains likely
            final long owner = r.nextInt(op < 100_000 ? 5_000 : 300);
            final Integer id = model.get(owner);
            if (id == null || r.nextBoolean())
            {
                final int got = table.acquire(owner % 7, owner);
                if (id != null)
                {
                    assertEquals((int)id, got, "an interned owner keeps its id");
                }
                else
                {
                    assertNotEquals(OwnerTable.NONE, got);
                    model.put(owner, got);
                }
            }
            else
            {
                table.releaseIfEmpty(id);
                model.remove(owner);
            }
            if (op % 1000 == 0)
            {
                for (final Map.Entry<Long, Integer> e : model.entrySet())
                {
                    assertEquals((int)e.getValue(), table.find(e.getKey() % 7, e.getKey()), "owner " + e.getKey());
                }
                assertEquals(model.size(), table.size());
            }
        }
        for (final Map.Entry<Long, Integer> e : model.entrySet())
        {
            assertEquals((int)e.getValue(), table.find(e.getKey() % 7, e.getKey()));
        }
        assertEquals(OwnerTable.NONE, table.find(99, 123_456_789L));
    }
}
