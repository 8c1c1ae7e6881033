package io.ipam.core.writer;

import java.util.List;

import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.PrefixPools;
import io.ipam.core.engine.SubnetMaps;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.SubnetMapCodec;
import io.ipam.core.protocol.SubnetMapFlyweight;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * The queries an operator's view needs (issue 27), applied for the {@link CommandAdapter}: a subnet's map
 * ({@code SUBNET_MAP}, the engine's {@link SubnetMaps}) and the list of prefix pools ({@code LIST_PREFIX_POOLS}).
 * Neither changes state but for the due leases every query expires. Writer's thread only.
 */
final class MapCommands
{
    private final SubnetMaps maps;
    private final PrefixPools prefixPools;
    private final SubnetMapFlyweight subnetMap = new SubnetMapFlyweight();

    MapCommands(final SubnetMaps maps, final PrefixPools prefixPools)
    {
        this.maps = maps;
        this.prefixPools = prefixPools;
    }

    void onSubnetMap(final DirectBuffer b, final int offset, final int length, final Reply reply, final Wire out)
    {
        final SubnetMapFlyweight f = subnetMap.wrap(b, offset, length);
        final SubnetMaps.Sheet sheet = maps.map(f.id(), f.scope(), f.window(), f.cellBits());
        out.writeTo(reply.payload, 0);
        SubnetMapCodec.putHead(out, sheet.subnet(), sheet.window(), sheet.timeMs(), sheet.cellBits(),
            sheet.addressBits());
        final int cellsAt = ReplyCodec.beginList(out);
        int cells = 0;
        for (int c = 0; c < sheet.cells(); c++)
        {
            if (sheet.held(c) != 0 || sheet.cooling(c) != 0 || sheet.leased(c) != 0 || sheet.router(c) != 0)
            {
                SubnetMapCodec.putCell(out, c, sheet.held(c), sheet.cooling(c), sheet.leased(c), sheet.router(c));
                cells++;
            }
        }
        ReplyCodec.endList(out, cellsAt, cells);
        final boolean v6 = sheet.window().isV6();
        final int entriesAt = ReplyCodec.beginList(out);
        for (int i = 0; i < sheet.entries(); i++)
        {
            SubnetMapCodec.putEntry(out, new IpAddress(v6, sheet.entryHi(i), sheet.entryLo(i)), sheet.entryState(i),
                sheet.entryOwnerMsb(i), sheet.entryOwnerLsb(i), sheet.entryTime(i), sheet.entryUntil(i),
                sheet.entryRouter(i));
        }
        ReplyCodec.endList(out, entriesAt, sheet.entries());
        reply.payloadLength = out.position();
    }

    void onListPrefixPools(final Reply reply, final Wire out)
    {
        final List<String> ids = prefixPools.ids();
        out.writeTo(reply.payload, 0).putInt(ids.size());
        for (final String id : ids)
        {
            ReplyCodec.putPool(out, prefixPools.info(id));
        }
        reply.payloadLength = out.position();
    }
}
