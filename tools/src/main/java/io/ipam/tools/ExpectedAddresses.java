package io.ipam.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The caller's truth for {@code ipam reconcile --subnet ID --expected FILE}: which owner each address of the subnet
 * should have (Neutron's {@code ipallocations}). Two formats, told apart by the first line that is neither blank nor
 * a {@code #} comment:
 * <ul>
 *   <li>CSV: {@code address,owner} per line, an optional header line {@code address,owner}, fields may be
 *       quoted;</li>
 *   <li>JSON lines: one object per line with string fields {@code "address"} and {@code "owner"} (other fields are
 *       ignored, so an export with more columns reads as it is).</li>
 * </ul>
 * Addresses in any valid text form (kept canonical), owners as 36-character UUIDs. The same address twice with
 * different owners is refused (which one is true?); the same pair twice counts once. Every problem is
 * {@code MALFORMED} naming the file and line; a file that cannot be read is {@code STORE_IO}. At most
 * {@link #MAX_BYTES} bytes and {@link #MAX_ENTRIES} entries are read, so a wrong file never fills memory.
 */
final class ExpectedAddresses
{
    /** Largest file read. */
    static final long MAX_BYTES = 1L << 30;
    /** Most entries in one file (more than a reconcile can carry in one step anyway). */
    static final int MAX_ENTRIES = 1 << 22;

    private ExpectedAddresses()
    {
    }

    /**
     * @param file the file.
     * @return address (canonical) -> owner, in file order.
     */
    static Map<String, UUID> read(final Path file)
    {
        final String text;
        try
        {
            if (!Files.isRegularFile(file))
            {
                throw new IpamException(ErrorCode.STORE_IO, "expected addresses " + file + " is not a readable file");
            }
            final long size = Files.size(file);
            if (size > MAX_BYTES)
            {
                throw new IpamException(ErrorCode.MALFORMED, "expected addresses " + file + " holds " + size +
                    " bytes, more than the " + MAX_BYTES + " read");
            }
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, "expected addresses " + file + " is not UTF-8 text");
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read expected addresses from " + file + ": " + ex);
        }
        return parse(text, file.toString());
    }

    /**
     * @param text the file's text.
     * @param name the file's name, for messages.
     * @return address (canonical) -> owner, in input order.
     */
    static Map<String, UUID> parse(final String text, final String name)
    {
        boolean json = false;
        for (final String line : (Iterable<String>)text.lines()::iterator)
        {
            final String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#"))
            {
                json = t.startsWith("{");
                break;
            }
        }
        try (BufferedReader in = new BufferedReader(new StringReader(text)))
        {
            return json ? jsonLines(in, name) : csv(in, name);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read expected addresses from " + name + ": " + ex);
        }
    }

    private static Map<String, UUID> csv(final Reader in, final String name) throws IOException
    {
        final Map<String, UUID> out = new LinkedHashMap<>();
        final Map<String, Long> lineOf = new LinkedHashMap<>();
        final CSVFormat format = CSVFormat.DEFAULT.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
            .setIgnoreSurroundingSpaces(true).get();
        try (CSVParser parser = CSVParser.parse(in, format))
        {
            boolean first = true;
            for (final CSVRecord r : parser)
            {
                final long line = parser.getCurrentLineNumber();
                if (r.size() != 2)
                {
                    throw bad(name, line, r.size() + " fields; expected address,owner");
                }
                if (first && r.get(0).equalsIgnoreCase("address") && r.get(1).equalsIgnoreCase("owner"))
                {
                    first = false;
                    continue;
                }
                first = false;
                put(out, lineOf, r.get(0), r.get(1), name, line);
            }
        }
        catch (final IllegalStateException | UncheckedIOException ex)
        {
            // commons-csv reports a broken quote this way
            throw new IpamException(ErrorCode.MALFORMED, name + ": not CSV (" + ex.getMessage() + ")");
        }
        return out;
    }

    private static Map<String, UUID> jsonLines(final BufferedReader in, final String name) throws IOException
    {
        final Map<String, UUID> out = new LinkedHashMap<>();
        final Map<String, Long> lineOf = new LinkedHashMap<>();
        final JsonFactory factory = JsonFactory.builder().build();
        String text;
        long line = 0;
        while ((text = in.readLine()) != null)
        {
            line++;
            final String t = text.strip();
            if (t.isEmpty() || t.startsWith("#"))
            {
                continue;
            }
            String address = null;
            String owner = null;
            try (JsonParser p = factory.createParser(t))
            {
                if (p.nextToken() != JsonToken.START_OBJECT)
                {
                    throw bad(name, line, "not a JSON object");
                }
                JsonToken token;
                while ((token = p.nextToken()) == JsonToken.FIELD_NAME)
                {
                    final String field = p.currentName();
                    final JsonToken value = p.nextToken();
                    if ("address".equals(field) || "owner".equals(field))
                    {
                        if (value != JsonToken.VALUE_STRING)
                        {
                            throw bad(name, line, "\"" + field + "\" is not a string");
                        }
                        if ("address".equals(field))
                        {
                            address = p.getText();
                        }
                        else
                        {
                            owner = p.getText();
                        }
                    }
                    else
                    {
                        p.skipChildren();
                    }
                }
                if (token != JsonToken.END_OBJECT || p.nextToken() != null)
                {
                    throw bad(name, line, "not one JSON object");
                }
            }
            catch (final JsonProcessingException ex)
            {
                throw bad(name, line, "not JSON (" + ex.getOriginalMessage() + ")");
            }
            if (address == null || owner == null)
            {
                throw bad(name, line, "needs string fields \"address\" and \"owner\"");
            }
            put(out, lineOf, address, owner, name, line);
        }
        return out;
    }

    private static void put(final Map<String, UUID> out, final Map<String, Long> lineOf, final String addressText,
        final String ownerText, final String name, final long line)
    {
        final IpAddress a = AddressText.tryParseAddress(addressText);
        if (a == null)
        {
            throw bad(name, line, "address " + AddressText.quote(addressText) + " does not parse");
        }
        final UUID owner = owner(ownerText, name, line);
        final String address = a.toString();
        final UUID before = out.putIfAbsent(address, owner);
        if (before == null)
        {
            if (out.size() > MAX_ENTRIES)
            {
                throw bad(name, line, "more than " + MAX_ENTRIES + " addresses");
            }
            lineOf.put(address, line);
        }
        else if (!before.equals(owner))
        {
            throw bad(name, line, "address " + address + " is expected for owner " + before + " on line " +
                lineOf.get(address) + " and for " + owner + " here");
        }
    }

    private static UUID owner(final String text, final String name, final long line)
    {
        if (text.length() == 36)
        {
            try
            {
                final UUID u = UUID.fromString(text);
                if (u.toString().equalsIgnoreCase(text))
                {
                    return u;
                }
            }
            catch (final IllegalArgumentException ex)
            {
                // reported below
            }
        }
        throw bad(name, line, "owner " + AddressText.quote(text) + " is not a UUID (36 characters, 8-4-4-4-12 hex)");
    }

    private static IpamException bad(final String name, final long line, final String what)
    {
        return new IpamException(ErrorCode.MALFORMED, name + " line " + line + ": " + what);
    }
}
