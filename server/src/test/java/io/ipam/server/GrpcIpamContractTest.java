package io.ipam.server;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamContractTest;
import org.junit.jupiter.api.AfterEach;

/**
 * The whole core contract through {@link io.ipam.client.GrpcIpam}, against a real server on a free loopback port (Netty, HTTP/2):
 * every answer and every error code must survive the trip.
 */
class GrpcIpamContractTest extends IpamContractTest
{
    private final LoopbackServers servers = new LoopbackServers();

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return servers.client(config);
    }

    @AfterEach
    void stopServers()
    {
        servers.shutdown();
    }
}
