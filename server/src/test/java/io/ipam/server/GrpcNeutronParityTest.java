package io.ipam.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import io.ipam.client.GrpcIpam;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.NeutronParityContractTest;
import org.junit.jupiter.api.AfterEach;

/**
 * The Neutron parity contract (issue 22) through {@link GrpcIpam}, against a real server on a free loopback port:
 * router marks, wide addresses, updateSubnet and reconcileSubnet survive the trip; a tenant's view is a client with
 * that tenant's token.
 */
class GrpcNeutronParityTest extends NeutronParityContractTest
{
    private static final String ADMIN = "admin-token-0123456789";

    private final List<AutoCloseable> closeMe = new ArrayList<>();
    private IpamServer server;

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        try
        {
            final Path tokens = tmp.resolve("tokens");
            Files.writeString(tokens, ADMIN + " *\nt1-token-0123456789 t1\nt2-token-0123456789 t2\n");
            Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
            server = IpamServer.start(new ServerContext().tokens(tokens)
                .listen(new InetSocketAddress("127.0.0.1", 0)).workerThreads(4), Ipam.inMemory(config), true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return GrpcIpam.builder(server.target()).token(ADMIN).build();
    }

    @Override
    protected Ipam view(final String tenant)
    {
        final GrpcIpam c = GrpcIpam.builder(server.target()).token(tenant + "-token-0123456789").build();
        closeMe.add(c);
        return c;
    }

    @AfterEach
    void stopServer() throws Exception
    {
        for (final AutoCloseable c : closeMe)
        {
            c.close();
        }
        server.shutdown();
    }
}
