package io.ipam.core.writer;

import io.ipam.core.engine.PortRequest;
import io.ipam.core.protocol.PortRequestFlyweight;

/**
 * Fills a port request from the items read, and mixes each into the request's fingerprint when one is wanted (a
 * keyed request, SPEC 9). The adapter's; writer's thread only.
 */
final class PortItems implements PortRequestFlyweight.ItemSink
{
    private final PortRequest port;
    private final KeyedRequests keyed;
    boolean fingerprinted;
    long hash;

    PortItems(final PortRequest port, final KeyedRequests keyed)
    {
        this.port = port;
        this.keyed = keyed;
    }

    @Override
    public void onItem(final int index, final int kind, final int[] handles, final int handleCount,
        final boolean v6, final long hi, final long lo)
    {
        switch (kind)
        {
            case PortRequestFlyweight.ANY:
                port.any(handles[0]);
                break;
            case PortRequestFlyweight.NEXT:
                port.next(handles[0]);
                break;
            case PortRequestFlyweight.SPECIFIC:
                port.specific(handles[0], v6, hi, lo);
                break;
            case PortRequestFlyweight.EUI64:
                port.eui64(handles[0], lo);
                break;
            default:
                port.anyOf(handles, handleCount);
        }
        if (fingerprinted)
        {
            long h = KeyedRequests.mix(KeyedRequests.mix(hash, kind), handleCount);
            for (int i = 0; i < handleCount; i++)
            {
                h = keyed.mixSubnet(h, handles[i]);
            }
            if (kind == PortRequestFlyweight.SPECIFIC)
            {
                h = KeyedRequests.mix(KeyedRequests.mix(h, hi), lo);
            }
            else if (kind == PortRequestFlyweight.EUI64)
            {
                h = KeyedRequests.mix(h, lo);
            }
            hash = h;
        }
    }
}
