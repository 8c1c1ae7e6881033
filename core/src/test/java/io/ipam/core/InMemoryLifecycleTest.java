package io.ipam.core;

/**
 * The lifecycle contract in memory.
 */
class InMemoryLifecycleTest extends LifecycleContractTest
{
    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return Ipam.inMemory(config);
    }
}
