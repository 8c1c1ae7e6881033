package io.ipam.persistence;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.function.UnaryOperator;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.file.AtomicFile;

/**
 * The store's directory and its small files ({@code docs/durable-store.md}, "Files"): the directory is created
 * 0700 and refused when its group or others may write it; every file is 0600 and never opened through a symbolic
 * link; the descriptor ({@code ipam.store}) is written last, atomically, and read back with its capacity.
 */
final class StoreFiles
{
    private static final String MAGIC = "IPAMSTORE 1";
    /** Version 2 (issue 22): records of wide subnets (IPv6 /1 to /63) and of router allocations. Written, before the
     * first such record, over a version 1 descriptor; version 1 code refuses it, so it never misreads them. */
    private static final String MAGIC_2 = "IPAMSTORE 2";
    private static final String CAPACITY = "capacity ";

    private StoreFiles()
    {
    }

    /**
     * Create the store directory, owner-only, when it is absent.
     */
    static void createDirectory(final Path dir)
    {
        try
        {
            if (!Files.isDirectory(dir))
            {
                if (Files.exists(dir))
                {
                    throw new IpamException(ErrorCode.STORE_IO, dir + " exists and is not a directory");
                }
                try
                {
                    Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                }
                catch (final UnsupportedOperationException ex)
                {
                    Files.createDirectories(dir);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot create store directory " + dir + ": " + ex, ex);
        }
    }

    /**
     * Create a store file owner-only, or make an existing one so; never through a link.
     *
     * @param file the file.
     * @return the file.
     * @throws IOException when it cannot be created.
     */
    static Path ownerOnly(final Path file) throws IOException
    {
        refuseLink(file);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            try
            {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
            catch (final UnsupportedOperationException ex)
            {
                // not a POSIX file system: nothing to tighten
            }
            return file;
        }
        try
        {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        catch (final UnsupportedOperationException ex)
        {
            Files.createFile(file);
        }
        return file;
    }

    /**
     * Store files are never opened through a symbolic link (one planted there would redirect writes).
     */
    static void refuseLink(final Path file)
    {
        if (Files.isSymbolicLink(file))
        {
            throw new IpamException(ErrorCode.STORE_IO, "store file " + file + " is a symbolic link; refusing to " +
                "follow it (remove the link)");
        }
    }

    /**
     * A store directory that others may write to lets them replace or plant files (links to other files, a
     * descriptor of their own): refused, with the fix.
     */
    static void checkDirectory(final Path dir)
    {
        try
        {
            final Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) ||
                perms.contains(PosixFilePermission.OTHERS_WRITE))
            {
                throw new IpamException(ErrorCode.STORE_IO, "store directory " + dir + " is writable by group or " +
                    "others (" + PosixFilePermissions.toString(perms) + "); refusing to use it: run chmod go-w " +
                    dir + " (or chmod 700)");
            }
        }
        catch (final UnsupportedOperationException ex)
        {
            // not a POSIX file system: nothing to check
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read the permissions of " + dir + ": " + ex, ex);
        }
    }

    /**
     * A directory without a descriptor must hold nothing but a lock and a dirty marker (an unfinished store, or
     * someone else's files): anything else is refused and left alone.
     */
    static void checkNoForeignFiles(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            for (final Path f : (Iterable<Path>)files::iterator)
            {
                final String name = f.getFileName().toString();
                if (!name.equals(DurableStore.LOCK) && !name.equals(DurableStore.DIRTY))
                {
                    throw new IpamException(ErrorCode.STORE_CORRUPT, "directory " + dir + " holds " + f +
                        " but no " + DurableStore.DESCRIPTOR + ": not an ipam store, or an unfinished one; refusing " +
                        "to touch it");
                }
            }
        }
    }

    /**
     * @return the capacity the descriptor records, or 0 for a descriptor written before capacities were kept.
     */
    static long readDescriptor(final Path dir) throws IOException
    {
        return readDescriptor(dir, null);
    }

    /**
     * @param version receives the descriptor's version (1 or 2) in its first element, or null.
     * @return the capacity the descriptor records, or 0 for a descriptor written before capacities were kept.
     */
    static long readDescriptor(final Path dir, final int[] version) throws IOException
    {
        final Path f = dir.resolve(DurableStore.DESCRIPTOR);
        refuseLink(f);
        final byte[] bytes;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))
        {
            if (ch.size() > 4096)
            {
                throw new IpamException(ErrorCode.STORE_CORRUPT, f + " is not an ipam store descriptor (" +
                    ch.size() + " bytes)");
            }
            final ByteBuffer b = ByteBuffer.allocate((int)ch.size());
            while (b.hasRemaining() && ch.read(b) >= 0)
            {
                // read it all
            }
            bytes = Arrays.copyOf(b.array(), b.position());
        }
        final String[] lines = new String(bytes, StandardCharsets.UTF_8).trim().split("\n");
        final String magic = lines[0].trim();
        if (!magic.equals(MAGIC) && !magic.equals(MAGIC_2))
        {
            throw new IpamException(ErrorCode.STORE_CORRUPT, f + " is not an ipam store descriptor (expected '" +
                MAGIC + "' or '" + MAGIC_2 + "')");
        }
        if (version != null)
        {
            version[0] = magic.equals(MAGIC_2) ? 2 : 1;
        }
        long capacity = 0;
        for (int i = 1; i < lines.length; i++)
        {
            final String line = lines[i].trim();
            if (line.startsWith(CAPACITY))
            {
                try
                {
                    capacity = Long.parseLong(line.substring(CAPACITY.length()).trim());
                }
                catch (final NumberFormatException ex)
                {
                    capacity = -1;
                }
                if (capacity < 1)
                {
                    throw new IpamException(ErrorCode.STORE_CORRUPT, f + " holds a bad capacity line '" + line + "'");
                }
            }
        }
        return capacity;
    }

    /**
     * Write the descriptor, last when a store is created, atomically and never over an existing one.
     */
    static void writeDescriptor(final Path dir, final long capacity) throws IOException
    {
        try (AtomicFile descriptor = AtomicFile.prepare(dir.resolve(DurableStore.DESCRIPTOR), false,
            "store descriptor"))
        {
            final OutputStream out = descriptor.open(true);
            out.write((MAGIC + "\n" + CAPACITY + capacity + "\n").getBytes(StandardCharsets.UTF_8));
            descriptor.commit();
        }
    }

    /**
     * Raise the descriptor to version 2, atomically and synced, before the first record version 1 code cannot read.
     *
     * @param fail marks the store failed and gives the exception to throw.
     * @return 2, the version now.
     */
    static int upgradeDescriptor(final Path dir, final long capacity, final UnaryOperator<IpamException> fail)
    {
        try (AtomicFile descriptor = AtomicFile.prepare(dir.resolve(DurableStore.DESCRIPTOR), true,
            "store descriptor"))
        {
            final OutputStream out = descriptor.open(true);
            out.write((MAGIC_2 + "\n" + CAPACITY + capacity + "\n").getBytes(StandardCharsets.UTF_8));
            descriptor.commit();
            return 2;
        }
        catch (final IOException | RuntimeException ex)
        {
            throw fail.apply(ex instanceof IpamException ? (IpamException)ex : new IpamException(ErrorCode.STORE_IO,
                "cannot raise the descriptor of store " + dir + " to version 2: " + ex, ex));
        }
    }
}
