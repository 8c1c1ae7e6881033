package io.ipam.core.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.IpRange;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.SubnetUpdate;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.ipam.core.internal.Edge.checkSubnetId;
import static io.ipam.core.internal.Edge.nonNull;

/**
 * Subnet calls at the edge (SPEC 1, 9): creating one (a view creates in its own tenant), changing its pools or
 * gateway, {@code updateSubnet} (pools, gateway and cooldown in one command, the rules checked by the writer against
 * the end state) and {@code reconcileSubnet} (the expected addresses parsed, checked and sorted here, then one
 * command). Arguments are checked before anything is sent. Thread-safe.
 */
final class SubnetCalls
{
    private static final Logger LOG = LoggerFactory.getLogger(SubnetCalls.class);

    private final Edge edge;

    SubnetCalls(final Edge edge)
    {
        this.edge = edge;
    }

    /**
     * See {@link io.ipam.core.Ipam#createSubnet(SubnetSpec)}.
     */
    SubnetInfo create(final SubnetSpec spec)
    {
        edge.checkOpen();
        final SubnetRules.Plan plan = scoped(SubnetRules.plan(spec));
        checkPoolCount(plan.poolFirst().length);
        if (plan.cooldownMs() > 0)
        {
            edge.ticker.ensureStarted();
        }
        final Reply r = edge.proxy.createSubnet(plan);
        final int handle = (int)r.value;
        final SubnetInfo info = edge.answers.read(r, ReplyCodec::getSubnet);
        edge.handles.created(plan.id(), handle, plan.cidr(), plan.tenant());
        return info;
    }

    private void checkPoolCount(final int n)
    {
        if (n > edge.config.maxPoolsPerSubnet())
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, n + " pools are over the limit of " +
                edge.config.maxPoolsPerSubnet() + " per subnet (maxPoolsPerSubnet)");
        }
    }

    /**
     * A view creates in its own tenant: a spec without a tenant gets the view's, one naming another is refused.
     */
    private SubnetRules.Plan scoped(final SubnetRules.Plan plan)
    {
        final String scope = edge.scope;
        if (scope == null || scope.equals(plan.tenant()))
        {
            return plan;
        }
        if (plan.tenant() != null)
        {
            throw Edge.forbidden("the view of tenant " + scope + " cannot create a subnet for tenant " + plan.tenant());
        }
        return SubnetRules.Plan.restored(plan.id(), scope, plan.cidr(), plan.gateway(), plan.poolFirstHi(),
            plan.poolFirst(), plan.poolLastHi(), plan.poolLast(), plan.strategy()).cooldown(plan.cooldownMs());
    }

    /**
     * See {@link io.ipam.core.Ipam#updatePools(String, List)}.
     */
    SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        checkSubnetId(subnetId);
        final List<IpAddress[]> ranges = SubnetRules.parseRanges(pools);
        checkPoolCount(ranges.size());
        edge.checkOpen();
        return edge.answers.read(edge.proxy.updatePools(edge.scope, subnetId, ranges), ReplyCodec::getSubnet);
    }

    /**
     * See {@link io.ipam.core.Ipam#updateGateway(String, String)}.
     */
    SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        checkSubnetId(subnetId);
        final IpAddress gateway = gatewayOrNull == null ? null : AddressText.parseAddress(gatewayOrNull, "gateway");
        edge.checkOpen();
        return edge.answers.read(edge.proxy.updateGateway(edge.scope, subnetId, gateway), ReplyCodec::getSubnet);
    }

    /**
     * See {@link io.ipam.core.Ipam#updateSubnet(String, SubnetUpdate)}.
     */
    SubnetInfo update(final String subnetId, final SubnetUpdate update)
    {
        checkSubnetId(subnetId);
        nonNull(update, "subnet update");
        List<IpAddress[]> ranges = null;
        if (update.changesPools())
        {
            ranges = SubnetRules.parseRanges(update.pools());
            checkPoolCount(ranges.size());
        }
        IpAddress gateway = null;
        if (update.changesGateway() && !update.removesGateway())
        {
            gateway = AddressText.parseAddress(nonNull(update.gateway(), "gateway (use noGateway() for none)"),
                "gateway");
        }
        long cooldownMs = -1;
        if (update.changesCooldown())
        {
            cooldownMs = SubnetRules.checkCooldown(update.cooldown());
            if (cooldownMs > 0)
            {
                edge.ticker.ensureStarted();
            }
        }
        edge.checkOpen();
        return edge.answers.read(edge.proxy.updateSubnet(edge.scope, subnetId, ranges, update.changesGateway(),
            gateway, cooldownMs), ReplyCodec::getSubnet);
    }

    /**
     * See {@link io.ipam.core.Ipam#reconcileSubnet(String, Map, Duration, boolean)}.
     */
    ReconcileReport reconcile(final String subnetId, final Map<String, UUID> expected, final Duration grace,
        final boolean dryRun)
    {
        checkSubnetId(subnetId);
        nonNull(expected, "expected address map");
        nonNull(grace, "grace");
        if (grace.isNegative())
        {
            throw new IpamException(ErrorCode.MALFORMED, "grace must not be negative, was " + grace);
        }
        // every entry parsed and checked, then sorted by address (the command carries them ascending)
        final List<Object[]> entries = new ArrayList<>(expected.size());
        for (final Map.Entry<String, UUID> e : expected.entrySet())
        {
            final IpAddress a = AddressText.parseAddress(nonNull(e.getKey(), "expected address"), "expected address");
            entries.add(new Object[] {a, nonNull(e.getValue(), "owner of expected address " + a)});
        }
        entries.sort(Comparator.comparing(x -> (IpAddress)x[0]));
        final int n = entries.size();
        final IpAddress[] addresses = new IpAddress[n];
        final long[] msb = new long[n];
        final long[] lsb = new long[n];
        for (int i = 0; i < n; i++)
        {
            addresses[i] = (IpAddress)entries.get(i)[0];
            if (i > 0 && addresses[i].equals(addresses[i - 1]))
            {
                throw new IpamException(ErrorCode.MALFORMED, "address " + addresses[i] + " is expected twice (as " +
                    Arrays.toString(new Object[] {entries.get(i - 1)[1], entries.get(i)[1]}) + ")");
            }
            if (i > 0 && addresses[i].isV6() != addresses[0].isV6())
            {
                throw new IpamException(ErrorCode.ADDRESS_INVALID, "expected addresses mix IPv4 and IPv6 (" +
                    addresses[0] + ", " + addresses[i] + ")");
            }
            msb[i] = ((UUID)entries.get(i)[1]).getMostSignificantBits();
            lsb[i] = ((UUID)entries.get(i)[1]).getLeastSignificantBits();
        }
        edge.checkOpen();
        final ReconcileReport report = edge.answers.reconciledSubnet(edge.proxy.reconcileSubnet(edge.scope, subnetId,
            grace.toMillis(), dryRun, addresses, msb, lsb, n), dryRun);
        if (!dryRun && LOG.isInfoEnabled() && (!report.released().isEmpty() || !report.allocated().isEmpty() ||
            !report.reowned().isEmpty()))
        {
            LOG.info("reconciled subnet {}: released {}, allocated {}, re-owned {}", subnetId,
                report.released().size(), report.allocated().size(), report.reowned().size());
        }
        return report;
    }
}
