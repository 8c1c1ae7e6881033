package io.ipam.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.security.CredentialsSupplier;
import io.aeron.security.NullCredentialsSupplier;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * A cluster client that sends whatever bytes a test gives it, in its own media driver: what a hostile program on the
 * network can do (forged envelopes, hostile lengths, other credentials). Tests only.
 */
final class RawClusterClient implements AutoCloseable
{
    private final MediaDriver driver;
    private final AeronCluster cluster;
    final List<byte[]> egress = new ArrayList<>();

    RawClusterClient(final List<String> members)
    {
        this(members, new NullCredentialsSupplier());
    }

    RawClusterClient(final List<String> members, final CredentialsSupplier credentials)
    {
        this(members, credentials, null);
    }

    /**
     * @param aeronDir a running media driver's directory, or null for one of its own.
     */
    RawClusterClient(final List<String> members, final CredentialsSupplier credentials, final String aeronDir)
    {
        driver = aeronDir != null ? null : MediaDriver.launchEmbedded(new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED).termBufferSparseFile(true).dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        try
        {
            cluster = AeronCluster.connect(new AeronCluster.Context()
                .aeronDirectoryName(aeronDir != null ? aeronDir : driver.aeronDirectoryName())
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ClusterNode.ingressEndpoints(members))
                .egressChannel("aeron:udp?endpoint=localhost:0")
                .credentialsSupplier(credentials)
                .messageTimeoutNs(TimeUnit.SECONDS.toNanos(5))
                .egressListener((sessionId, timestamp, buffer, offset, length, header) ->
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    egress.add(copy);
                }));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(driver);
            throw ex;
        }
    }

    /**
     * Offer a message until the cluster takes it (at most 5 s), then poll answers for a while.
     */
    void send(final DirectBuffer buffer, final int length) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cluster.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the cluster took no message within 5 s");
            }
            cluster.pollEgress();
            Thread.sleep(1);
        }
    }

    /**
     * Poll the egress for a while (answers land in {@link #egress}).
     */
    void poll(final long ms) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < deadline)
        {
            if (cluster.pollEgress() == 0)
            {
                Thread.sleep(1);
            }
        }
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(cluster, driver);
    }
}
