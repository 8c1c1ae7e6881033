package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Linearizability of the facade: many small concurrent histories (3 threads x 4 operations on a 4-address
 * LOWEST subnet) are recorded with invocation and response times, and a Wing-Gong search looks for an order
 * that respects real time and that a sequential allocator (the lock-serialised engine) reproduces exactly.
 * Lincheck's model checker cannot drive the agent's own thread, so histories are checked instead.
 */
class LinearizabilityTest
{
    private static final int HISTORIES = Integer.getInteger("ipam.lin.histories", 1500);
    private static final int THREADS = 3;
    private static final int OPS = 4;

    /** One completed operation: what, by whom, when, and what it returned. */
    private static final class Op
    {
        final int thread;
        final int kind;        // 0 allocate, 1 release, 2 owner
        final String address;  // for release / owner
        long invoked;
        long responded;
        String result;

        Op(final int thread, final int kind, final String address)
        {
            this.thread = thread;
            this.kind = kind;
            this.address = address;
        }
    }

    private static String run(final Ipam ipam, final Op op)
    {
        try
        {
            switch (op.kind)
            {
                case 0:
                    return ipam.allocate("s", new UUID(0, op.thread));
                case 1:
                    return Boolean.toString(ipam.release("s", op.address));
                default:
                    return ipam.owner("s", op.address).map(UUID::toString).orElse("free");
            }
        }
        catch (final IpamException ex)
        {
            return ex.code().name();
        }
    }

    private static Ipam fresh(final boolean dedicated)
    {
        final IpamConfig config = IpamConfig.defaults();
        final Ipam ipam = Ipam.inMemory(dedicated ? config.toBuilder().writerMode(io.ipam.core.WriterMode.DEDICATED).build() : config);
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/29").strategy(AllocationStrategy.LOWEST)
            .noGateway().pool("10.0.0.1", "10.0.0.4").build());
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
                ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/29").strategy(AllocationStrategy.LOWEST)
                    .noGateway().pool("10.0.0.1", "10.0.0.4").build());
                final List<List<Op>> plan = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final List<Op> ops = new ArrayList<>();
                    for (int i = 0; i < OPS; i++)
                    {
                        final int kind = random.nextInt(10) < 5 ? 0 : random.nextInt(10) < 7 ? 1 : 2;
                        ops.add(new Op(t, kind, "10.0.0." + (1 + random.nextInt(4))));
                    }
                    plan.add(ops);
                }
                final CyclicBarrier barrier = new CyclicBarrier(THREADS);
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < THREADS; t++)
                {
                    final List<Op> ops = plan.get(t);
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
                        for (final Op op : ops)
                        {
                            op.invoked = System.nanoTime();
                            op.result = run(ipam, op);
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
                final List<Op> history = new ArrayList<>();
                plan.forEach(history::addAll);
                if (!linearizable(history, new ArrayList<>(), new boolean[history.size()]))
                {
                    final StringBuilder sb = new StringBuilder();
                    for (final Op op : history)
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
        final Op first = new Op(0, 0, null);
        first.invoked = 1;
        first.responded = 2;
        first.result = "10.0.0.1";
        final Op second = new Op(1, 0, null);
        second.invoked = 3;
        second.responded = 4;
        second.result = "10.0.0.1";
        if (linearizable(List.of(first, second), new ArrayList<>(), new boolean[2]))
        {
            fail("the checker accepted a duplicate");
        }
        // overlapping in time, the same results in the other order are fine
        second.result = "10.0.0.2";
        second.invoked = 0;
        first.result = "10.0.0.2";
        second.result = "10.0.0.1";
        if (!linearizable(List.of(first, second), new ArrayList<>(), new boolean[2]))
        {
            fail("the checker refused a valid concurrent history");
        }
    }

    /**
     * Wing-Gong: pick any operation that no pending one finished before, check it against a sequential replay
     * of the order so far, recurse.
     */
    private static boolean linearizable(final List<Op> history, final List<Op> order, final boolean[] used)
    {
        if (order.size() == history.size())
        {
            return true;
        }
        long earliestResponse = Long.MAX_VALUE;
        for (int i = 0; i < history.size(); i++)
        {
            if (!used[i])
            {
                earliestResponse = Math.min(earliestResponse, history.get(i).responded);
            }
        }
        for (int i = 0; i < history.size(); i++)
        {
            final Op op = history.get(i);
            // a candidate must have started before every other pending operation ended
            if (used[i] || op.invoked > earliestResponse)
            {
                continue;
            }
            order.add(op);
            used[i] = true;
            if (replays(order) && linearizable(history, order, used))
            {
                return true;
            }
            used[i] = false;
            order.remove(order.size() - 1);
        }
        return false;
    }

    private static boolean replays(final List<Op> order)
    {
        try (Ipam model = fresh(false))
        {
            for (final Op op : order)
            {
                if (!Objects.equals(run(model, op), op.result))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
