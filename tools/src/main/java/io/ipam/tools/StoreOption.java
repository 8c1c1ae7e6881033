package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

import io.ipam.client.GrpcIpam;
import io.ipam.cluster.ClusterIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where a command finds its allocator: {@code --store DIR} (a durable store this process opens and locks) or
 * {@code --server HOST:PORT} (a running {@code ipam serve}, with {@code --token-file FILE}, the {@code IPAM_TOKEN}
 * environment variable or {@code --token T} (which warns: see {@link TokenSource}), and {@code --tls-ca FILE} for
 * TLS) or {@code --cluster HOST:PORT,...} (the members of an
 * ipam cluster, docs/cluster.md). Exactly one of the three.
 */
public final class StoreOption
{
    /** Environment variable read for the bearer token when {@code --token} is not given. */
    public static final String TOKEN_ENV = TokenSource.TOKEN_ENV;

    @Option(names = "--store", paramLabel = "DIR", description = "store directory")
    Path store;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "a running 'ipam serve' instead of a store")
    String server;

    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
        description = "the members of an ipam cluster (their --members list) instead of a store")
    String cluster;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "bearer token for --server; visible to other users (ps): prefer --token-file or IPAM_TOKEN")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "file (mode 0600) whose first line is the bearer token for --server (default: IPAM_TOKEN)")
    Path tokenFile;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee; // null when made by hand (MapCommand)

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
            if (token != null || tokenFile != null || tlsCa != null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--token, --token-file and --tls-ca go with --server");
            }
            return ClusterIpam.connect(new ClusterIpam.Context()
                .members(List.of(cluster.split(","))));
        }
        if (store != null)
        {
            if (token != null || tokenFile != null || tlsCa != null)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--token, --token-file and --tls-ca go with --server");
            }
            return create ? IpamTool.openOrCreateStore(store) : IpamTool.openStore(store);
        }
        final PrintWriter err = mixee != null ? mixee.commandLine().getErr() : new PrintWriter(System.err, true);
        final GrpcIpam.Builder b = GrpcIpam.builder(server).token(TokenSource.resolve(token, tokenFile, err));
        if (tlsCa != null)
        {
            b.tls(tlsCa);
        }
        return b.build();
    }
}
