package io.ipam.tools;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * Files the command line writes ({@code snapshot create}, {@code snapshot export}, {@code map}): written to a
 * fresh temporary file beside the target (created exclusively, never through a link, 0600 when it holds owners),
 * then put in place. Without {@code --force} an existing target is never replaced (a hard link is made, which
 * fails atomically if the name exists); with it the temporary file is renamed over the target, which replaces a
 * link rather than writing through it. A symbolic link at the target is refused either way.
 */
final class Outputs implements AutoCloseable
{
    private final Path target;
    private final Path tmp;
    private final boolean force;
    private boolean placed;

    private Outputs(final Path target, final Path tmp, final boolean force)
    {
        this.target = target;
        this.tmp = tmp;
        this.force = force;
    }

    /**
     * Check the target and choose a temporary name beside it (not created yet).
     *
     * @param file  the target.
     * @param force whether an existing file may be replaced.
     * @return the output.
     */
    static Outputs prepare(final Path file, final boolean force)
    {
        final Path target = file.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(target))
        {
            throw new IpamException(ErrorCode.STORE_IO, "output " + file + " is a symbolic link; refusing to write " +
                "through it");
        }
        if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IpamException(ErrorCode.STORE_IO, "output " + file + " exists; add --force to overwrite it");
        }
        final Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir))
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot write " + file + ": directory " + dir +
                " does not exist");
        }
        final Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong()));
        return new Outputs(target, tmp, force);
    }

    /**
     * @return the temporary file's path (for writers that create it themselves, owner-only).
     */
    Path tmp()
    {
        return tmp;
    }

    /**
     * Create the temporary file exclusively and open it.
     *
     * @param ownerOnly true for 0600 (the content names owners), else 0644 less the umask.
     * @return a buffered stream; close it before {@link #place()}.
     */
    OutputStream open(final boolean ownerOnly)
    {
        try
        {
            final EnumSet<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
            SeekableByteChannel channel;
            try
            {
                final FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--"));
                channel = Files.newByteChannel(tmp, options, mode);
            }
            catch (final UnsupportedOperationException ex)
            {
                channel = Files.newByteChannel(tmp, options);
            }
            return new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Sync the temporary file and put it in place.
     */
    void place()
    {
        try
        {
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
            {
                ch.force(true);
            }
            if (force)
            {
                try
                {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                }
                catch (final AtomicMoveNotSupportedException ex)
                {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            else
            {
                try
                {
                    Files.createLink(target, tmp);   // fails if the name exists, whatever it is
                    Files.delete(tmp);
                }
                catch (final UnsupportedOperationException ex)
                {
                    Files.move(tmp, target);
                }
            }
            placed = true;
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "output " + target + " exists; add --force to overwrite it");
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Remove the temporary file unless it was placed.
     */
    @Override
    public void close()
    {
        if (!placed)
        {
            try
            {
                Files.deleteIfExists(tmp);
            }
            catch (final IOException ignore)
            {
                // the failure that got us here is what the user needs to see
            }
        }
    }

    /**
     * Text from a file or a store made safe for a terminal: control characters (C0, DEL, C1), bidirectional
     * overrides and backslashes are written as escapes, so a crafted name cannot move the cursor, recolour or
     * reorder the terminal, or forge extra lines.
     *
     * @param s the text (null prints as {@code null}).
     * @return the printable text.
     */
    static String printable(final String s)
    {
        if (s == null)
        {
            return "null";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            final boolean bad = Character.isISOControl(c) || c == '\\' || (c >= 0x202A && c <= 0x202E) ||
                (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
            if (bad && sb == null)
            {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null)
            {
                if (!bad)
                {
                    sb.append(c);
                }
                else if (c == '\\')
                {
                    sb.append("\\\\");
                }
                else
                {
                    sb.append(String.format("\\u%04x", (int)c));
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * @param s a string or null.
     * @return it as a JSON string literal, escaped by Jackson.
     */
    static String json(final String s)
    {
        if (s == null)
        {
            return "null";
        }
        // Jackson escapes quotes, backslashes and control characters; non-ASCII is escaped too, so that no
        // bidirectional override or other invisible character reaches a terminal showing the JSON
        final char[] quoted = JsonStringEncoder.getInstance().quoteAsString(s);
        final StringBuilder sb = new StringBuilder(quoted.length + 2).append('"');
        for (final char c : quoted)
        {
            if (c > 0x7E)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A CSV cell that a spreadsheet must not run as a formula (OWASP CSV injection): a leading {@code = + - @}, tab
     * or carriage return gets a leading apostrophe. Quoting of commas, quotes and line breaks is Commons CSV's.
     *
     * @param s the cell.
     * @return the cell to print.
     */
    static String csvCell(final String s)
    {
        if (s == null || s.isEmpty())
        {
            return s;
        }
        final char c = s.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + s : s;
    }
}
