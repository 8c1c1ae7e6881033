package io.ipam.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link AllocationOptions} validates what it is given at {@code build()}: a request key is 1-128 characters of
 * {@code [A-Za-z0-9._:-]} and a lease is positive (SPEC 9, API.md); null for either is not "none" but
 * {@code MALFORMED}, like a null argument anywhere.
 */
class AllocationOptionsTest
{
    @Test
    void shouldRefuseANullRequestKey()
    {
        final IpamException ex = assertThrows(IpamException.class,
            () -> AllocationOptions.builder().requestKey(null).build());
        assertEquals(ErrorCode.MALFORMED, ex.code());
        assertEquals("request key must be 1 to 128 characters, was null", ex.reason());
    }

    @Test
    void shouldRefuseANullLease()
    {
        final IpamException ex = assertThrows(IpamException.class,
            () -> AllocationOptions.builder().requestKey("k").lease(null).build());
        assertEquals(ErrorCode.MALFORMED, ex.code());
    }

    @Test
    void shouldRefuseKeysOutsideTheRule()
    {
        for (final String bad : new String[] {"", "a b", "k/1", "x".repeat(129)})
        {
            assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class,
                () -> AllocationOptions.builder().requestKey(bad).build()).code(), bad);
        }
    }

    @Test
    void shouldKeepWhatItWasGiven()
    {
        final AllocationOptions o = AllocationOptions.builder().requestKey("port-1").lease(Duration.ofSeconds(30))
            .build();
        assertEquals("port-1", o.requestKey().orElseThrow());
        assertEquals(Duration.ofSeconds(30), o.lease().orElseThrow());
        assertSame(AllocationOptions.none(), AllocationOptions.builder().build());
    }
}
