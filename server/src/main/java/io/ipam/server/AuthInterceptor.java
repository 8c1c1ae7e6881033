package io.ipam.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.access.Principal;
import io.ipam.core.access.TokenFile;

/**
 * Bearer-token authentication: {@code authorization: Bearer TOKEN} names a principal in the tokens file, and
 * {@link TenantViews#viewFor} gives the {@link Ipam} it acts on, put into the call's {@link Context} as
 * {@link #IPAM}. No header, another scheme or an unknown token is {@code UNAUTHENTICATED}. It guards the v1
 * service only: health and reflection need no token and have a call budget of their own ({@link IpamServer}).
 * Without a tokens file every caller is the administrator. Thread-safe.
 */
final class AuthInterceptor implements ServerInterceptor
{
    /** The allocator the current call acts on. */
    static final Context.Key<Ipam> IPAM = Context.key("ipam");

    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    private final Ipam root;
    private final TokenFile tokens;

    /**
     * @return the allocator the current call acts on (read on the call's thread).
     * @throws IpamException {@code INTERNAL} if the call did not pass this interceptor.
     */
    static Ipam ipam()
    {
        final Ipam ipam = IPAM.get();
        if (ipam == null)
        {
            throw new IpamException(ErrorCode.INTERNAL, "no allocator bound to this call");
        }
        return ipam;
    }

    AuthInterceptor(final Ipam root, final TokenFile tokensOrNull)
    {
        this.root = root;
        this.tokens = tokensOrNull;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        final ServerCall<Q, A> call, final Metadata headers, final ServerCallHandler<Q, A> next)
    {
        final Principal principal;
        if (tokens == null)
        {
            principal = Principal.ADMIN;
        }
        else
        {
            final String value = headers.get(AUTHORIZATION);
            final String token = value != null && value.length() > BEARER.length() &&
                value.regionMatches(true, 0, BEARER, 0, BEARER.length()) ?
                value.substring(BEARER.length()).strip() : null;
            principal = tokens.principal(token);
            if (principal == null)
            {
                call.close(Status.UNAUTHENTICATED.withDescription(token == null ?
                    "no bearer token (authorization: Bearer TOKEN)" : "unknown bearer token"), new Metadata());
                return new ServerCall.Listener<>()
                {
                };
            }
        }
        final Ipam ipam;
        try
        {
            ipam = TenantViews.viewFor(root, principal.tenantOrStar());
        }
        catch (final StatusRuntimeException ex)
        {
            call.close(ex.getStatus(), ex.getTrailers() == null ? new Metadata() : ex.getTrailers());
            return new ServerCall.Listener<>()
            {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(IPAM, ipam), call, headers, next);
    }
}
