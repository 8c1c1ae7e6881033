package io.ipam.ui;

import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetMap;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What the page costs on a /8 holding 10 million allocations (issue 27, item 5), printed, not asserted (timings are
 * never asserted): the map query on the writer (median of repeated calls), the page's answer (JSON with the SVG) and
 * its size, and allocate+release pairs per second on one thread with and without a map asked every 200 ms (the
 * fastest the page asks). Run with {@code ui/cost} ({@code -Dipam.ui.cost=true}); fits the tests' 2 GiB heap.
 */
@EnabledIfSystemProperty(named = "ipam.ui.cost", matches = "true")
class UiCostRun
{
    private static final int ALLOCATIONS = Integer.getInteger("ipam.ui.cost.allocations", 10_000_000);
    private static final UUID OWNER = new UUID(1, 2);

    @Test
    void shouldPrintTheCosts() throws Exception
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().maxAllocations(ALLOCATIONS + 1_000_000L).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("big", "10.0.0.0/8").build());
            ipam.createSubnet(SubnetSpec.builder("hot", "192.168.0.0/16").strategy(AllocationStrategy.RANDOM)
                .build());
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

            // allocation throughput on one thread, alone and with a map of the /8 every 200 ms, alternating
            for (int round = 0; round < 3; round++)
            {
                final double alone = pairs(ipam, false);
                final double withPage = pairs(ipam, true);
                System.out.printf("# round %d: %,.0f pairs/s alone, %,.0f with a map every 200 ms (%.1f%%)%n", round,
                    alone, withPage, 100.0 * (withPage - alone) / alone);
            }
        }
    }

    private static double pairs(final Ipam ipam, final boolean page) throws InterruptedException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread viewer = new Thread(() ->
        {
            while (!stop.get())
            {
                ipam.subnetMap("big", null, UiApi.PAGE_CELL_BITS);
                try
                {
                    Thread.sleep(200);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        });
        if (page)
        {
            viewer.start();
        }
        final long end = System.nanoTime() + 3_000_000_000L;
        long n = 0;
        final long start = System.nanoTime();
        while (System.nanoTime() < end)
        {
            ipam.release("hot", ipam.allocate("hot", OWNER));
            n++;
        }
        final double rate = n / ((System.nanoTime() - start) / 1e9);
        stop.set(true);
        viewer.interrupt();
        viewer.join();
        return rate;
    }
}
