package io.ipam.core.internal;

import io.ipam.core.engine.AllocatorEngine;

/**
 * Applies a {@link HotRequest} to an engine on the writer's thread. Allocates nothing.
 */
public final class HotPath
{
    private HotPath()
    {
    }

    /**
     * @param engine  the engine (writer's thread only).
     * @param r       the request; reply fields are filled.
     */
    public static void apply(final AllocatorEngine engine, final HotRequest r)
    {
        final int rc;
        switch (r.type)
        {
            case HotRequest.ALLOCATE:
                rc = engine.allocate(r.handle, r.ownerMsb, r.ownerLsb, r.timeMs);
                break;
            case HotRequest.ALLOCATE_NEXT:
                rc = engine.allocateNext(r.handle, r.ownerMsb, r.ownerLsb, r.timeMs);
                break;
            case HotRequest.ALLOCATE_SPECIFIC:
                rc = engine.allocateSpecific(r.handle, r.address, r.ownerMsb, r.ownerLsb, r.timeMs);
                break;
            case HotRequest.ALLOCATE_EUI64:
                rc = engine.allocateEui64(r.handle, r.address, r.ownerMsb, r.ownerLsb, r.timeMs);
                break;
            case HotRequest.RELEASE:
                rc = engine.release(r.handle, r.address);
                break;
            case HotRequest.RELEASE_CHECKED:
                rc = engine.release(r.handle, r.address, r.ownerMsb, r.ownerLsb);
                break;
            case HotRequest.OWNER_OF:
                rc = engine.ownerOf(r.handle, r.address);
                if (rc == AllocatorEngine.FOUND)
                {
                    r.replyOwnerMsb = engine.lastOwnerMsb();
                    r.replyOwnerLsb = engine.lastOwnerLsb();
                    r.replyTimeMs = engine.lastTime();
                }
                break;
            default:
                throw new IllegalArgumentException("unknown request type " + r.type);
        }
        r.result = rc;
        if (rc == AllocatorEngine.OK && r.type <= HotRequest.ALLOCATE_EUI64)
        {
            r.replyAddress = engine.lastAddress();
        }
    }
}
