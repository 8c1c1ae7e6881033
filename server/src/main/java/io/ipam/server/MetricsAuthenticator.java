package io.ipam.server;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.ipam.core.access.Principal;
import io.ipam.core.access.TokenFile;

/**
 * {@code /metrics} behind the tokens file: an administrator's token ({@code *}) as {@code Authorization: Bearer
 * TOKEN} sees the metrics; no header, another scheme or an unknown token is 401, a tenant's token 403 (the
 * metrics name every tenant's subnets). Refused before anything is scraped, so an unknown caller never makes the
 * writer run a stats command. Thread-safe.
 */
final class MetricsAuthenticator extends Authenticator
{
    private static final String BEARER = "bearer ";

    private final TokenFile tokens;

    MetricsAuthenticator(final TokenFile tokens)
    {
        this.tokens = tokens;
    }

    @Override
    public Result authenticate(final HttpExchange exchange)
    {
        final String value = exchange.getRequestHeaders().getFirst("Authorization");
        final String token = value != null && value.length() > BEARER.length() &&
            value.regionMatches(true, 0, BEARER, 0, BEARER.length()) ? value.substring(BEARER.length()).strip() : null;
        final Principal principal = tokens.principal(token);
        if (principal == null)
        {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ipam metrics\"");
            return new Failure(401);
        }
        if (!principal.isAdmin())
        {
            return new Failure(403);
        }
        return new Success(new HttpPrincipal("admin", "ipam"));
    }
}
