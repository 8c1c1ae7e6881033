package io.ipam.core.writer;

import java.util.concurrent.locks.LockSupport;

import io.ipam.core.protocol.Reply;

/**
 * How callers of the {@link WriterExecutor} wait: for their answer, and for room (a slot, the ring, the role).
 */
final class Waits
{
    /**
     * A caller waiting for its answer spins this often (a few microseconds: an answer from a running holder), then
     * yields {@link #YIELDS_BEFORE_PARK} times, then parks until the answer wakes it. Yields stay: with more callers
     * than cores, waiters that parked sooner made the holder pay an unpark per answer and cost 2-7x the CPU per pair
     * at 4 and 8 callers ({@code CallerCpuRun}, bench/results/core26-2026-12-06/cpu-ab3).
     */
    static final int SPIN_BEFORE_PARK = 100;
    static final int YIELDS_BEFORE_PARK = 200;
    /**
     * A waiting caller's longest park: its answer wakes it, and a caller-runs holder looks at the ring again after
     * giving the role back, so this only bounds a holder that left work queued (the caller then takes the role).
     */
    static final long PARK_NS = 1_000_000;

    private Waits()
    {
    }

    /**
     * One step of waiting for an answer.
     *
     * @param r     the slot whose answer is awaited.
     * @param spins steps taken so far, this one included.
     */
    static void forAnswer(final Reply r, final int spins)
    {
        if (spins < SPIN_BEFORE_PARK)
        {
            Thread.onSpinWait();
        }
        else if (spins < SPIN_BEFORE_PARK + YIELDS_BEFORE_PARK)
        {
            Thread.yield();
        }
        else
        {
            r.parkUntilAnswered(PARK_NS);
        }
    }

    /**
     * How a caller waits for room (a slot, the ring, the role): spin first, then yield (on a small
     * machine the role holder may need this core), and park only after that: a park costs tens of microseconds
     * of timer slack on Linux.
     */
    static void backOff(final int spins)
    {
        if (spins < 100)
        {
            Thread.onSpinWait();
        }
        else if (spins < 1_100)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(1_000);
        }
    }

}
