package io.ipam.core;

/**
 * The contract against the in-memory allocator.
 */
class InMemoryIpamTest extends IpamContractTest
{
    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return Ipam.inMemory(config);
    }
}
