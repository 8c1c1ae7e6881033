package io.ipam.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.NeutronParityContractTest;
import io.ipam.core.SnapshotInfo;
import org.junit.jupiter.api.AfterEach;

/**
 * The Neutron parity contract (issue 22) through a cluster client: commands carried by the cluster's log and
 * answers (a wide subnet's address high bits, router marks, the reconcile report) by its envelope. One member per
 * test (the log, the session and the envelope are what is under test; replication is ClusterIpamTest's).
 */
class ClusterNeutronParityTest extends NeutronParityContractTest
{
    private LocalCluster cluster;

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        try
        {
            cluster = new LocalCluster(1);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return cluster.client();
    }

    @Override
    protected Path snapshotFile(final SnapshotInfo info, final Path asked)
    {
        // the member writes it into its own directory; followers of a bigger cluster do too
        final Path file = cluster.root.resolve("node-0").resolve(info.file());
        for (int i = 0; i < 200 && !Files.exists(file); i++)
        {
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return file;
    }

    @AfterEach
    void stopCluster() throws IOException
    {
        cluster.close();
    }
}
