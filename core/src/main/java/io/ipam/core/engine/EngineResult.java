package io.ipam.core.engine;

import io.ipam.core.addr.Cidr;

/**
 * What an engine call made or found besides its result code, written into the caller's instance (one the caller
 * reuses, so the hot path allocates nothing): the address an allocation chose; the owner, allocation time and lease
 * end an owner lookup found; the lease end a renewal set; the child a prefix allocation took. Each call says which
 * fields it writes; the others keep their values. Not thread-safe: one per writer.
 */
public final class EngineResult
{
    long address;
    long addressHi;
    boolean wide;
    boolean router;
    long ownerMsb;
    long ownerLsb;
    long timeMs;
    long expiresAt;
    Cidr prefix;

    /**
     * @return the address value an allocation chose (the low 64 bits; IPv4: the 32-bit value).
     */
    public long address()
    {
        return address;
    }

    /**
     * @return the high 64 bits of the address an allocation chose (IPv4: 0; a narrow IPv6 subnet's own).
     */
    public long addressHi()
    {
        return addressHi;
    }

    /**
     * @return true when the allocation was made in a wide subnet (IPv6 /1 to /63), whose answers carry the address's
     * high bits.
     */
    public boolean wide()
    {
        return wide;
    }

    /**
     * @return true when the allocation an owner lookup found is a router's (SPEC 2).
     */
    public boolean router()
    {
        return router;
    }

    /**
     * @return the owner's high bits an owner lookup found.
     */
    public long ownerMsb()
    {
        return ownerMsb;
    }

    /**
     * @return the owner's low bits an owner lookup found.
     */
    public long ownerLsb()
    {
        return ownerLsb;
    }

    /**
     * @return the allocation time (epoch ms) an owner lookup found.
     */
    public long timeMs()
    {
        return timeMs;
    }

    /**
     * @return the lease end (epoch ms) an owner lookup found or a renewal set; 0 for an allocation without a lease.
     */
    public long expiresAt()
    {
        return expiresAt;
    }

    /**
     * @return the child prefix an allocation took.
     */
    public Cidr prefix()
    {
        return prefix;
    }
}
