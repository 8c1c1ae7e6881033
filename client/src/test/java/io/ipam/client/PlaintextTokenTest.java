package io.ipam.client;


import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bearer token sent without TLS to another machine is warned about (issue 25); loopback, TLS or no token is not.
 * Names are never resolved to decide.
 */
class PlaintextTokenTest
{
    private static final String TOKEN = "a-token-0123456789abcdef";

    @Test
    void shouldWarnOnlyForATokenInPlaintextBeyondLoopback()
    {
        final String w = Connection.plaintextTokenWarning("10.1.2.3:7600", TOKEN, InsecureChannelCredentials.create());
        assertTrue(w != null && w.contains("10.1.2.3:7600") && w.contains("without TLS") && !w.contains(TOKEN), w);
        assertTrue(Connection.plaintextTokenWarning("ipam.example:7600", TOKEN, InsecureChannelCredentials.create())
            != null);
        assertNull(Connection.plaintextTokenWarning("10.1.2.3:7600", null, InsecureChannelCredentials.create()));
        assertNull(Connection.plaintextTokenWarning("10.1.2.3:7600", TOKEN, TlsChannelCredentials.create()));
        assertNull(Connection.plaintextTokenWarning("127.0.0.1:7600", TOKEN, InsecureChannelCredentials.create()));
        assertNull(Connection.plaintextTokenWarning("localhost:7600", TOKEN, InsecureChannelCredentials.create()));
    }

    @Test
    void shouldKnowLoopbackTargetsWithoutResolvingNames()
    {
        for (final String t : new String[] {"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1", "LOCALHOST:1",
            "dns:///localhost:1", "ipv4:127.0.0.1:1", "::1", "unix:/run/ipam.sock"})
        {
            assertTrue(Connection.isLoopback(t), t);
        }
        for (final String t : new String[] {"10.0.0.1:1", "[2001:db8::1]:1", "ipam.example:1", "dns:///ipam:1",
            "localhost.evil.example:1", "0.0.0.0:1"})
        {
            assertFalse(Connection.isLoopback(t), t);
        }
    }
}
