package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Path;

import io.ipam.client.GrpcIpam;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import picocli.CommandLine.Option;

/**
 * A running {@code ipam serve}: {@code --server HOST:PORT}, its bearer token from {@code --token-file FILE}, the
 * {@code IPAM_TOKEN} environment variable or {@code --token T} (which warns: see {@link TokenSource}), and
 * {@code --tls-ca FILE} for TLS. A picocli mixin: every command that talks to a server takes these options from here
 * ({@link StoreOption} includes it).
 */
public final class ServerOption
{
    @Option(names = "--server", paramLabel = "HOST:PORT", description = "a running 'ipam serve'")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
        description = "bearer token for --server; visible to other users (ps): prefer --token-file or IPAM_TOKEN")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
        description = "file (mode 0600) whose first line is the bearer token for --server (default: IPAM_TOKEN)")
    Path tokenFile;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "connect to --server with TLS, trusting these CAs")
    Path tlsCa;

    /**
     * @return true if {@code --server} was given.
     */
    boolean given()
    {
        return server != null;
    }

    /**
     * @return {@code HOST:PORT}, or null.
     */
    String target()
    {
        return server;
    }

    /**
     * @return the TLS trust file, or null for plaintext.
     */
    Path tlsCa()
    {
        return tlsCa;
    }

    /**
     * @throws IpamException {@code MALFORMED} if a credential came without {@code --server}.
     */
    void checkAlone()
    {
        if (server == null && (token != null || tokenFile != null || tlsCa != null))
        {
            throw new IpamException(ErrorCode.MALFORMED, "--token, --token-file and --tls-ca go with --server");
        }
    }

    /**
     * @param err where the warning for {@code --token} goes.
     * @return the bearer token, or null for none ({@link TokenSource#resolve}).
     */
    String token(final PrintWriter err)
    {
        return TokenSource.resolve(token, tokenFile, err);
    }

    /**
     * @param err where the warning for {@code --token} goes.
     * @return a client of the server (it connects on first use); the caller closes it.
     */
    GrpcIpam connect(final PrintWriter err)
    {
        final GrpcIpam.Builder b = GrpcIpam.builder(server).token(token(err));
        if (tlsCa != null)
        {
            b.tls(tlsCa);
        }
        return b.build();
    }
}
