package io.ipam.core.internal;

import java.util.function.Function;

import io.ipam.core.engine.AllocatorEngine;

/**
 * How the facade reaches the single writer: a lock in the simplest form, a ring buffer and an allocator agent
 * in the pipelined form. Implementations run every call on exactly one engine-owning thread at a time.
 */
public interface EngineExecutor extends AutoCloseable
{
    /**
     * Run a hot-path request and fill its reply fields.
     *
     * @param request the request (its reply fields are written before this returns).
     */
    void execute(HotRequest request);

    /**
     * Run an arbitrary command against the engine (administrative work, bulk, ports, listings, snapshots).
     * An {@link io.ipam.core.IpamException} thrown by the command reaches the caller unchanged.
     *
     * @param command the command.
     * @param <T>     its result type.
     * @return its result.
     */
    <T> T call(Function<AllocatorEngine, T> command);

    /**
     * Run a command without waiting for it. This default runs it now and returns a completed future; the
     * pipelined executor completes the future from a completion thread once the writer has served it.
     *
     * @param command the command.
     * @param <T>     its result type.
     * @return the result, or the exception it threw.
     */
    default <T> java.util.concurrent.CompletableFuture<T> submit(final Function<AllocatorEngine, T> command)
    {
        try
        {
            return java.util.concurrent.CompletableFuture.completedFuture(call(command));
        }
        catch (final RuntimeException ex)
        {
            return java.util.concurrent.CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Stop serving: later calls fail with {@code CLOSED}; calls in flight are answered or fail with it.
     */
    @Override
    void close();
}
