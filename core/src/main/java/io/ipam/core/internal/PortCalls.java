package io.ipam.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.internal.SubnetHandles.SubnetRef;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.PortRequestFlyweight;
import io.ipam.core.protocol.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.ipam.core.internal.Edge.checkOptions;
import static io.ipam.core.internal.Edge.leaseMs;
import static io.ipam.core.internal.Edge.nonNull;

/**
 * Port requests at the edge (SPEC 3): the items checked, their subnets resolved, their addresses and MACs parsed,
 * then one {@code ALLOCATE_PORT} command; the answer read into allocations in item order. Thread-safe.
 */
final class PortCalls
{
    private static final Logger LOG = LoggerFactory.getLogger(PortCalls.class);

    private final Edge edge;

    PortCalls(final Edge edge)
    {
        this.edge = edge;
    }

    /**
     * A port request, all or nothing: see {@link io.ipam.core.Ipam#allocatePort(UUID, List, AllocationOptions)}.
     */
    List<Allocation> allocate(final UUID owner, final List<AddressRequest> items, final AllocationOptions options)
    {
        edge.checkOpen();
        checkOptions(options);
        final List<AddressRequest> copy = checkPortRequest(owner, items);
        if (copy.size() > edge.config.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a port request of " + copy.size() +
                " items is over the limit of " + edge.config.maxBulk());
        }
        final int n = copy.size();
        // every item's subnets are resolved before anything is parsed
        final SubnetRef[][] refs = new SubnetRef[n][];
        for (int i = 0; i < n; i++)
        {
            refs[i] = itemRefs(copy.get(i));
        }
        final int[] kinds = new int[n];
        final int[][] itemHandles = new int[n][];
        final IpAddress[] addresses = new IpAddress[n];
        final long[] macs = new long[n];
        for (int i = 0; i < n; i++)
        {
            final AddressRequest item = copy.get(i);
            itemHandles[i] = new int[refs[i].length];
            for (int g = 0; g < refs[i].length; g++)
            {
                itemHandles[i][g] = refs[i][g].handle;
            }
            kinds[i] = kind(item.kind());
            if (kinds[i] == PortRequestFlyweight.SPECIFIC)
            {
                addresses[i] = AddressText.parseAddress(item.value(), "address of item " + i);
            }
            else if (kinds[i] == PortRequestFlyweight.EUI64)
            {
                macs[i] = AddressText.parseMac(item.value());
            }
        }
        if (!options.isNone())
        {
            edge.ticker.ensureStarted();
        }
        // a router's request marks every allocation it makes (SPEC 2)
        final Reply r = edge.proxy.port(owner, kinds, itemHandles, addresses, macs, edge.scope,
            options.requestKey().orElse(null), leaseMs(options), options.router());
        final List<Allocation> result = edge.answers.port(r, owner, copy, refs, CommandHeader.timeMs(r.command, 0),
            options.router());
        if (LOG.isDebugEnabled())
        {
            LOG.debug("port request of {} allocated {}", owner, result);
        }
        return result;
    }

    private static int kind(final AddressRequest.Kind kind)
    {
        switch (kind)
        {
            case ANY:
                return PortRequestFlyweight.ANY;
            case NEXT:
                return PortRequestFlyweight.NEXT;
            case SPECIFIC:
                return PortRequestFlyweight.SPECIFIC;
            case EUI64:
                return PortRequestFlyweight.EUI64;
            default:
                return PortRequestFlyweight.GROUP;
        }
    }

    /**
     * The handles of an item's subnets, asked of the writer where not cached: done for every item before the
     * command is encoded.
     */
    private SubnetRef[] itemRefs(final AddressRequest item)
    {
        final List<String> ids = item.subnetIds();
        final SubnetRef[] itemRefs = new SubnetRef[ids.size()];
        for (int g = 0; g < itemRefs.length; g++)
        {
            itemRefs[g] = edge.ref(ids.get(g));
        }
        return itemRefs;
    }

    /**
     * The checks every port request gets before anything is looked up: owner and items present, every item
     * naming at least one subnet, no null anywhere.
     *
     * @param owner owner.
     * @param items items as given.
     * @return a copy of the items.
     */
    static List<AddressRequest> checkPortRequest(final UUID owner, final List<AddressRequest> items)
    {
        nonNull(owner, "owner");
        nonNull(items, "item list");
        final List<AddressRequest> copy = new ArrayList<>(items);
        if (copy.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "a port request needs one or more items");
        }
        for (int i = 0; i < copy.size(); i++)
        {
            final AddressRequest item = nonNull(copy.get(i), "item " + i);
            nonNull(item.subnetIds(), "subnet list of item " + i);
            if (item.subnetIds().isEmpty())
            {
                throw new IpamException(ErrorCode.MALFORMED, "item " + i + " names no subnet");
            }
            for (final String id : item.subnetIds())
            {
                nonNull(id, "subnet id of item " + i);
            }
        }
        return copy;
    }
}
