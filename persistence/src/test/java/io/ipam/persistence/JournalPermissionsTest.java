package io.ipam.persistence;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.ipam.core.Ipam;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The change journal holds addresses, owners and tenants: its directory is the owner's only (0700) and each
 * segment 0600, whatever the process's umask gives new files (issue 25).
 */
class JournalPermissionsTest
{
    @TempDir
    Path tmp;

    @Test
    void shouldKeepTheJournalOwnerOnly() throws Exception
    {
        final Path store = tmp.resolve("store");
        try (Ipam ipam = DurableIpam.open(store))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            ipam.allocate("s", new UUID(1, 2));
        }
        final Path dir = store.resolve(ChangeJournal.DIR);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir,
            LinkOption.NOFOLLOW_LINKS)));
        final List<Path> segments;
        try (Stream<Path> s = Files.list(dir))
        {
            segments = s.collect(Collectors.toList());
        }
        assertFalse(segments.isEmpty(), "a journal segment was written");
        for (final Path f : segments)
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f,
                LinkOption.NOFOLLOW_LINKS)), f.toString());
        }
        // and it reopens
        try (Ipam ipam = DurableIpam.open(store))
        {
            assertEquals(1, ipam.subnet("s").allocated());
        }
    }
}
