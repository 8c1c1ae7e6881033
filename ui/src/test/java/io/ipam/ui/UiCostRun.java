package io.ipam.ui;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetMap;
import io.ipam.core.SubnetSpec;
import io.ipam.core.access.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What the page costs on a /8 holding 10 million allocations (issue 27, item 5), printed, not asserted (timings are
 * never asserted): the map query on the writer (median of repeated calls), the page's answer (JSON with the SVG) and
 * its size, and allocate+release pairs per second in the /8 on one thread, alone and with an open page's worst case
 * (the page's own code: its change feed watched, and the /8's map asked every 150 ms through the page's answers,
 * since every change names the subnet shown), alternating. Run with {@code ui/cost} ({@code -Dipam.ui.cost=true});
 * fits the tests' 2 GiB heap.
 */
@EnabledIfSystemProperty(named = "ipam.ui.cost", matches = "true")
class UiCostRun
{
    private static final int ALLOCATIONS = Integer.getInteger("ipam.ui.cost.allocations", 10_000_000);
    private static final int ROUNDS = Integer.getInteger("ipam.ui.cost.rounds", 5);
    private static final UUID OWNER = new UUID(1, 2);
    private static final AtomicLong MAP_QUERIES = new AtomicLong();
    /** The page's calls to the allocator: per method, how many and their time in nanoseconds. */
    private static final Map<String, long[]> CALLS = new ConcurrentHashMap<>();

    @Test
    void shouldPrintTheCosts() throws Exception
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxAllocations(ALLOCATIONS + 1_000_000L).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").build());
            final long fillStart = System.nanoTime();
            final int bulk = 65_536;
            final int leasedBulks = ALLOCATIONS / bulk / 10; // a tenth with leases
            for (int done = 0, b = 0; done < ALLOCATIONS; done += bulk, b++)
            {
                final int n = Math.min(bulk, ALLOCATIONS - done);
                ipam.allocateBulk("big", OWNER, n, b < leasedBulks ?
                    AllocationOptions.builder().lease(Duration.ofDays(1)).build() : AllocationOptions.none());
            }
            System.out.printf("# filled /8 with %,d allocations (%,d leased) in %.1f s%n", ALLOCATIONS,
                (long)leasedBulks * bulk, (System.nanoTime() - fillStart) / 1e9);

            final long[] mapNs = new long[21];
            for (int i = 0; i < mapNs.length; i++)
            {
                final long t = System.nanoTime();
                final SubnetMap m = ipam.subnetMap("big", null, 12);
                mapNs[i] = System.nanoTime() - t;
                if (m.cells() != 4096)
                {
                    throw new AssertionError("cells " + m.cells());
                }
            }
            Arrays.sort(mapNs);
            final long[] pageNs = new long[11];
            int bytes = 0;
            for (int i = 0; i < pageNs.length; i++)
            {
                final long t = System.nanoTime();
                bytes = UiApi.map(ipam.subnetMap("big", null, UiApi.PAGE_CELL_BITS)).length;
                pageNs[i] = System.nanoTime() - t;
            }
            Arrays.sort(pageNs);
            System.out.printf("# SUBNET_MAP of the /8, 4,096 cells: median %.2f ms (min %.2f, max %.2f)%n",
                mapNs[10] / 1e6, mapNs[0] / 1e6, mapNs[20] / 1e6);
            System.out.printf("# the page's map answer (query + SVG + JSON): median %.2f ms, %,d bytes%n",
                pageNs[5] / 1e6, bytes);

            // allocation throughput on one thread, alone and with a page open on the /8, alternating
            final double[] alone = new double[ROUNDS];
            final double[] withPage = new double[ROUNDS];
            final long[] maps = new long[1];
            for (int round = 0; round < ROUNDS; round++)
            {
                alone[round] = pairs(ipam, false, maps);
                withPage[round] = pairs(ipam, true, maps);
                System.out.printf("# round %d: %,.0f pairs/s alone, %,.0f with the page (%.1f%%)%n", round,
                    alone[round], withPage[round], 100.0 * (withPage[round] - alone[round]) / alone[round]);
            }
            Arrays.sort(alone);
            Arrays.sort(withPage);
            System.out.printf("# median of %d rounds: %,.0f pairs/s alone, %,.0f with the page (%.1f%%); the page " +
                "asked %,d maps, the writer answered %,d of them%n", ROUNDS, alone[ROUNDS / 2], withPage[ROUNDS / 2],
                100.0 * (withPage[ROUNDS / 2] - alone[ROUNDS / 2]) / alone[ROUNDS / 2], maps[0], MAP_QUERIES.get());
            for (final Map.Entry<String, long[]> e : new TreeMap<>(CALLS).entrySet())
            {
                System.out.printf("# the page's %s calls: %,d, %.1f ms in all (%d rounds of 3 s with the page)%n",
                    e.getKey(), e.getValue()[0], e.getValue()[1] / 1e6, ROUNDS);
            }
        }
    }

    private static double pairs(final Ipam ipam, final boolean page, final long[] maps) throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Ipam counted = counting(ipam);
        final UiApi api = new UiApi(new Access(counted, null));
        final Thread viewer = new Thread(() ->
        {
            final FeedHub.Watcher feed = api.hub(Principal.ADMIN).watch();
            try
            {
                while (!stop.get())
                {
                    // what the page does at its fastest: read the feed, ask the map of the subnet the changes name
                    while (feed.queue.poll() != null)
                    {
                        continue;
                    }
                    api.answer("map", Principal.ADMIN, Map.of("subnet", "big"));
                    maps[0]++;
                    Thread.sleep(150);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            finally
            {
                feed.close();
            }
        }, "page");
        if (page)
        {
            viewer.start();
        }
        final long end = System.nanoTime() + 3_000_000_000L;
        long n = 0;
        final long start = System.nanoTime();
        while (System.nanoTime() < end)
        {
            ipam.release("big", ipam.allocate("big", OWNER));
            n++;
        }
        final double rate = n / ((System.nanoTime() - start) / 1e9);
        stop.set(true);
        viewer.interrupt();
        if (page)
        {
            viewer.join();
        }
        api.close();
        return rate;
    }

    /** The allocator, counting the map queries that reach it (the rest are the page's kept answers). */
    private static Ipam counting(final Ipam ipam)
    {
        return (Ipam)Proxy.newProxyInstance(Ipam.class.getClassLoader(), new Class<?>[] {Ipam.class},
            (proxy, method, args) ->
            {
                if (method.getName().equals("subnetMap"))
                {
                    MAP_QUERIES.incrementAndGet();
                }
                final long t = System.nanoTime();
                try
                {
                    return method.invoke(ipam, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
                finally
                {
                    CALLS.computeIfAbsent(method.getName(), k -> new long[2]);
                    synchronized (CALLS)
                    {
                        final long[] c = CALLS.get(method.getName());
                        c[0]++;
                        c[1] += System.nanoTime() - t;
                    }
                }
            });
    }
}
