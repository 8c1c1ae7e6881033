package io.ipam.core;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.engine.RequestKeys;
import io.ipam.core.internal.EngineIpam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 10: request keys are bounded in the bytes their kept answers hold, not only in number. A tenant that makes a
 * keyed bulk allocation and releases it, with a new key each round, cannot grow memory past the bound: the request
 * that would pass it is {@code LIMIT_EXCEEDED} before anything is applied, and keys that expire make room again.
 */
class RequestKeyBytesTest
{
    private static final UUID OWNER = new UUID(5, 5);

    private static long keptBytes(final Ipam ipam)
    {
        final long[] bytes = new long[1];
        ((EngineIpam)ipam).executor().withRole(e -> bytes[0] = e.lifecycle().keys().keptBytes());
        return bytes[0];
    }

    @Test
    void shouldRefuseAKeyedRequestWhoseAnswerWouldPassTheByteBound()
    {
        final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        final long limit = 64 * 1024;
        try (Ipam root = Ipam.inMemory(IpamConfig.builder().maxRequestKeyBytes(limit).clock(clock::get)
            .requestKeyRetention(Duration.ofMinutes(10)).build()))
        {
            root.createSubnet(SubnetSpec.builder("net", "10.0.0.0/16").tenant("acme").build());
            final Ipam acme = root.forTenant("acme");
            int rounds = 0;
            IpamException refused = null;
            for (int round = 0; round < 100 && refused == null; round++)
            {
                try
                {
                    final List<String> got = acme.allocateBulk("net", OWNER, 2000,
                        AllocationOptions.builder().requestKey("k-" + round).build());
                    assertEquals(2000, got.size());
                    assertEquals(got, acme.allocateBulk("net", OWNER, 2000,
                        AllocationOptions.builder().requestKey("k-" + round).build()), "a retry: the kept answer");
                    assertEquals(2000, acme.releaseOwner(OWNER));
                    rounds++;
                }
                catch (final IpamException ex)
                {
                    refused = ex;
                }
            }
            assertTrue(refused != null, "a new key each round never hit the byte bound");
            assertEquals(ErrorCode.LIMIT_EXCEEDED, refused.code());
            assertTrue(refused.getMessage().contains("maxRequestKeyBytes"), refused.getMessage());
            assertEquals(0, root.subnet("net").allocated(), "the refused request applied nothing");
            final long kept = keptBytes(root);
            assertTrue(kept <= limit, kept + " bytes kept");
            // a kept answer of 2,000 addresses is 16,004 bytes, 16,146 with its key's overhead: 4 fit in 64 KiB, not 5
            final long perKey = RequestKeys.cost("acme", "k-0", 4 + 8 * 2000);
            assertEquals(16_146, perKey);
            assertEquals(limit / perKey, rounds);
            assertEquals(4, rounds);
            assertEquals(rounds * perKey, kept, "what is counted");

            // a request without a key, or a small keyed one, still goes through
            assertEquals(10, acme.allocateBulk("net", OWNER, 10).size());
            acme.allocate("net", OWNER, AllocationOptions.builder().requestKey("small").build());

            // once the keys' retention has passed they are forgotten and make room again
            clock.addAndGet(Duration.ofMinutes(11).toMillis());
            acme.releaseOwner(OWNER);
            assertEquals(2000, acme.allocateBulk("net", OWNER, 2000,
                AllocationOptions.builder().requestKey("after").build()).size());
            assertTrue(keptBytes(root) < kept, "expired keys gave their bytes back");
        }
    }

    @Test
    void shouldCountTheKeptAnswers()
    {
        try (Ipam ipam = Ipam.inMemory(IpamConfig.defaults()))
        {
            ipam.createSubnet(SubnetSpec.builder("v6", "2001:db8::/64").build());
            final List<String> got = ipam.allocateBulk("v6", OWNER, 50,
                AllocationOptions.builder().requestKey("v6-key").build());
            assertEquals(got, ipam.allocateBulk("v6", OWNER, 50,
                AllocationOptions.builder().requestKey("v6-key").build()));
            assertEquals(RequestKeys.cost(null, "v6-key", 4 + 8 * 50), keptBytes(ipam));
        }
    }

    @Test
    void shouldRefuseASillyByteBound()
    {
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
            () -> IpamConfig.builder().maxRequestKeyBytes(100).build()).code());
    }
}
