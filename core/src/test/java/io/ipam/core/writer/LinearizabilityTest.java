package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.WriterMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Linearizability of the facade: many small concurrent histories (3 threads x 4 operations on a 4-address
 * LOWEST subnet) are recorded with invocation and response times, and a Wing-Gong search looks for an order
 * that respects real time and that a sequential allocator reproduces exactly ({@link Linearizability}, shared
 * with the cluster's failure test).
 * Lincheck's model checker cannot drive the agent's own thread, so histories are checked instead.
 */
class LinearizabilityTest
{
    private static final int HISTORIES = Integer.getInteger("ipam.lin.histories", 1500);
    private static final int THREADS = 3;
    private static final int OPS = 4;

    private static Ipam fresh(final boolean dedicated)
    {
        final IpamConfig config = IpamConfig.defaults();
        final Ipam ipam = Ipam.inMemory(dedicated ? config.toBuilder().writerMode(WriterMode.DEDICATED).build() :
            config);
        ipam.createSubnet(Linearizability.subnet());
        return ipam;
    }

    @Test
    void shouldBeLinearizable() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(2026);
        try (Ipam ipam = fresh(true))
        {
            for (int h = 0; h < HISTORIES; h++)
            {
                ipam.deleteSubnet("s", true);
                ipam.createSubnet(Linearizability.subnet());
                final List<List<Linearizability.Op>> plan = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final List<Linearizability.Op> ops = new ArrayList<>();
                    for (int i = 0; i < OPS; i++)
                    {
                        final int kind = random.nextInt(10) < 5 ? 0 : random.nextInt(10) < 7 ? 1 : 2;
                        ops.add(new Linearizability.Op(t, kind, "10.0.0." + (1 + random.nextInt(4))));
                    }
                    plan.add(ops);
                }
                final CyclicBarrier barrier = new CyclicBarrier(THREADS);
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final List<Linearizability.Op> ops = plan.get(t);
                    final Thread thread = new Thread(() ->
                    {
                        try
                        {
                            barrier.await();
                        }
                        catch (final Exception ex)
                        {
                            throw new IllegalStateException(ex);
                        }
                        for (final Linearizability.Op op : ops)
                        {
                            op.invoked = System.nanoTime();
                            op.result = Linearizability.run(ipam, op);
                            op.responded = System.nanoTime();
                        }
                    });
                    threads.add(thread);
                    thread.start();
                }
                for (final Thread thread : threads)
                {
                    thread.join();
                }
                final List<Linearizability.Op> history = new ArrayList<>();
                plan.forEach(history::addAll);
                if (!Linearizability.check(history))
                {
                    final StringBuilder sb = new StringBuilder();
                    for (final Linearizability.Op op : history)
                    {
                        sb.append("\n  t").append(op.thread).append(' ').append(op.kind).append(' ')
                            .append(op.address).append(" -> ").append(op.result)
                            .append(" [").append(op.invoked).append(", ").append(op.responded).append(']');
                    }
                    fail("history " + h + " is not linearizable:" + sb);
                }
            }
        }
    }

    @Test
    void shouldRejectAHistoryNoOrderExplains()
    {
        // two allocations, one after the other in real time, both given the lowest address: impossible
        final Linearizability.Op first = new Linearizability.Op(0, 0, null);
        first.invoked = 1;
        first.responded = 2;
        first.result = "10.0.0.1";
        final Linearizability.Op second = new Linearizability.Op(1, 0, null);
        second.invoked = 3;
        second.responded = 4;
        second.result = "10.0.0.1";
        if (Linearizability.check(List.of(first, second)))
        {
            fail("the checker accepted a duplicate");
        }
        // overlapping in time, the same results in the other order are fine
        second.result = "10.0.0.2";
        second.invoked = 0;
        first.result = "10.0.0.2";
        second.result = "10.0.0.1";
        if (!Linearizability.check(List.of(first, second)))
        {
            fail("the checker refused a valid concurrent history");
        }
    }
}
