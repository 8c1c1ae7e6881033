package io.ipam.core;

import io.ipam.core.internal.EngineIpam;

/**
 * The contract against the lock-serialised allocator (no writer thread).
 */
class LockedIpamTest extends IpamContractTest
{
    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return EngineIpam.locked(config);
    }
}
