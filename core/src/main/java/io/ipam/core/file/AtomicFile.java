package io.ipam.core.file;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
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
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * A file written whole or not at all: the content goes to a fresh temporary file beside the target
 * ({@code .<name>.tmp-<random>}, created exclusively, never through a link, 0600 for private content), which is
 * synced, put in place, and the directory synced. A reader of the target sees the old file or the new one, never
 * a part; a failure removes the temporary file and leaves the target untouched.
 * <p>
 * Putting in place either replaces the target (an atomic rename, which replaces a link rather than writing
 * through it) or, when replacing is not allowed, makes a hard link, which fails atomically if the name exists.
 * A symbolic link at the target is refused either way. Every failure is {@code STORE_IO} naming the file.
 * <pre>{@code
 * try (AtomicFile file = AtomicFile.prepare(path, true, "snapshot"))
 * {
 *     write(file.open(true));
 *     file.commit();
 * }
 * }</pre>
 * One instance per write, on one thread.
 */
public final class AtomicFile implements AutoCloseable
{
    private static final Set<StandardOpenOption> CREATE = EnumSet.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);

    private final Path target;
    private final Path tmp;
    private final boolean replace;
    private final String what;
    private OutputStream stream;
    private FileChannel channel;
    private boolean placed;

    private AtomicFile(final Path target, final Path tmp, final boolean replace, final String what)
    {
        this.target = target;
        this.tmp = tmp;
        this.replace = replace;
        this.what = what;
    }

    /**
     * Check the target and choose the temporary name beside it; nothing is created yet.
     *
     * @param file    the target.
     * @param replace true to replace an existing file, false to refuse one (also if it appears meanwhile).
     * @param what    what the file is, for messages ("snapshot", "output").
     * @return the file being written.
     * @throws IpamException {@code STORE_IO} when the target is a symbolic link, exists and may not be replaced,
     *                       or its directory does not exist.
     */
    public static AtomicFile prepare(final Path file, final boolean replace, final String what)
    {
        final Path target = file.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(target))
        {
            throw new IpamException(ErrorCode.STORE_IO, what + " " + file + " is a symbolic link; refusing to " +
                "write through it");
        }
        if (!replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        {
            throw new IpamException(ErrorCode.STORE_IO, what + " " + file + " exists");
        }
        final Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir))
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot write " + what + " " + file + ": directory " + dir +
                " does not exist");
        }
        final Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong()));
        return new AtomicFile(target, tmp, replace, what);
    }

    /**
     * @return the target, absolute.
     */
    public Path target()
    {
        return target;
    }

    /**
     * @return the temporary file's path, for a writer that creates it itself (exclusively and owner-only); it is
     * removed on {@link #close()} unless committed.
     */
    public Path tmp()
    {
        return tmp;
    }

    /**
     * Create the temporary file exclusively (never through a link) and open it.
     *
     * @param ownerOnly true for 0600 (private content: owners, keys, generator state), else 0644 less the umask.
     * @return a buffered stream; {@link #commit()} flushes and closes it (closing it earlier is fine).
     * @throws IpamException {@code STORE_IO} when the file cannot be created.
     */
    public OutputStream open(final boolean ownerOnly)
    {
        stream = new BufferedOutputStream(Channels.newOutputStream(openChannel(ownerOnly)), 1 << 16);
        return stream;
    }

    /**
     * Create the temporary file exclusively (never through a link) and hand back its channel, for a writer that
     * writes at positions, from several threads at once ({@code docs/snapshot-format.md} version 5).
     *
     * @param ownerOnly true for 0600, as for {@link #open(boolean)}.
     * @return the channel; {@link #commit()} closes it (closing it earlier is fine).
     * @throws IpamException {@code STORE_IO} when the file cannot be created.
     */
    public FileChannel openChannel(final boolean ownerOnly)
    {
        if (channel != null)
        {
            throw new IllegalStateException("already open");
        }
        try
        {
            try
            {
                final FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(ownerOnly ? "rw-------" : "rw-r--r--"));
                channel = FileChannel.open(tmp, CREATE, mode);
            }
            catch (final UnsupportedOperationException ex)
            {
                channel = FileChannel.open(tmp, CREATE);
            }
            return channel;
        }
        catch (final IOException ex)
        {
            throw failed(ex);
        }
    }

    /**
     * Sync the temporary file, put it in place and sync the directory.
     *
     * @throws IpamException {@code STORE_IO} when any step fails (the temporary file is then removed by
     *                       {@link #close()}, the target left as it was).
     */
    public void commit()
    {
        try
        {
            if (stream != null)
            {
                stream.close();
            }
            if (channel != null)
            {
                channel.close();
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))
            {
                ch.force(true);
            }
            if (replace)
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
            syncDirectory(target.getParent());
        }
        catch (final FileAlreadyExistsException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, what + " " + target + " exists", ex);
        }
        catch (final IOException ex)
        {
            throw failed(ex);
        }
    }

    /**
     * Remove the temporary file unless it was put in place.
     */
    @Override
    public void close()
    {
        if (placed)
        {
            return;
        }
        try
        {
            if (stream != null)
            {
                stream.close();
            }
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // the failure that got us here is what the caller needs to see
        }
        try
        {
            Files.deleteIfExists(tmp);
        }
        catch (final IOException ignore)
        {
            // as above
        }
    }

    private IpamException failed(final IOException ex)
    {
        return new IpamException(ErrorCode.STORE_IO, "cannot write " + what + " " + target + ": " + ex, ex);
    }

    /**
     * Sync a directory, so that a rename or a new file in it is on the device; a platform that cannot sync a
     * directory is let be (the files themselves are synced).
     *
     * @param dir the directory.
     */
    public static void syncDirectory(final Path dir)
    {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ))
        {
            ch.force(true);
        }
        catch (final IOException ex)
        {
            // not every platform can sync a directory
        }
    }
}
