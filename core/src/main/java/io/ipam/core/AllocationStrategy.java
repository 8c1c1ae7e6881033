package io.ipam.core;

/**
 * How a subnet picks an address for an "any" request.
 */
public enum AllocationStrategy
{
    /** Spread over the free addresses of all pools, from a generator seeded by {@code SecureRandom}. */
    RANDOM,
    /** The lowest free address, pools in ascending order (deterministic, DHCP-style). */
    LOWEST
}
