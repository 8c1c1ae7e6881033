package io.ipam.cluster;

import java.util.Map;

import io.aeron.security.SessionProxy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingress authenticator: a known token binds its tenant (or the administrator) and the credentials' client id;
 * anything else is rejected; undecided connect requests are bounded and dropped by time.
 */
class TokenAuthenticatorTest
{
    private static final String ADMIN_TOKEN = "admin-token-0123456789";
    private static final String BLUE_TOKEN = "blue-token-0123456789";
    private static final Map<String, String> TOKENS = Map.of(ADMIN_TOKEN, "*", BLUE_TOKEN, "blue");

    /** What the authenticator did to a session. */
    private static final class Proxy implements SessionProxy
    {
        final long id;
        byte[] principal;
        boolean rejected;

        Proxy(final long id)
        {
            this.id = id;
        }

        @Override
        public long sessionId()
        {
            return id;
        }

        @Override
        public boolean challenge(final byte[] encodedChallenge)
        {
            throw new AssertionError("never challenges");
        }

        @Override
        public boolean authenticate(final byte[] encodedPrincipal)
        {
            principal = encodedPrincipal;
            return true;
        }

        @Override
        public void reject()
        {
            rejected = true;
        }
    }

    private static Proxy connect(final TokenAuthenticator a, final long session, final byte[] credentials)
    {
        a.onConnectRequest(session, credentials, 1_000);
        final Proxy p = new Proxy(session);
        a.onConnectedSession(p, 1_001);
        return p;
    }

    @Test
    void shouldBindAKnownTokensTenantAndTheClientId()
    {
        final TokenAuthenticator a = new TokenAuthenticator(TOKENS::get);
        final Proxy blue = connect(a, 1, ClusterCredentials.credentials(77, BLUE_TOKEN));
        assertEquals(new ClusterCredentials.Principal(77, "blue"), ClusterCredentials.readPrincipal(blue.principal));
        final Proxy admin = connect(a, 2, ClusterCredentials.credentials(-5, ADMIN_TOKEN));
        final ClusterCredentials.Principal p = ClusterCredentials.readPrincipal(admin.principal);
        assertTrue(p.isAdmin());
        assertNull(p.tenantOrNull());
        assertEquals(-5, p.clientId());
    }

    @Test
    void shouldRejectEverythingElseWhenThereAreTokens()
    {
        final TokenAuthenticator a = new TokenAuthenticator(TOKENS::get);
        assertTrue(connect(a, 1, ClusterCredentials.credentials(1, "no-such-token-0123456789")).rejected);
        assertTrue(connect(a, 2, ClusterCredentials.credentials(1, null)).rejected, "no token");
        assertTrue(connect(a, 3, new byte[0]).rejected, "no credentials at all");
        assertTrue(connect(a, 4, null).rejected);
        assertTrue(connect(a, 5, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}).rejected, "not ipam's");
        final byte[] tooLong = ClusterCredentials.credentials(1, "x".repeat(ClusterCredentials.MAX_TOKEN_LENGTH + 1));
        assertTrue(connect(a, 6, tooLong).rejected, "a token longer than any in a tokens file");
        final Proxy never = new Proxy(7);
        a.onConnectedSession(never, 0);
        assertTrue(never.rejected, "a session with no connect request seen");
        assertEquals(7, a.rejected());
    }

    @Test
    void shouldLetEveryoneInAsTheAdministratorWithoutTokens()
    {
        final TokenAuthenticator a = TokenAuthenticator.open();
        final Proxy ours = connect(a, 9, ClusterCredentials.credentials(42, null));
        assertEquals(new ClusterCredentials.Principal(42, "*"), ClusterCredentials.readPrincipal(ours.principal));
        final Proxy raw = connect(a, 10, new byte[0]);
        assertEquals(new ClusterCredentials.Principal(-10, "*"), ClusterCredentials.readPrincipal(raw.principal),
            "a client without ipam's credentials gets an id from its session");
    }

    @Test
    void shouldBoundWhatItHoldsForCallersNotYetConnected()
    {
        final TokenAuthenticator a = new TokenAuthenticator(TOKENS::get);
        for (int s = 0; s < TokenAuthenticator.MAX_PENDING; s++)
        {
            a.onConnectRequest(s, ClusterCredentials.credentials(s, BLUE_TOKEN), 0);
        }
        a.onConnectRequest(5000, ClusterCredentials.credentials(1, BLUE_TOKEN), 0);
        final Proxy late = new Proxy(5000);
        a.onConnectedSession(late, 0);
        assertTrue(late.rejected, "past the bound a request is refused");
        // after the pending time the old decisions are gone and new callers get in again
        final Proxy after = new Proxy(6000);
        a.onConnectRequest(6000, ClusterCredentials.credentials(1, BLUE_TOKEN), TokenAuthenticator.PENDING_MS + 1);
        a.onConnectedSession(after, TokenAuthenticator.PENDING_MS + 1);
        assertEquals("blue", ClusterCredentials.readPrincipal(after.principal).tenantOrStar());
        final Proxy stale = new Proxy(3);
        a.onConnectedSession(stale, TokenAuthenticator.PENDING_MS + 2);
        assertTrue(stale.rejected, "a decision dropped by time is not used");
    }
}
