package io.ipam.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.SubnetMap;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.SubnetMapCodec;

import static io.ipam.core.internal.Edge.checkSubnetId;

/**
 * The operator's view's calls at the edge (issue 27): a subnet's map and the list of prefix pools; arguments
 * checked, one query each, answers read. Thread-safe.
 */
final class MapCalls
{
    private final Edge edge;

    MapCalls(final Edge edge)
    {
        this.edge = edge;
    }

    SubnetMap subnetMap(final String subnetId, final String window, final int cellBits)
    {
        edge.checkOpen();
        final String id = checkSubnetId(subnetId);
        final Cidr w = window == null ? null : AddressText.parseCidr(window, "window");
        if (cellBits < 0 || cellBits > SubnetMap.MAX_CELL_BITS)
        {
            throw new IpamException(ErrorCode.MALFORMED, "cell bits must be 0 to " + SubnetMap.MAX_CELL_BITS +
                ", was " + cellBits);
        }
        return edge.answers.read(edge.proxy.subnetMap(edge.scope, id, w, cellBits), SubnetMapCodec::get);
    }

    List<PrefixPoolInfo> prefixPools()
    {
        edge.checkOpen();
        return edge.answers.read(edge.proxy.listPrefixPools(), in ->
        {
            final int n = in.getCount(16);
            final List<PrefixPoolInfo> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                out.add(ReplyCodec.getPool(in));
            }
            return Collections.unmodifiableList(out);
        });
    }
}
