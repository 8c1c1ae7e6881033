package io.ipam.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import io.ipam.client.GrpcIpam;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;

/**
 * Servers on free loopback ports for contract tests that drive {@link GrpcIpam}: each serves an in-memory
 * allocator with the test's configuration; {@link #shutdown()} stops them all.
 */
final class LoopbackServers
{
    private final List<IpamServer> servers = new ArrayList<>();

    /**
     * @param config the allocator's configuration.
     * @return a client of a new server.
     */
    Ipam client(final IpamConfig config)
    {
        final IpamServer server = IpamServer.start(new ServerContext()
            .listen(new InetSocketAddress("127.0.0.1", 0)).workerThreads(4), Ipam.inMemory(config), true);
        servers.add(server);
        return GrpcIpam.connect(server.target());
    }

    void shutdown()
    {
        servers.forEach(IpamServer::shutdown);
        servers.clear();
    }
}
