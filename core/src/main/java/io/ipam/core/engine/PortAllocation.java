package io.ipam.core.engine;

import java.util.Arrays;

/**
 * Serves a {@link PortRequest} all or nothing: specific and EUI-64 items first, then automatic ones, each in item
 * order, a group falling through to its next subnet on {@code EXHAUSTED}; on any failure everything the request took
 * is released before the code is returned. Writer's thread only.
 */
final class PortAllocation
{
    private final Allocations allocations;

    PortAllocation(final Allocations allocations)
    {
        this.allocations = allocations;
    }

    /**
     * @return {@link AllocatorEngine#OK} (the allocations' time and lease end in {@code scratch}) or a negative error
     * code ({@link PortRequest#failedItem()} names the item).
     */
    int serve(final PortRequest req, final long ownerMsb, final long ownerLsb, final long timeMs,
        final AllocationTerms terms, final EngineResult scratch)
    {
        req.failedItem = -1;
        req.failedHandle = -1;
        Arrays.fill(req.done, 0, req.count, false);
        if (!allocations.hasRoom(req.count))
        {
            req.failedItem = 0;
            return allocations.fullCode();
        }
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < req.count; i++)
            {
                final byte kind = req.kind[i];
                final boolean fixed = kind == PortRequest.SPECIFIC || kind == PortRequest.EUI64;
                if (fixed != (pass == 0))
                {
                    continue;
                }
                final int rc = serveItem(req, i, ownerMsb, ownerLsb, timeMs, terms, scratch);
                if (rc != AllocatorEngine.OK)
                {
                    rollback(req);
                    req.failedItem = i;
                    return rc;
                }
                req.done[i] = true;
                req.resultAddress[i] = scratch.address;
                req.resultAddressHi[i] = scratch.addressHi;
            }
        }
        scratch.timeMs = timeMs;
        scratch.expiresAt = allocations.leaseEnd(terms);
        return AllocatorEngine.OK;
    }

    private int serveItem(final PortRequest req, final int i, final long msb, final long lsb, final long time,
        final AllocationTerms terms, final EngineResult out)
    {
        final int h = req.handle[i];
        req.resultHandle[i] = h;
        req.failedHandle = h;
        switch (req.kind[i])
        {
            case PortRequest.ANY:
                return allocations.allocate(allocations.subnet(h), false, msb, lsb, time, terms, out);
            case PortRequest.NEXT:
                return allocations.allocate(allocations.subnet(h), true, msb, lsb, time, terms, out);
            case PortRequest.SPECIFIC:
                return specific(req, i, h, msb, lsb, time, terms, out);
            case PortRequest.EUI64:
                return allocations.allocateEui64(h, req.lo[i], msb, lsb, time, terms, out);
            default:
            {
                final int start = req.groupStart[i];
                final int n = req.groupLength[i];
                if (n == 0)
                {
                    return ErrorCodes.MALFORMED;
                }
                for (int g = 0; g < n; g++)
                {
                    final int gh = req.groupHandles[start + g];
                    req.resultHandle[i] = gh;
                    req.failedHandle = gh;
                    final int rc = allocations.allocate(allocations.subnet(gh), false, msb, lsb, time, terms,
                        out);
                    if (rc != ErrorCodes.EXHAUSTED)
                    {
                        return rc;
                    }
                }
                return ErrorCodes.EXHAUSTED;
            }
        }
    }

    private int specific(final PortRequest req, final int i, final int h, final long msb, final long lsb,
        final long time, final AllocationTerms terms, final EngineResult out)
    {
        final Subnet s = allocations.subnet(h);
        if (s == null)
        {
            return ErrorCodes.SUBNET_NOT_FOUND;
        }
        if (req.v6[i] != s.v6)
        {
            return ErrorCodes.ADDRESS_INVALID;
        }
        return allocations.allocateSpecific(s, true, s.v6 ? req.hi[i] : 0, req.lo[i], msb, lsb, time, terms, out);
    }

    private void rollback(final PortRequest req)
    {
        for (int i = 0; i < req.count; i++)
        {
            if (req.done[i])
            {
                allocations.lookups.release(req.resultHandle[i], true, req.resultAddressHi[i], req.resultAddress[i], false, 0,
                    0);
                req.done[i] = false;
            }
        }
    }
}
