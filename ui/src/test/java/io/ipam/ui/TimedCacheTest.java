package io.ipam.ui;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The page's answers: one is kept for 50 times the writer time it took, and all of them share one budget of the
 * writer's time, so that asking many different questions cannot take more of the writer than asking one. The writer
 * times here are the ones the makers report (what the real makers measure around their queries).
 */
class TimedCacheTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    @Test
    void shouldKeepAnAnswerFiftyTimesAsLongAsItsQueriesTook()
    {
        final TimedCache<String> cache = new TimedCache<>(8, 0);
        final AtomicInteger made = new AtomicInteger();
        final TimedCache.Maker<String> slow = ns ->
        {
            ns[0] += SECOND_NS; // kept 50 s
            return "map " + made.incrementAndGet();
        };
        assertEquals("map 1", cache.get("a", slow));
        assertEquals("map 1", cache.get("a", slow), "kept");
        assertEquals(1, made.get());
    }

    @Test
    void shouldGiveKeptAnswersOnceTheWritersBudgetIsSpent()
    {
        final TimedCache<String> cache = new TimedCache<>(8, 0);
        final AtomicInteger made = new AtomicInteger();
        final TimedCache.Maker<String> cheap = ns -> "cheap " + made.incrementAndGet(); // held 0 ms: always stale
        assertEquals("cheap 1", cache.get("b", cheap));
        assertEquals("cheap 2", cache.get("b", cheap), "stale at once, and the budget is there: asked again");
        // one question takes 10 s of the writer's time: the budget (refilling at 1/50) is spent for 500 s
        assertEquals("slow", cache.get("a", ns ->
        {
            ns[0] += 10 * SECOND_NS;
            return "slow";
        }));
        assertEquals("cheap 2", cache.get("b", cheap), "stale, but the budget is spent: the kept answer");
        assertEquals("cheap 3", cache.get("c", cheap), "a question never answered is asked regardless");
        assertEquals("cheap 3", cache.get("c", cheap));
        assertEquals(3, made.get());
        assertEquals(4, cache.made());
        assertEquals(10 * SECOND_NS, cache.writerNanos());
    }
}
