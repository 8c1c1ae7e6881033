package io.ipam.tools;

import java.nio.file.Path;
import java.util.List;

import io.ipam.cluster.ClusterIpam;
import picocli.CommandLine.Option;

/**
 * A running ipam cluster: {@code --cluster HOST:PORT,...}, its members (their {@code --members} list,
 * docs/cluster.md). A picocli mixin: every command that talks to a cluster takes the option from here
 * ({@link StoreOption} includes it).
 */
public final class ClusterOption
{
    @Option(names = "--cluster", paramLabel = "HOST:PORT,...",
        description = "the members of an ipam cluster (their --members list)")
    String cluster;

    @Option(names = "--cluster-token-file", paramLabel = "FILE",
        description = "the token for --cluster (a private file; default: IPAM_TOKEN), when the members have --tokens")
    Path tokenFile;

    /**
     * @return true if {@code --cluster} was given.
     */
    boolean given()
    {
        return cluster != null;
    }

    /**
     * @return the members' {@code host:port}, in member id order.
     */
    List<String> members()
    {
        return List.of(cluster.split(","));
    }

    /**
     * @return a client of the cluster; the caller closes it.
     */
    ClusterIpam connect()
    {
        final String token = tokenFile != null ? TokenSource.read(tokenFile) : TokenSource.resolve(null, null, null);
        return ClusterIpam.connect(new ClusterIpam.Context().members(members()).token(token));
    }
}
