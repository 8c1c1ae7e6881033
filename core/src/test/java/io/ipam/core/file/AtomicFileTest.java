package io.ipam.core.file;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AtomicFile}: whole or nothing, owner-only when private, never through a link (issue 25), and no temporary
 * file left behind whatever happens.
 */
class AtomicFileTest
{
    @TempDir
    Path dir;

    private static void write(final Path file, final boolean replace, final boolean ownerOnly, final String text)
        throws IOException
    {
        try (AtomicFile f = AtomicFile.prepare(file, replace, "test file"))
        {
            final OutputStream out = f.open(ownerOnly);
            out.write(text.getBytes(StandardCharsets.UTF_8));
            f.commit();
        }
    }

    private List<Path> leftovers() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().contains(".tmp-")).toList();
        }
    }

    private static String mode(final Path file) throws IOException
    {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    @Test
    void shouldWritePrivateFilesOwnerOnlyAndReplaceThemWhole() throws IOException
    {
        final Path file = dir.resolve("private");
        write(file, true, true, "one");
        assertEquals("one", Files.readString(file));
        assertEquals("rw-------", mode(file));
        // an existing file, even one others could read, is replaced by an owner-only one
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        write(file, true, true, "two");
        assertEquals("two", Files.readString(file));
        assertEquals("rw-------", mode(file));
        write(dir.resolve("shared"), true, false, "x");
        final String shared = mode(dir.resolve("shared"));
        assertTrue(shared.startsWith("rw-") && shared.charAt(4) == '-' && shared.charAt(7) == '-', shared);
        assertTrue(leftovers().isEmpty());
    }

    @Test
    void shouldNeverWriteThroughASymbolicLink() throws IOException
    {
        final Path victim = dir.resolve("victim");
        Files.writeString(victim, "precious");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        final Path link = Files.createSymbolicLink(dir.resolve("link"), victim);
        for (final boolean replace : new boolean[] {true, false})
        {
            final IpamException ex = assertThrows(IpamException.class, () -> write(link, replace, true, "evil"));
            assertEquals(ErrorCode.STORE_IO, ex.code());
            assertTrue(ex.getMessage().contains("symbolic link"), ex.getMessage());
        }
        // a link planted where the temporary file goes is not followed either: the exclusive create fails
        try (AtomicFile f = AtomicFile.prepare(dir.resolve("target"), true, "test file"))
        {
            Files.createSymbolicLink(f.tmp(), victim);
            assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> f.open(true)).code());
        }
        assertEquals("precious", Files.readString(victim));
        assertEquals("rw-r--r--", mode(victim));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void shouldNotReplaceWhenToldNotTo() throws IOException
    {
        final Path file = dir.resolve("kept");
        Files.writeString(file, "mine");
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> write(file, false, true, "x"))
            .code());
        // a file that appears between prepare and commit is not replaced either
        final Path late = dir.resolve("late");
        try (AtomicFile f = AtomicFile.prepare(late, false, "test file"))
        {
            f.open(true).write('x');
            Files.writeString(late, "theirs");
            assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, f::commit).code());
        }
        assertEquals("mine", Files.readString(file));
        assertEquals("theirs", Files.readString(late));
        assertTrue(leftovers().isEmpty());
    }

    @Test
    void shouldLeaveTheOldFileAndNoTemporaryFileWhenAWriteFails() throws IOException
    {
        final Path file = dir.resolve("old");
        write(file, true, true, "old");
        // never committed: the old file stays, the temporary file goes
        try (AtomicFile f = AtomicFile.prepare(file, true, "test file"))
        {
            f.open(true).write("half".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals("old", Files.readString(file));
        // a target that cannot be replaced (a non-empty directory)
        final Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("inner"));
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class, () -> write(blocked, true, true, "x"))
            .code());
        assertTrue(Files.isDirectory(blocked.resolve("inner")));
        // no directory to write in
        assertEquals(ErrorCode.STORE_IO, assertThrows(IpamException.class,
            () -> AtomicFile.prepare(dir.resolve("missing").resolve("f"), true, "test file")).code());
        assertTrue(leftovers().isEmpty());
    }
}
