package io.ipam.server;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.LifecycleContractTest;
import org.junit.jupiter.api.AfterEach;

/**
 * The lifecycle contract (keys, leases, renew, cooldown) through {@link io.ipam.client.GrpcIpam} against a real server.
 */
class GrpcLifecycleTest extends LifecycleContractTest
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
