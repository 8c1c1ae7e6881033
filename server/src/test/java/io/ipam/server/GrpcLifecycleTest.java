package io.ipam.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.ipam.client.GrpcIpam;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.LifecycleContractTest;
import org.junit.jupiter.api.AfterEach;

/**
 * The lifecycle contract (keys, leases, renew, cooldown) through {@link GrpcIpam} against a real server.
 */
class GrpcLifecycleTest extends LifecycleContractTest
{
    private final List<IpamServer> servers = new ArrayList<>();

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        final IpamServer server = IpamServer.start(new ServerContext()
            .listen(new InetSocketAddress("127.0.0.1", 0)).workerThreads(4), Ipam.inMemory(config), true);
        servers.add(server);
        return GrpcIpam.connect(server.target());
    }

    @AfterEach
    void stopServers()
    {
        servers.forEach(IpamServer::shutdown);
    }
}
