package io.ipam.core.writer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;

/**
 * The linearizability checker of the pipeline tests, shared with the cluster's failure test: histories of allocate,
 * release and owner calls on one 4-address LOWEST subnet, recorded with invocation and response times, and a
 * Wing-Gong search for an order that respects real time and that a sequential allocator reproduces exactly.
 */
public final class Linearizability
{
    /** Operation kind: allocate. */
    public static final int ALLOCATE = 0;
    /** Operation kind: release. */
    public static final int RELEASE = 1;
    /** Operation kind: owner lookup. */
    public static final int OWNER = 2;
    /** The subnet every history runs on. */
    public static final String SUBNET = "s";

    private Linearizability()
    {
    }

    /** One completed operation: what, by whom, when, and what it returned. */
    public static final class Op
    {
        /** The thread that made it. */
        public final int thread;
        /** {@link #ALLOCATE}, {@link #RELEASE} or {@link #OWNER}. */
        public final int kind;
        /** The address for a release or an owner lookup. */
        public final String address;
        /** When it was invoked (nanoTime). */
        public long invoked;
        /** When it returned (nanoTime). */
        public long responded;
        /** What it returned: an address, a boolean, an owner, "free", or an error code's name. */
        public String result;

        /**
         * @param thread  the thread.
         * @param kind    the kind.
         * @param address the address (release, owner).
         */
        public Op(final int thread, final int kind, final String address)
        {
            this.thread = thread;
            this.kind = kind;
            this.address = address;
        }

        @Override
        public String toString()
        {
            return "t" + thread + ' ' + kind + ' ' + address + " -> " + result + " [" + invoked + ", " + responded +
                ']';
        }
    }

    /**
     * The subnet every history starts from (empty).
     *
     * @return its spec.
     */
    public static SubnetSpec subnet()
    {
        return SubnetSpec.builder(SUBNET, "10.0.0.0/29").strategy(AllocationStrategy.LOWEST).noGateway()
            .pool("10.0.0.1", "10.0.0.4").build();
    }

    /**
     * Run one operation and record its result (an error as its code's name).
     *
     * @param ipam where.
     * @param op   what.
     * @return the result.
     */
    public static String run(final Ipam ipam, final Op op)
    {
        try
        {
            switch (op.kind)
            {
                case ALLOCATE:
                    return ipam.allocate(SUBNET, new UUID(0, op.thread));
                case RELEASE:
                    return Boolean.toString(ipam.release(SUBNET, op.address));
                default:
                    return ipam.owner(SUBNET, op.address).map(UUID::toString).orElse("free");
            }
        }
        catch (final IpamException ex)
        {
            return ex.code().name();
        }
    }

    /**
     * @param history completed operations.
     * @return true if some order respecting real time is one a sequential allocator, started on an empty
     * {@link #subnet()}, answers exactly so.
     */
    public static boolean check(final List<Op> history)
    {
        return linearizable(history, new ArrayList<>(), new boolean[history.size()]);
    }

    /**
     * Wing-Gong: pick any operation that no pending one finished before, check it against a sequential replay of the
     * order so far, recurse.
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
        try (Ipam model = Ipam.inMemory(IpamConfig.defaults()))
        {
            model.createSubnet(subnet());
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
