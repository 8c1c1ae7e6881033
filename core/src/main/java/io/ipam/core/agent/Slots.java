package io.ipam.core.agent;

import java.util.function.Function;

import io.ipam.core.engine.AllocatorEngine;

/**
 * Reply slots for commands and batches: pooled, reused, completed by the writer with a volatile store of the
 * correlation id (the release that publishes the reply fields).
 */
public final class Slots
{
    private Slots()
    {
    }

    /**
     * A command and its outcome.
     */
    public static final class CommandSlot
    {
        /** Index in the pool. */
        public final int index;
        /** The command to run on the writer. */
        public Function<AllocatorEngine, ?> command;
        /** Its result. */
        public Object result;
        /** Or what it threw. */
        public RuntimeException error;
        /** Correlation id of the request. */
        public long correlationId;
        /** Set to {@link #correlationId} by the writer when done; -1 before first use (ids start at 0). */
        public volatile long completed = -1;

        CommandSlot(final int index)
        {
            this.index = index;
        }
    }

    /**
     * Results of a batch.
     */
    public static final class BatchSlot
    {
        /** Index in the pool. */
        public final int index;
        /** Result code per request. */
        public int[] results = new int[64];
        /** Address chosen per request (allocations). */
        public long[] addresses = new long[64];
        /** Correlation id of the request. */
        public long correlationId;
        /** Set to {@link #correlationId} by the writer when done; -1 before first use. */
        public volatile long completed = -1;

        BatchSlot(final int index)
        {
            this.index = index;
        }

        void ensure(final int n)
        {
            if (results.length < n)
            {
                results = new int[n];
                addresses = new long[n];
            }
        }
    }
}
