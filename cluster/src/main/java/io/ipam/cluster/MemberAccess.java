package io.ipam.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

import io.aeron.security.AuthenticatorSupplier;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.access.Principal;
import io.ipam.core.access.TokenFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a member lets in at its ingress (SPEC 8, {@code docs/cluster.md} "On a network"): with a tokens file, the
 * clients whose token it names, as that token's tenant or the administrator; without one, everyone as the
 * administrator, which a member allows only when its ingress is a loopback address or it was told {@code --insecure}.
 */
final class MemberAccess
{
    private static final Logger LOG = LoggerFactory.getLogger(MemberAccess.class);

    private MemberAccess()
    {
    }

    /**
     * @param tokensFile  the tokens file ({@code ipam serve}'s format), or null.
     * @param insecure    let everyone in without a tokens file although the ingress is not on loopback.
     * @param ingressHost the member's client-facing host.
     * @return the consensus module's authenticator.
     * @throws IpamException as {@link TokenFile#load} for a bad tokens file; {@code MALFORMED} without one on a
     *                       non-loopback ingress unless {@code insecure}.
     */
    static AuthenticatorSupplier authenticator(final Path tokensFile, final boolean insecure, final String ingressHost)
    {
        if (tokensFile != null)
        {
            final TokenFile tokens = TokenFile.load(tokensFile);
            LOG.info("ingress authenticated with {} tokens from {}", tokens.size(), tokensFile);
            return TokenAuthenticator.supplier(token ->
            {
                final Principal p = tokens.principal(token);
                return p == null ? null : p.tenantOrStar();
            });
        }
        if (!loopback(ingressHost))
        {
            if (!insecure)
            {
                throw new IpamException(ErrorCode.MALFORMED, "ingress " + ingressHost + " is not a loopback address: " +
                    "give the member a tokens file (--tokens FILE), or --insecure to let anyone who reaches it act " +
                    "as the administrator");
            }
            LOG.warn("ingress {} takes every client as the administrator (--insecure, no tokens file)", ingressHost);
        }
        return () -> TokenAuthenticator.open();
    }

    private static boolean loopback(final String host)
    {
        try
        {
            for (final InetAddress a : InetAddress.getAllByName(host))
            {
                if (!a.isLoopbackAddress())
                {
                    return false;
                }
            }
            return true;
        }
        catch (final UnknownHostException ex)
        {
            return false;
        }
    }
}
