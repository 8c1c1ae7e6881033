package io.ipam.tools;

import java.nio.file.Path;
import java.util.List;

import io.ipam.client.GrpcIpam;
import io.ipam.cluster.ClusterIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import picocli.CommandLine.Option;

/**
 * Where a command finds its allocator: {@code --store DIR} (a durable store this process opens and locks) or
 * {@code --server HOST:PORT} (a running {@code ipam serve}, with {@code --token T} or the {@code IPAM_TOKEN}
 * environment variable, and {@code --tls-ca FILE} for TLS) or {@code --cluster HOST:PORT,...} (the members of an
 * ipam cluster, docs/cluster.md). Exactly one of the three.
 */
public final class StoreOption
{
    /** Environment variable read for the bearer token when {@code --token} is not given. */
    public static final String TOKEN_ENV = "IPAM_TOKEN";

    @Option(names = "--store", paramLabel = "DIR", description = "store directory")
    Path store;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "a running 'ipam serve' instead of a store")
    String server;

    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
        description = "the members of an ipam cluster (their --members list) instead of a store")
    String cluster;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "bearer token for --server (default: the IPAM_TOKEN environment variable)")
    String token;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "connect to --server with TLS, trusting these CAs")
    Path tlsCa;

    /**
     * @return the allocator: the opened store (which must exist) or a client of the server; the caller closes it.
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
        if ((store == null ? 0 : 1) + (server == null ? 0 : 1) + (cluster == null ? 0 : 1) != 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "give exactly one of --store DIR, --server HOST:PORT and " +
                "--cluster HOST:PORT,...");
        }
        if (cluster != null)
        {
            if (token != null || tlsCa != null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--token and --tls-ca go with --server");
            }
            return ClusterIpam.connect(new ClusterIpam.Context()
                .members(List.of(cluster.split(","))));
        }
        if (store != null)
        {
            if (token != null || tlsCa != null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--token and --tls-ca go with --server");
            }
            return create ? IpamTool.openOrCreateStore(store) : IpamTool.openStore(store);
        }
        final String env = System.getenv(TOKEN_ENV);
        final GrpcIpam.Builder b = GrpcIpam.builder(server)
            .token(token != null ? token : env == null || env.isEmpty() ? null : env);
        if (tlsCa != null)
        {
            b.tls(tlsCa);
        }
        return b.build();
    }
}
