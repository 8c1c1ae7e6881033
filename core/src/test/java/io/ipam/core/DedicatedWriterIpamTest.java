package io.ipam.core;

/**
 * The contract against the allocator whose writer runs on a thread of its own ({@link WriterMode#DEDICATED}).
 */
class DedicatedWriterIpamTest extends IpamContractTest
{
    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        return Ipam.inMemory(config.toBuilder().writerMode(WriterMode.DEDICATED).build());
    }
}
