package io.ipam.core.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * The {@code --tokens FILE} of {@code ipam serve}: one {@code TOKEN TENANT} or {@code TOKEN *} per line, blank
 * lines and {@code #} comments allowed. The file must grant nothing to group or others (0600 or 0400), or it is
 * refused. Tokens are 16-256 characters of {@code [A-Za-z0-9._~+/=-]}; tenants 1-64 of {@code [A-Za-z0-9._:-]}.
 * A token appears once. Errors name the line, never a token. Tokens are kept as SHA-256 digests only, so a
 * lookup compares digests and never the secret itself. Immutable once loaded; thread-safe.
 */
public final class TokenFile
{
    /** Largest tokens file read: a bound on what a mistaken path can make the server load. */
    public static final long MAX_BYTES = 1024 * 1024;

    private static final Set<PosixFilePermission> NOT_ALLOWED = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final Map<String, Principal> byDigest;

    private TokenFile(final Map<String, Principal> byDigest)
    {
        this.byDigest = Map.copyOf(byDigest);
    }

    /**
     * Read and check a tokens file.
     *
     * @param file the file.
     * @return the tokens.
     * @throws IpamException {@code STORE_IO} if it cannot be read or its permissions are too open,
     *                       {@code MALFORMED} for a bad line (the message names the line number).
     */
    public static TokenFile load(final Path file)
    {
        final List<String> lines;
        try
        {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                throw new IpamException(ErrorCode.STORE_IO, "tokens file " + file + " is not a regular file");
            }
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            for (final PosixFilePermission p : perms)
            {
                if (NOT_ALLOWED.contains(p))
                {
                    throw new IpamException(ErrorCode.STORE_IO, "tokens file " + file +
                        " is readable or writable by group or others; chmod 600 it");
                }
            }
            if (Files.size(file) > MAX_BYTES)
            {
                throw new IpamException(ErrorCode.STORE_IO, "tokens file " + file + " is over " + MAX_BYTES +
                    " bytes");
            }
            lines = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
        }
        catch (final NoSuchFileException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "tokens file " + file + " does not exist");
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read tokens file " + file + ": " + ex.getMessage());
        }
        final Map<String, Principal> byDigest = new HashMap<>();
        int lineNo = 0;
        for (final String raw : lines)
        {
            lineNo++;
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] fields = line.split("[ \t]+");
            if (fields.length != 2)
            {
                throw bad(file, lineNo, "expected 'TOKEN TENANT' or 'TOKEN *'");
            }
            if (!validToken(fields[0]))
            {
                throw bad(file, lineNo, "token must be 16-256 characters of [A-Za-z0-9._~+/=-]");
            }
            if (!Principal.ADMIN_NAME.equals(fields[1]) && !validTenant(fields[1]))
            {
                throw bad(file, lineNo, "tenant must be * or 1-64 characters of [A-Za-z0-9._:-]");
            }
            if (byDigest.put(digest(fields[0]), Principal.of(fields[1])) != null)
            {
                throw bad(file, lineNo, "token appears on an earlier line too");
            }
        }
        if (byDigest.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "tokens file " + file + " holds no token");
        }
        return new TokenFile(byDigest);
    }

    /**
     * @param token a bearer token as sent (may be null).
     * @return its principal, or null if unknown.
     */
    public Principal principal(final String token)
    {
        return token == null || !validToken(token) ? null : byDigest.get(digest(token));
    }

    /**
     * @return how many tokens were loaded.
     */
    public int size()
    {
        return byDigest.size();
    }

    private static IpamException bad(final Path file, final int line, final String why)
    {
        return new IpamException(ErrorCode.MALFORMED, "tokens file " + file + " line " + line + ": " + why);
    }

    static boolean validToken(final String t)
    {
        if (t.length() < 16 || t.length() > 256)
        {
            return false;
        }
        for (int i = 0; i < t.length(); i++)
        {
            final char c = t.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    static boolean validTenant(final String t)
    {
        if (t.isEmpty() || t.length() > 64)
        {
            return false;
        }
        for (int i = 0; i < t.length(); i++)
        {
            final char c = t.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == ':' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static String digest(final String token)
    {
        try
        {
            return Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
