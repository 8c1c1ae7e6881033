package io.ipam.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import io.ipam.core.Change;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.writer.WriterExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A member restored from a cluster snapshot numbers the change feed on from where the snapshot's member was (SPEC 9: a
 * restored store continues the sequence of its snapshot), as the members that never stopped do. Before this, the
 * snapshot carried sequence 0 and a restarted member numbered its changes from 1: after a failover to it, a feed
 * reader saw changes again under new numbers (the hostile test's "two holders" of one address at one log time).
 */
class ClusterSnapshotTest
{
    private static final UUID OWNER = new UUID(5, 5);

    @Test
    @Timeout(60)
    void shouldContinueTheChangeSequenceAfterARestoreFromASnapshot(@TempDir final Path dir) throws Exception
    {
        final IpamConfig config = IpamConfig.builder().writerMode(WriterMode.CALLER_RUNS).build();
        final WriterExecutor writer = new WriterExecutor(Allocators.newMemoryEngine(config), config, null);
        final Ipam ipam = Allocators.remote(config, writer);
        ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
        for (int i = 0; i < 7; i++)
        {
            ipam.allocate("s", OWNER);
        }
        final long last = ipam.lastSequence();
        assertEquals(8, last, "the subnet and seven allocations: eight changes");
        final byte[] bytes = ClusterSnapshot.encode(new ClientTable(), 42, writer, 1_000);

        final AllocatorEngine engine = Allocators.newMemoryEngine(config);
        assertEquals(42, ClusterSnapshot.decode(bytes, new ClientTable(), engine, dir));
        final WriterExecutor restored = new WriterExecutor(engine, config, null);
        final Ipam again = Allocators.remote(config, restored);
        assertEquals(last, again.lastSequence(), "the restored member's feed starts where the snapshot's was");
        again.allocate("s", OWNER);
        ipam.allocate("s", OWNER);
        final List<Change> next = again.changes(last, 10);
        assertEquals(1, next.size());
        assertEquals(last + 1, next.get(0).sequence());
        assertEquals(ipam.changes(last, 10).get(0).address(), next.get(0).address(),
            "the same change under the same number on both");

        writer.close();
        restored.close();
    }

    /**
     * A node snapshot file ({@code NODE_SNAPSHOT}) carries the feed's last sequence too: a store restored from it
     * continues it.
     */
    @Test
    @Timeout(60)
    void shouldWriteTheChangeSequenceIntoNodeSnapshots(@TempDir final Path dir) throws Exception
    {
        try (ServiceHarness h = new ServiceHarness(3))
        {
            final Ipam ipam = h.new Client(44, 1, "*").ipam();
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            for (int i = 0; i < 5; i++)
            {
                ipam.allocate("s", OWNER);
            }
            final long last = ipam.lastSequence();
            assertEquals(6, last, "the subnet and five allocations");
            final Path file = dir.resolve("node.ipam");
            Files.write(file, h.snapshots("node.ipam").get(0));
            try (Ipam fromFile = Ipam.restoreInMemory(file, IpamConfig.defaults()))
            {
                assertEquals(last, fromFile.lastSequence());
            }
        }
    }
}
