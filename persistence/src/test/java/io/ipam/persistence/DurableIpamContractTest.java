package io.ipam.persistence;

import java.nio.file.Path;

import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamContractTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole SPEC contract against a durable store (each test in a fresh directory).
 */
class DurableIpamContractTest extends IpamContractTest
{
    @TempDir
    Path dir;

    private int stores;

    @Override
    protected Ipam newIpam(final IpamConfig config)
    {
        final IpamConfig sized = IpamConfig.builder().storeCapacity(20_000).maxBulk(config.maxBulk())
            .randomSource(config.randomSource()).build();
        return DurableIpam.open(dir.resolve("store" + stores++), sized);
    }
}
