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
     * Stop serving: later calls fail with {@code CLOSED}; calls in flight are answered or fail with it.
     */
    @Override
    void close();
}
