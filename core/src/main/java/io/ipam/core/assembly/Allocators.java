package io.ipam.core.assembly;

import java.nio.file.Path;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.Facades;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.writer.Store;

/**
 * The public ways to put an allocator together, for modules that plug into core: an engine made from a config, an
 * allocator over an engine (restored, recovered) and a {@link Store}, or a facade whose commands a
 * {@link CommandTransport} carries to a writer elsewhere (a replicated log). Embedders use {@link Ipam#inMemory}
 * and the persistence module's {@code DurableIpam} instead.
 */
public final class Allocators
{
    private Allocators()
    {
    }

    /**
     * @param config settings.
     * @return an in-memory allocator.
     */
    public static Ipam inMemory(final IpamConfig config)
    {
        return Facades.inMemory(nonNull(config, "config"));
    }

    /**
     * @param snapshot snapshot file.
     * @param config   settings.
     * @return an in-memory allocator holding the snapshot's state.
     */
    public static Ipam fromSnapshot(final Path snapshot, final IpamConfig config)
    {
        return Facades.fromSnapshot(nonNull(snapshot, "snapshot"), nonNull(config, "config"));
    }

    /**
     * An allocator over an engine already filled (restored, recovered), with a store plugged in.
     *
     * @param config settings.
     * @param engine the engine, owned by the allocator from now on.
     * @param store  the store, or null for memory only; closed with the allocator.
     * @return the allocator.
     */
    public static Ipam over(final IpamConfig config, final AllocatorEngine engine, final Store store)
    {
        return Facades.over(config, engine, store);
    }

    /**
     * A facade whose commands are applied elsewhere: it validates, encodes and decodes exactly as the local one,
     * and hands every command to the transport.
     *
     * @param config    settings (request timeout, limits checked at the edge, clock for the command time).
     * @param transport carries commands and answers; closed with the facade.
     * @return the facade.
     */
    public static Ipam remote(final IpamConfig config, final CommandTransport transport)
    {
        return Facades.remote(config, transport);
    }

    /**
     * @param config     settings (random source, bulk limit, request key policy).
     * @param maxEntries allocations and prefix children the engine may hold ({@code STORE_FULL} beyond).
     * @return an empty engine.
     */
    public static AllocatorEngine newEngine(final IpamConfig config, final long maxEntries)
    {
        return Facades.newEngine(config, maxEntries);
    }

    /**
     * @param config settings.
     * @return an empty engine bounded by {@link IpamConfig#maxAllocations()} ({@code LIMIT_EXCEEDED} beyond), as an
     * in-memory allocator's.
     */
    public static AllocatorEngine newMemoryEngine(final IpamConfig config)
    {
        return Facades.newEngine(config, config.maxAllocations()).capacityCode(ErrorCode.LIMIT_EXCEEDED);
    }

    private static <T> T nonNull(final T value, final String what)
    {
        if (value == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        return value;
    }
}
