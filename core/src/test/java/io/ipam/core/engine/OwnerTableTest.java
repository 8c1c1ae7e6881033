package io.ipam.core.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                table.count(got, 1); // as the engine does: an owner interned gets its record at once
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
                table.count(id, 0); // its last record released
                table.releaseIfEmpty(id);
                model.remove(owner);
            }
            if (op % 1000 == 0)
            {
                for (final Map.Entry<Long, Integer> e : model.entrySet())
                {
                    assertEquals((int)e.getValue(), table.find(e.getKey() % 7, e.getKey()), "owner " + e.getKey());
                }
                // owners left with nothing stay until a new owner sweeps them: never more than are queued
                assertTrue(table.size() >= model.size() && table.size() <= model.size() + table.pending(),
                    table.size() + " interned, " + model.size() + " holding, " + table.pending() + " queued");
            }
        }
        for (final Map.Entry<Long, Integer> e : model.entrySet())
        {
            assertEquals((int)e.getValue(), table.find(e.getKey() % 7, e.getKey()));
        }
        assertEquals(OwnerTable.NONE, table.find(99, 123_456_789L));
    }

    @Test
    void anOwnerThatAllocatesAndReleasesAgainIsInternedOnceAndANewOwnerSweepsItAway()
    {
        final OwnerTable table = new OwnerTable();
        final int a = table.acquire(1, 1);
        for (int i = 0; i < 1000; i++)
        {
            table.count(a, 1);
            table.count(a, 0);
            table.releaseIfEmpty(a);
            assertEquals(a, table.acquire(1, 1), "still interned: the same id");
        }
        assertEquals(1, table.pending(), "queued once");
        table.releaseIfEmpty(a);
        final int b = table.acquire(2, 2); // sweeps a, which holds nothing
        assertEquals(OwnerTable.NONE, table.find(1, 1));
        assertEquals(a, b, "the forgotten owner's id is recycled");
        assertEquals(b, table.find(2, 2));
        assertEquals(1, table.size());
        assertEquals(0, table.pending());
    }
}
