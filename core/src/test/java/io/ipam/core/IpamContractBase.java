package io.ipam.core;

import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What the contract suites of {@link Ipam} share ({@link IpamContractTest}, {@link NeutronParityContractTest}): the
 * allocator under test, opened before each test with {@link #config()} and closed after it, the owners the suites
 * use, and {@link #code} for an expected refusal. A subclass gives the allocator ({@link #newIpam}); its own
 * {@code @AfterEach} methods run before {@link #close()}.
 */
public abstract class IpamContractBase
{
    protected static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    protected static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    protected Ipam ipam;

    /**
     * @param config the configuration ({@link #config()}).
     * @return the allocator under test.
     */
    protected abstract Ipam newIpam(IpamConfig config);

    /**
     * @return the configuration every test opens its allocator with: a seeded random source.
     */
    protected IpamConfig config()
    {
        return IpamConfig.builder().randomSource(() -> RandomSource.seeded(7)).build();
    }

    @BeforeEach
    void open()
    {
        ipam = newIpam(config());
    }

    @AfterEach
    void close()
    {
        ipam.close();
    }

    /**
     * @param e a call that must be refused.
     * @return the code it was refused with.
     */
    protected static ErrorCode code(final Executable e)
    {
        return assertThrows(IpamException.class, e).code();
    }
}
