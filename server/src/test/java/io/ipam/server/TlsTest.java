package io.ipam.server;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import io.ipam.client.GrpcIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS: a self-signed certificate for 127.0.0.1 made with the JDK's keytool; a client trusting it gets answers, a
 * plaintext client and a client trusting nothing of ours get none.
 */
class TlsTest
{
    @TempDir
    Path tmp;

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }

    @Test
    void shouldServeTlsToClientsThatTrustTheCertificate() throws Exception
    {
        final Path keystore = tmp.resolve("server.p12");
        final Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "ipam", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
            "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
            "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        final String keytoolOut = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, keytool.exitValue(), keytoolOut);
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore))
        {
            ks.load(in, "changeit".toCharArray());
        }
        final Certificate cert = ks.getCertificate("ipam");
        final PrivateKey key = (PrivateKey)ks.getKey("ipam", "changeit".toCharArray());
        final Path certFile = tmp.resolve("server.pem");
        final Path keyFile = tmp.resolve("server.key");
        Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));

        try (IpamServer server = IpamServer.start(new ServerContext().listen(new InetSocketAddress("127.0.0.1", 0))
            .tls(certFile, keyFile, null).workerThreads(2), Ipam.inMemory(IpamConfig.defaults()), true))
        {
            try (GrpcIpam client = GrpcIpam.builder(server.target()).tls(certFile).build())
            {
                assertEquals("10.0.0.0/24", client.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build()).cidr());
            }
            try (GrpcIpam plain = GrpcIpam.connect(server.target()))
            {
                assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, plain::subnets).code());
            }
            try (GrpcIpam untrusting = GrpcIpam.builder(server.target()).tls(null).build())
            {
                assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, untrusting::subnets).code());
            }
        }
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> IpamServer.start(new ServerContext()
            .listen(new InetSocketAddress("127.0.0.1", 0)).tls(tmp.resolve("missing.pem"), keyFile, null),
            Ipam.inMemory(IpamConfig.defaults()), true)).code(), "a missing certificate is refused");
    }
}
