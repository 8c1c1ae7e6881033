package io.ipam.tools;

import java.nio.file.Path;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a command finds its allocator: {@code --store DIR} (a durable store this process opens and locks), a running
 * server ({@link ServerOption}: {@code --server HOST:PORT} with its token and TLS options) or a cluster
 * ({@link ClusterOption}: {@code --cluster HOST:PORT,...}). Exactly one of the three. A picocli mixin.
 */
public final class StoreOption
{
    @Option(names = "--store", paramLabel = "DIR", description = "store directory")
    Path store;

    @Mixin
    ServerOption server;

    @Mixin
    ClusterOption cluster;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * @return true if any of {@code --store}, {@code --server} and {@code --cluster} was given.
     */
    boolean given()
    {
        return store != null || server.given() || cluster.given();
    }

    /**
     * @return true if the allocator is a cluster's.
     */
    boolean isCluster()
    {
        return cluster.given();
    }

    /**
     * @return what was given, for messages: the store directory, the server or the cluster's members.
     */
    String name()
    {
        return store != null ? store.toString() : server.given() ? server.target() : cluster.cluster;
    }

    /**
     * @return the allocator: the opened store (which must exist), or a client of the server or of the cluster; the
     *     caller closes it.
     */
    Ipam open()
    {
        return open(false);
    }

    /**
     * @return the allocator, creating the store when the directory holds none ({@code subnet create} only).
     */
    Ipam openOrCreate()
    {
        return open(true);
    }

    private Ipam open(final boolean create)
    {
        if ((store == null ? 0 : 1) + (server.given() ? 1 : 0) + (cluster.given() ? 1 : 0) != 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "give exactly one of --store DIR, --server HOST:PORT and " +
                "--cluster HOST:PORT,...");
        }
        server.checkAlone();
        if (cluster.given())
        {
            return cluster.connect();
        }
        if (store != null)
        {
            return create ? IpamTool.openOrCreateStore(store) : IpamTool.openStore(store);
        }
        return server.connect(mixee.commandLine().getErr());
    }

}
