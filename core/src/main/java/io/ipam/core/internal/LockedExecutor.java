package io.ipam.core.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;

/**
 * The simplest executor: one lock around the engine. The caller's thread is the writer while it holds the
 * lock. Used as the baseline in benchmarks and by embedders that want no extra thread.
 */
public final class LockedExecutor implements EngineExecutor
{
    private final AllocatorEngine engine;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;

    /**
     * @param engine the engine, owned by this executor from now on.
     */
    public LockedExecutor(final AllocatorEngine engine)
    {
        this.engine = engine;
    }

    @Override
    public void execute(final HotRequest request)
    {
        lock.lock();
        try
        {
            checkOpen();
            HotPath.apply(engine, request);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public <T> T call(final Function<AllocatorEngine, T> command)
    {
        lock.lock();
        try
        {
            checkOpen();
            return command.apply(engine);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    @Override
    public void close()
    {
        lock.lock();
        try
        {
            closed = true;
        }
        finally
        {
            lock.unlock();
        }
    }
}
