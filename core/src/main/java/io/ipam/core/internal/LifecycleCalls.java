package io.ipam.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.Allocation;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetStats;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.ipam.core.internal.Edge.nonNull;

/**
 * The lifecycle's calls at the edge (SPEC 9): reconcile, the change feed, per-subnet statistics; arguments
 * checked, one command each, answers read. Thread-safe.
 */
final class LifecycleCalls
{
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleCalls.class);
    private static final int MAX_CHANGES_PER_CALL = 65_536;

    private final Edge edge;

    LifecycleCalls(final Edge edge)
    {
        this.edge = edge;
    }

    ReconcileReport reconcile(final Set<UUID> liveOwners, final Duration grace, final boolean dryRun)
    {
        edge.checkOpen();
        nonNull(liveOwners, "live owner set");
        nonNull(grace, "grace");
        if (grace.isNegative())
        {
            throw new IpamException(ErrorCode.MALFORMED, "grace must not be negative, was " + grace);
        }
        final List<UUID> owners = new ArrayList<>(liveOwners);
        for (final UUID owner : owners)
        {
            nonNull(owner, "live owner");
        }
        final List<Allocation> released = edge.answers.reconciled(edge.proxy.reconcile(edge.scope, grace.toMillis(),
            dryRun, owners));
        if (!dryRun && !released.isEmpty())
        {
            LOG.info("reconcile released {} allocation(s) of owners not live", released.size());
        }
        return new ReconcileReport(released, dryRun);
    }

    List<Change> changes(final long afterSequence, final int max)
    {
        edge.checkOpen();
        if (afterSequence < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "sequence must be 0 or more, was " + afterSequence);
        }
        if (max < 1)
        {
            throw new IpamException(ErrorCode.MALFORMED, "max must be 1 or more, was " + max);
        }
        return Collections.unmodifiableList(edge.answers.read(edge.proxy.changes(edge.scope, afterSequence,
            Math.min(max, MAX_CHANGES_PER_CALL)), ReplyCodec::getChanges));
    }

    List<SubnetStats> subnetStats()
    {
        edge.checkOpen();
        return edge.answers.read(edge.proxy.scope(MessageTypes.SUBNET_STATS, edge.scope), ReplyCodec::getStats);
    }

    long lastSequence()
    {
        edge.checkOpen();
        final Reply r = edge.proxy.scope(MessageTypes.LAST_SEQUENCE, edge.scope);
        final long last = r.value;
        edge.answers.read(r, in -> in);
        return last;
    }
}
