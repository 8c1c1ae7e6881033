package io.ipam.cluster;

import java.util.function.Function;

import io.aeron.security.Authenticator;
import io.aeron.security.AuthenticatorSupplier;
import io.aeron.security.SessionProxy;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may open a session on a member's ingress (SPEC 8): the credentials a client connects with
 * ({@link ClusterCredentials}) carry a token of the tokens file {@code ipam serve} reads ({@code TOKEN TENANT} or
 * {@code TOKEN *}); a known token binds the session to a principal (that tenant, or the administrator, with the
 * client id the credentials name), anything else is rejected before the session exists. Decided as the connect
 * request arrives: the only thing held for a caller not yet known is its decision, at most {@link #MAX_PENDING} of
 * them, each dropped after {@link #PENDING_MS} (Aeron's consensus module times the session out itself).
 * <p>
 * Without a tokens file ({@link #open()}, a member on loopback only) every client is the administrator with the client
 * id it names (a client that sends no ipam credentials gets one from its session id). Consensus module thread only.
 */
final class TokenAuthenticator implements Authenticator
{
    /** Most connect requests waiting for their session, beyond which new ones are rejected. */
    static final int MAX_PENDING = 1024;
    /** How long a decision waits for its session to connect. */
    static final long PENDING_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);
    private static final byte[] REJECTED = new byte[0];

    private final Function<String, String> tenantOfToken;
    private final Long2ObjectHashMap<Decision> decided = new Long2ObjectHashMap<>();
    private long rejected;

    private record Decision(byte[] principal, long atMs)
    {
    }

    /**
     * @param tenantOfToken a token's tenant, {@code *} for the administrator, null if unknown; null: no tokens file.
     */
    TokenAuthenticator(final Function<String, String> tenantOfToken)
    {
        this.tenantOfToken = tenantOfToken;
    }

    /**
     * @param tenantOfToken as {@link #TokenAuthenticator(Function)}.
     * @return a supplier of authenticators for the consensus module.
     */
    static AuthenticatorSupplier supplier(final Function<String, String> tenantOfToken)
    {
        return () -> new TokenAuthenticator(tenantOfToken);
    }

    /**
     * @return an authenticator that lets every client in as the administrator (a member on loopback, no tokens file).
     */
    static TokenAuthenticator open()
    {
        return new TokenAuthenticator(null);
    }

    /**
     * @return connect requests rejected so far.
     */
    long rejected()
    {
        return rejected;
    }

    @Override
    public void onConnectRequest(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        sweep(nowMs);
        if (decided.size() >= MAX_PENDING)
        {
            rejected++;
            return; // onConnectedSession finds no decision and rejects
        }
        decided.put(sessionId, new Decision(decide(sessionId, encodedCredentials), nowMs));
    }

    private byte[] decide(final long sessionId, final byte[] credentials)
    {
        final boolean ours = ClusterCredentials.isCredentials(credentials);
        if (tenantOfToken == null)
        {
            final long clientId = ours ? ClusterCredentials.clientId(credentials) : -sessionId;
            return ClusterCredentials.principal(clientId, ClusterCredentials.ADMIN);
        }
        if (!ours)
        {
            return REJECTED;
        }
        final String token = ClusterCredentials.token(credentials);
        final String tenant = token == null ? null : tenantOfToken.apply(token);
        if (tenant == null)
        {
            return REJECTED;
        }
        return ClusterCredentials.principal(ClusterCredentials.clientId(credentials), tenant);
    }

    @Override
    public void onChallengeResponse(final long sessionId, final byte[] encodedCredentials, final long nowMs)
    {
        // never challenged: the decision was made at the connect request
    }

    @Override
    public void onConnectedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        final long id = sessionProxy.sessionId();
        final Decision decision = decided.remove(id);
        final byte[] principal = decision == null ? null : decision.principal();
        if (principal == null || principal == REJECTED)
        {
            rejected++;
            LOG.info("session {} rejected: {}", id, principal == null ? "too many connect requests at once" :
                "no known token");
            sessionProxy.reject();
            return;
        }
        sessionProxy.authenticate(principal);
    }

    @Override
    public void onChallengedSession(final SessionProxy sessionProxy, final long nowMs)
    {
        decided.remove(sessionProxy.sessionId());
        rejected++;
        sessionProxy.reject();
    }

    private void sweep(final long nowMs)
    {
        if (decided.isEmpty())
        {
            return;
        }
        decided.values().removeIf(d -> nowMs - d.atMs() > PENDING_MS);
    }
}
