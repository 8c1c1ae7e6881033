package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * Where a command's bearer token comes from: {@code --token-file FILE} (a private file: its first line), or
 * {@code --token TOKEN}, which works but warns (a command line is visible to every user of the machine: {@code ps},
 * {@code /proc/PID/cmdline}), or else the {@code IPAM_TOKEN} environment variable.
 */
final class TokenSource
{
    /** Environment variable read for the bearer token. */
    static final String TOKEN_ENV = "IPAM_TOKEN";

    /** The warning printed when {@code --token} is used. */
    static final String COMMAND_LINE_WARNING = "ipam: warning: --token shows the token to every user of this " +
        "machine (ps); use --token-file FILE (mode 0600) or the IPAM_TOKEN variable";

    private static final long MAX_BYTES = 4096;
    private static final Set<PosixFilePermission> NOT_ALLOWED = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private TokenSource()
    {
    }

    /**
     * @param token     {@code --token}, or null.
     * @param tokenFile {@code --token-file}, or null.
     * @param err       where the warning for {@code --token} goes.
     * @return the token, or null for none.
     * @throws IpamException {@code MALFORMED} for both options, {@code STORE_IO} for a file that cannot be read or
     *                       is not private.
     */
    static String resolve(final String token, final Path tokenFile, final PrintWriter err)
    {
        if (token != null && tokenFile != null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "give one of --token and --token-file");
        }
        if (tokenFile != null)
        {
            return read(tokenFile);
        }
        if (token != null)
        {
            err.println(COMMAND_LINE_WARNING);
            err.flush();
            return token;
        }
        final String env = System.getenv(TOKEN_ENV);
        return env == null || env.isEmpty() ? null : env;
    }

    /**
     * @param file a token file: a regular file (not a link), readable by its owner only, whose first non-empty
     *             line is the token.
     * @return the token.
     */
    static String read(final Path file)
    {
        try
        {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                throw new IpamException(ErrorCode.STORE_IO, "token file " + file + " is not a regular file (a link " +
                    "or a directory is refused)");
            }
            for (final PosixFilePermission p : Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))
            {
                if (NOT_ALLOWED.contains(p))
                {
                    throw new IpamException(ErrorCode.STORE_IO, "token file " + file + " is open to group or " +
                        "others; chmod 600 it");
                }
            }
            if (Files.size(file) > MAX_BYTES)
            {
                throw new IpamException(ErrorCode.MALFORMED, "token file " + file + " is over " + MAX_BYTES +
                    " bytes");
            }
            for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
            {
                final String t = line.strip();
                if (!t.isEmpty())
                {
                    return t;
                }
            }
            throw new IpamException(ErrorCode.MALFORMED, "token file " + file + " holds no token");
        }
        catch (final NoSuchFileException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "token file " + file + " does not exist");
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read token file " + file + ": " + ex.getMessage());
        }
    }
}
