package io.ipam.cluster;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a client sends when it connects (its credentials) and what the authenticator binds to its session (its
 * principal), little-endian, written down in {@code docs/cluster.md}:
 * <pre>
 * credentials: int magic "IPC1" (0x31435049), long client id, then the token's ASCII bytes (none without a token)
 * principal:   int magic "IPP1" (0x31505049), long client id, then the tenant's UTF-8 bytes, or "*" (administrator)
 * </pre>
 * The principal travels in the log (Aeron Cluster's session-open event) and in Aeron's snapshot of sessions, so every
 * member reads the same principal for a session. Nothing else a client sends says who it is.
 */
final class ClusterCredentials
{
    /** "IPC1" read as a little-endian int. */
    static final int CREDENTIALS_MAGIC = 0x31435049;
    /** "IPP1" read as a little-endian int. */
    static final int PRINCIPAL_MAGIC = 0x31505049;
    /** Bytes before the token or the tenant. */
    static final int HEADER_LENGTH = 12;
    /** Longest token (as the tokens file allows). */
    static final int MAX_TOKEN_LENGTH = 256;
    /** The administrator's tenant spelling (as the tokens file's). */
    static final String ADMIN = "*";

    private ClusterCredentials()
    {
    }

    /**
     * @param clientId the client's id.
     * @param token    its token, or null.
     * @return the credentials' bytes.
     */
    static byte[] credentials(final long clientId, final String token)
    {
        final byte[] t = token == null ? new byte[0] : token.getBytes(StandardCharsets.US_ASCII);
        final byte[] out = new byte[HEADER_LENGTH + t.length];
        final UnsafeBuffer b = new UnsafeBuffer(out);
        b.putInt(0, CREDENTIALS_MAGIC);
        b.putLong(4, clientId);
        b.putBytes(HEADER_LENGTH, t);
        return out;
    }

    /**
     * @param credentials bytes a client sent (may be null or anything).
     * @return true if they are ipam's credentials.
     */
    static boolean isCredentials(final byte[] credentials)
    {
        return credentials != null && credentials.length >= HEADER_LENGTH &&
            credentials.length <= HEADER_LENGTH + MAX_TOKEN_LENGTH &&
            new UnsafeBuffer(credentials).getInt(0) == CREDENTIALS_MAGIC;
    }

    /**
     * @param credentials checked with {@link #isCredentials}.
     * @return the client id they name.
     */
    static long clientId(final byte[] credentials)
    {
        return new UnsafeBuffer(credentials).getLong(4);
    }

    /**
     * @param credentials checked with {@link #isCredentials}.
     * @return the token they carry, or null.
     */
    static String token(final byte[] credentials)
    {
        return credentials.length == HEADER_LENGTH ? null :
            new String(credentials, HEADER_LENGTH, credentials.length - HEADER_LENGTH, StandardCharsets.US_ASCII);
    }

    /**
     * @param clientId     the client's id.
     * @param tenantOrStar its tenant, or {@link #ADMIN}.
     * @return the principal's bytes.
     */
    static byte[] principal(final long clientId, final String tenantOrStar)
    {
        final byte[] t = tenantOrStar.getBytes(StandardCharsets.UTF_8);
        final byte[] out = new byte[HEADER_LENGTH + t.length];
        final UnsafeBuffer b = new UnsafeBuffer(out);
        b.putInt(0, PRINCIPAL_MAGIC);
        b.putLong(4, clientId);
        b.putBytes(HEADER_LENGTH, t);
        return out;
    }

    /**
     * A session's principal as the service reads it.
     *
     * @param clientId     the client id it authenticated with.
     * @param tenantOrStar its tenant, or {@link #ADMIN}.
     */
    record Principal(long clientId, String tenantOrStar)
    {
        boolean isAdmin()
        {
            return ADMIN.equals(tenantOrStar);
        }

        /**
         * @return the tenant whose view the session's commands run in, or null for the whole allocator.
         */
        String tenantOrNull()
        {
            return isAdmin() ? null : tenantOrStar;
        }

        ClientTable.Key key()
        {
            return new ClientTable.Key(tenantOrStar, clientId);
        }
    }

    /**
     * @param principal a session's encoded principal (from the log).
     * @return it read, or null if it is not ipam's (a session no authenticator of ipam's let in).
     */
    static Principal readPrincipal(final byte[] principal)
    {
        if (principal == null || principal.length <= HEADER_LENGTH)
        {
            return null;
        }
        final UnsafeBuffer b = new UnsafeBuffer(principal);
        if (b.getInt(0) != PRINCIPAL_MAGIC)
        {
            return null;
        }
        return new Principal(b.getLong(4), new String(principal, HEADER_LENGTH, principal.length - HEADER_LENGTH,
            StandardCharsets.UTF_8));
    }
}
