package io.ipam.core;

/**
 * The Neutron parity contract (issue 22) against the in-memory allocator.
 */
class InMemoryNeutronParityTest extends NeutronParityContractTest
{
    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return Ipam.inMemory(config);
    }
}
