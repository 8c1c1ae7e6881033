package io.ipam.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterBackup;
import io.aeron.cluster.ClusterBackupEventsListener;
import io.aeron.cluster.ClusterMember;
import io.aeron.cluster.RecordingLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeding a member that lost its disk ({@code --seed}): before its consensus module starts, Aeron's ClusterBackup
 * copies the latest snapshot and the log after it from the other members, so the member loads a snapshot instead
 * of replaying the whole log. Stateless.
 */
final class MemberSeeding
{
    private static final Logger LOG = LoggerFactory.getLogger(MemberSeeding.class);

    private MemberSeeding()
    {
    }

    /**
     * Copy the latest snapshot and the log after it from the other members into this member's empty directory
     * (Aeron's ClusterBackup, run on this member's driver, archive and ports before its consensus module starts), so a
     * member that lost its disk loads a snapshot instead of replaying the whole log.
     *
     * @param members              every member's {@code host:port}.
     * @param memberId             this member.
     * @param timeout              how long seeding may take.
     * @param dir                  this member's directory.
     * @param aeronDir             its media driver's directory (the driver runs).
     * @param host                 its host.
     * @param port                 its base port.
     * @param localControlStreamId its archive's local control stream.
     * @return true if a snapshot and the live log were copied.
     */
    static boolean seed(final List<String> members, final int memberId, final Duration timeout, final Path dir,
        final String aeronDir, final String host, final int port, final int localControlStreamId)
    {
        final StringBuilder others = new StringBuilder();
        for (int i = 0; i < members.size(); i++)
        {
            if (i != memberId)
            {
                others.append(others.length() == 0 ? "" : ",").append(MemberAddresses.hostOf(members.get(i)))
                    .append(':').append(MemberAddresses.portOf(members.get(i)) + 1);
            }
        }
        final String localControl = ClusterNode.LOCAL_CONTROL;
        LOG.info("member {} seeding: copying the latest snapshot and the log after it from {}", memberId, others);
        final long deadline = System.nanoTime() + timeout.toNanos();
        final AtomicLong snapshotPosition = new AtomicLong(-1);
        final AtomicLong livePosition = new AtomicLong(-1);
        final ClusterBackupEventsListener events = new ClusterBackupEventsListener()
        {
            @Override
            public void onBackupQuery()
            {
            }

            @Override
            public void onPossibleFailure(final Exception ex)
            {
                LOG.debug("seeding: {}", ex.toString());
            }

            @Override
            public void onBackupResponse(final ClusterMember[] clusterMembers,
                final ClusterMember logSourceMember,
                final List<RecordingLog.Snapshot> snapshotsToRetrieve)
            {
            }

            @Override
            public void onUpdatedRecordingLog(final RecordingLog recordingLog,
                final List<RecordingLog.Snapshot> snapshotsRetrieved)
            {
                for (final RecordingLog.Snapshot snapshot : snapshotsRetrieved)
                {
                    snapshotPosition.accumulateAndGet(snapshot.logPosition(), Math::max);
                }
            }

            @Override
            public void onLiveLogProgress(final long recordingId, final long recordingPosCounterId,
                final long logPosition)
            {
                livePosition.set(logPosition);
            }
        };
        try (ClusterBackup backup = ClusterBackup.launch(new ClusterBackup.Context()
                .aeronDirectoryName(aeronDir)
                .clusterDir(dir.resolve("cluster").toFile())
                .clusterConsensusEndpoints(others.toString())
                .consensusChannel("aeron:udp?term-length=64k|endpoint=" + host + ":" + (port + 1))
                .catchupEndpoint(host + ":0")
                .clusterBackupCoolDownIntervalNs(TimeUnit.SECONDS.toNanos(1))
                .sourceType(ClusterBackup.SourceType.ANY)
                .initialReplayStart(ClusterBackup.Configuration.ReplayStart.LATEST_SNAPSHOT)
                .eventsListener(events)
                .archiveContext(new AeronArchive.Context()
                    .aeronDirectoryName(aeronDir)
                    .controlRequestChannel(localControl)
                    .controlRequestStreamId(localControlStreamId)
                    .controlResponseChannel(localControl))
                .clusterArchiveContext(new AeronArchive.Context()
                    .aeronDirectoryName(aeronDir)
                    .controlRequestChannel("aeron:udp?endpoint=" + host + ":" + (port + 4))
                    .controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
                .errorHandler(t -> LOG.warn("seeding: {}", t.toString()))))
        {
            long backingUpSince = 0;
            while (System.nanoTime() < deadline)
            {
                final ClusterBackup.State state = ClusterBackup.State.get(backup.context().stateCounter().get());
                final long live = livePosition.get();
                final long now = System.nanoTime();
                if (state != ClusterBackup.State.BACKING_UP)
                {
                    backingUpSince = 0;
                }
                else if (backingUpSince == 0)
                {
                    backingUpSince = now;
                }
                // backing up means the log since the snapshot was replayed and the live log is being recorded; a
                // little more lets the recording take in what was in flight (a busy log never goes quiet)
                if (backingUpSince != 0 && snapshotPosition.get() >= 0 && live >= snapshotPosition.get() &&
                    now - backingUpSince > TimeUnit.MILLISECONDS.toNanos(200))
                {
                    LOG.info("member {} seeded from the cluster: snapshot at {}, live log recorded to {}",
                        memberId, snapshotPosition.get(), live);
                    return true;
                }
                Thread.sleep(5);
            }
            LOG.warn("member {} could not be seeded within {}; it replays the log from the leader instead",
                memberId, timeout);
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Wait up to 2 s until a UDP port can be bound again (the seeding's consensus endpoint, released by the driver
     * shortly after the seeding closes).
     *
     * @param host the host.
     * @param port the port.
     */
    static void awaitPortFree(final String host, final int port)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline)
        {
            try (DatagramSocket probe = new DatagramSocket(
                new InetSocketAddress(host, port)))
            {
                if (probe.getLocalPort() == port)
                {
                    return;
                }
            }
            catch (final IOException ex)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }
}
