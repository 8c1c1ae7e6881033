package io.ipam.tools;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.file.AtomicFile;

/**
 * What the command line writes. Files ({@code snapshot create}, {@code snapshot export}, {@code map}) are an
 * {@link AtomicFile}: written beside the target, 0600 when they hold owners, never through a link, put in place whole;
 * without {@code --force} an existing target is never replaced. Text from a file or a store is made printable
 * ({@link #printable(String)}), JSON strings are escaped ({@link #json(String)}) and CSV cells cannot start a
 * spreadsheet formula ({@link #csvCell(String)}). Stateless.
 */
final class Outputs
{
    private Outputs()
    {
    }

    /**
     * Check the target and choose a temporary name beside it (not created yet).
     *
     * @param file  the target.
     * @param force whether an existing file may be replaced.
     * @return the file to write; the caller commits it, and closes it either way.
     * @throws IpamException {@code STORE_IO} for a symbolic link, an existing file without {@code --force} or a
     *                       missing directory.
     */
    static AtomicFile prepare(final Path file, final boolean force)
    {
        if (!force && Files.exists(file.toAbsolutePath().normalize(), LinkOption.NOFOLLOW_LINKS) &&
            !Files.isSymbolicLink(file))
        {
            throw new IpamException(ErrorCode.STORE_IO, "output " + file + " exists; add --force to overwrite it");
        }
        return AtomicFile.prepare(file, force, "output");
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
