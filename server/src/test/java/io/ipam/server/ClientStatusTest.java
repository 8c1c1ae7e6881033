package io.ipam.server;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

import io.ipam.client.GrpcIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Statuses that carry no ipam code, produced for real and read by {@link GrpcIpam} (issue 25): an unknown token
 * is FORBIDDEN, a request over the server's message bound LIMIT_EXCEEDED (SPEC 10: not to be retried as it is),
 * an unreachable server STORE_IO.
 */
@Timeout(60)
class ClientStatusTest
{
    private static final String ADMIN = "admin-token-0123456789";

    @TempDir
    Path tmp;

    @Test
    void shouldMapTransportStatusesToTheNearestCode() throws Exception
    {
        final Path tokens = tmp.resolve("tokens");
        Files.writeString(tokens, ADMIN + " *\n");
        Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-------"));
        final IpamServer server = IpamServer.start(new ServerContext().listen(new InetSocketAddress("127.0.0.1", 0))
            .tokens(tokens).maxInboundMessageBytes(4096).workerThreads(2), Ipam.inMemory(IpamConfig.defaults()),
            true);
        final String target = server.target();
        try (GrpcIpam admin = GrpcIpam.builder(target).token(ADMIN).build();
             GrpcIpam stranger = GrpcIpam.builder(target).token("not-a-known-token-0001").build())
        {
            admin.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            assertEquals(ErrorCode.FORBIDDEN, assertThrows(IpamException.class, stranger::subnets).code());
            final IpamException tooBig = assertThrows(IpamException.class,
                () -> admin.allocate("s".repeat(8192), new UUID(1, 1)));
            assertEquals(ErrorCode.LIMIT_EXCEEDED, tooBig.code(), tooBig.getMessage());
            assertEquals(0, admin.subnet("s").allocated());
        }
        finally
        {
            server.shutdown();
        }
        try (GrpcIpam gone = GrpcIpam.builder(target).token(ADMIN).build())
        {
            assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, gone::subnets).code());
        }
    }
}
