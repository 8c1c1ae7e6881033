package io.ipam.core.writer;

import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The dedicated writer's default idle strategy: spin, then yield, then park until a caller that enqueued a
 * command wakes it ({@link #wake()}), or a millisecond at most. Unlike a timed back-off, a request that arrives
 * while the writer sleeps does not wait out the rest of the park.
 * <p>
 * Protocol: the writer announces that it sleeps, then looks at the queue once more (through the agent's next
 * duty cycle the strategy cannot see, hence the bounded park), then parks; a caller commits its command, issues
 * a full fence, and wakes the writer if it announced sleep. Either the caller sees the announcement or the writer
 * sees the command.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 2_000;
    private static final int YIELDS = 200;
    private static final long MAX_PARK_NS = 1_000_000;

    private volatile boolean sleeping;
    private volatile Thread thread;
    private int idle;

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        if (idle < SPINS)
        {
            idle++;
            Thread.onSpinWait();
        }
        else if (idle < SPINS + YIELDS)
        {
            idle++;
            Thread.yield();
        }
        else
        {
            thread = Thread.currentThread();
            sleeping = true;
            LockSupport.parkNanos(this, MAX_PARK_NS);
            sleeping = false;
        }
    }

    @Override
    public void reset()
    {
        idle = 0;
    }

    /**
     * Wake the writer if it sleeps (a caller, after committing a command and a full fence).
     */
    public void wake()
    {
        if (sleeping)
        {
            final Thread t = thread;
            if (t != null)
            {
                LockSupport.unpark(t);
            }
        }
    }

    @Override
    public String alias()
    {
        return "wakeable";
    }
}
