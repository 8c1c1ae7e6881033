package io.ipam.core.internal;

import java.nio.file.Path;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.core.writer.Store;
import io.ipam.core.writer.WriterExecutor;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Puts facades together: over a local writer (in memory, from a snapshot, over a recovered engine and a store) or
 * over a transport to a writer elsewhere. Other modules reach these through {@code io.ipam.core.assembly.Allocators}.
 */
public final class Facades
{
    private Facades()
    {
    }

    /**
     * Agrona reaches {@code jdk.internal.misc.Unsafe}; without the JVM flag that opens it, the first Agrona class
     * fails with an {@code IllegalAccessError} from deep inside. Say what to do instead, once, up front.
     */
    private static void requireAgrona()
    {
        try
        {
            new UnsafeBuffer(new byte[8]).getLong(0);
        }
        catch (final IllegalAccessError | ExceptionInInitializerError | NoClassDefFoundError ex)
        {
            throw new IpamException(ErrorCode.INTERNAL, "ipam needs the JVM flag " +
                "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED (Agrona reaches jdk.internal.misc.Unsafe): " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @param config settings.
     * @return an in-memory allocator.
     */
    public static EngineIpam inMemory(final IpamConfig config)
    {
        return over(config, memoryEngine(config), null);
    }

    private static AllocatorEngine memoryEngine(final IpamConfig config)
    {
        return newEngine(config, config.maxAllocations()).capacityCode(ErrorCode.LIMIT_EXCEEDED);
    }

    /**
     * An allocator over an engine already filled (restored, recovered), with a store plugged in.
     *
     * @param config settings.
     * @param engine the engine, owned by the allocator from now on.
     * @param store  the store, or null for memory only; closed with the allocator.
     * @return the allocator.
     */
    public static EngineIpam over(final IpamConfig config, final AllocatorEngine engine, final Store store)
    {
        requireAgrona();
        final WriterExecutor writer = new WriterExecutor(engine, config, store);
        final EngineIpam ipam = new EngineIpam(config, writer, writer, store);
        if (engine.lifecycle().hasState())
        {
            ipam.startTicker();
        }
        return ipam;
    }

    /**
     * A facade whose commands are applied elsewhere: it validates, encodes and decodes exactly as the local one,
     * and hands every command to the transport (a replicated log's client). {@link #snapshot} sends
     * {@code CAPTURE}, which the transport's writer must answer itself or refuse.
     *
     * @param config    settings (request timeout, limits checked at the edge, clock for the command time).
     * @param transport carries commands and answers; closed with the facade.
     * @return the facade.
     */
    public static EngineIpam remote(final IpamConfig config, final CommandTransport transport)
    {
        requireAgrona();
        return new EngineIpam(config, transport, null, null);
    }

    /**
     * @param config     settings.
     * @param maxEntries allocations the engine may hold.
     * @return an empty engine with the configured random source and bulk limit.
     */
    public static AllocatorEngine newEngine(final IpamConfig config, final long maxEntries)
    {
        final AllocatorEngine engine = new AllocatorEngine(config.randomSource().get(), config.maxBulk(), maxEntries);
        // keys are bounded like allocations (each held key has an allocation, each idle one its retention), and in
        // the bytes their kept answers hold
        engine.lifecycle().keyPolicy(config.requestKeyRetention().toMillis(), config.maxAllocations(),
            config.maxRequestKeyBytes());
        return engine;
    }

    /**
     * @param snapshot snapshot file.
     * @param config   settings.
     * @return an in-memory allocator holding the snapshot's state.
     */
    public static Ipam fromSnapshot(final Path snapshot, final IpamConfig config)
    {
        final SnapshotData data = SnapshotCodec.read(snapshot);
        final AllocatorEngine engine = memoryEngine(config);
        data.restoreInto(engine);
        return over(config, engine, null);
    }
}
