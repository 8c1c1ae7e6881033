package io.ipam.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * A member's directory: one process at a time holds it ({@code member.lock}), and the mark files a killed holder left
 * are cleared when the lock is taken. Stateless.
 */
final class MemberDirectory
{
    private MemberDirectory()
    {
    }

    /**
     * Lock the member's directory for this process and clear the mark files a killed process left: while the lock
     * is held no other process runs this member (the OS drops the lock with its holder, SIGKILL included), so a mark
     * file found then is stale, and Aeron would refuse it as active for its liveness timeout after a crash.
     */
    static FileChannel lock(final Path dir)
    {
        try
        {
            final FileChannel channel = FileChannel.open(dir.resolve("member.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null)
            {
                channel.close();
                throw new IpamException(ErrorCode.STORE_IO, "another process runs the member in " + dir);
            }
            Files.deleteIfExists(dir.resolve("archive").resolve("archive-mark.dat"));
            final Path cluster = dir.resolve("cluster");
            if (Files.isDirectory(cluster))
            {
                try (Stream<Path> files = Files.list(cluster))
                {
                    for (final Path f : (Iterable<Path>)files::iterator)
                    {
                        final String name = f.getFileName().toString();
                        if (name.startsWith("cluster-mark") && name.endsWith(".dat"))
                        {
                            Files.delete(f);
                        }
                    }
                }
            }
            return channel;
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "this process runs the member in " + dir + " already");
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot lock " + dir + ": " + ex.getMessage());
        }
    }

    /**
     * @param root a directory to delete with everything in it (nothing if it is absent).
     */
    static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot clear " + root + ": " + ex.getMessage());
        }
    }
}
