package io.ipam.core;

import java.util.Objects;
import java.util.UUID;

/**
 * One allocated address: its subnet, the address in canonical text, and its owner. Immutable.
 */
public final class Allocation
{
    private final String subnetId;
    private final String address;
    private final UUID owner;

    /**
     * @param subnetId the subnet.
     * @param address  canonical address text.
     * @param owner    the owner.
     */
    public Allocation(final String subnetId, final String address, final UUID owner)
    {
        this.subnetId = Objects.requireNonNull(subnetId);
        this.address = Objects.requireNonNull(address);
        this.owner = Objects.requireNonNull(owner);
    }

    /**
     * @return the subnet id.
     */
    public String subnetId()
    {
        return subnetId;
    }

    /**
     * @return the address in canonical form.
     */
    public String address()
    {
        return address;
    }

    /**
     * @return the owner.
     */
    public UUID owner()
    {
        return owner;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Allocation))
        {
            return false;
        }
        final Allocation a = (Allocation)o;
        return a.subnetId.equals(subnetId) && a.address.equals(address) && a.owner.equals(owner);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(subnetId, address, owner);
    }

    @Override
    public String toString()
    {
        return subnetId + "/" + address + "@" + owner;
    }
}
