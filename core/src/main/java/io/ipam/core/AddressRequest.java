package io.ipam.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One item of a port request ({@link Ipam#allocatePort(java.util.UUID, List)}). Immutable; validated when
 * the request is served.
 */
public final class AddressRequest
{
    /**
     * What an item asks for.
     */
    public enum Kind
    {
        /** Any address by the subnet's strategy. */
        ANY,
        /** The lowest free address. */
        NEXT,
        /** One given address. */
        SPECIFIC,
        /** The modified EUI-64 address of a MAC in an IPv6 /64. */
        EUI64,
        /** Any address from the first subnet of a group that is not exhausted. */
        ANY_OF
    }

    private final Kind kind;
    private final List<String> subnetIds;
    private final String value;

    private AddressRequest(final Kind kind, final List<String> subnetIds, final String value)
    {
        this.kind = kind;
        this.subnetIds = subnetIds;
        this.value = value;
    }

    /**
     * @param subnetId subnet.
     * @return an item for any address by the subnet's strategy.
     */
    public static AddressRequest any(final String subnetId)
    {
        return new AddressRequest(Kind.ANY, Collections.singletonList(subnetId), null);
    }

    /**
     * @param subnetId subnet.
     * @return an item for the lowest free address.
     */
    public static AddressRequest next(final String subnetId)
    {
        return new AddressRequest(Kind.NEXT, Collections.singletonList(subnetId), null);
    }

    /**
     * @param subnetId subnet.
     * @param address  the address wanted.
     * @return an item for one given address.
     */
    public static AddressRequest specific(final String subnetId, final String address)
    {
        return new AddressRequest(Kind.SPECIFIC, Collections.singletonList(subnetId), address);
    }

    /**
     * @param subnetId an IPv6 /64 subnet.
     * @param mac      48-bit MAC.
     * @return an item for the EUI-64 address of the MAC.
     */
    public static AddressRequest eui64(final String subnetId, final String mac)
    {
        return new AddressRequest(Kind.EUI64, Collections.singletonList(subnetId), mac);
    }

    /**
     * A group: subnets tried in order, falling through only on {@code EXHAUSTED}.
     *
     * @param subnetIds the subnets, in order (copied).
     * @return an item for any address of the group.
     */
    public static AddressRequest anyOf(final List<String> subnetIds)
    {
        return new AddressRequest(Kind.ANY_OF,
            subnetIds == null ? null : Collections.unmodifiableList(new ArrayList<>(subnetIds)), null);
    }

    /**
     * @return what the item asks for.
     */
    public Kind kind()
    {
        return kind;
    }

    /**
     * @return the subnet id (the first of a group).
     */
    public String subnetId()
    {
        return subnetIds == null || subnetIds.isEmpty() ? null : subnetIds.get(0);
    }

    /**
     * @return the subnet ids: one, or the group's in order; null if null was given.
     */
    public List<String> subnetIds()
    {
        return subnetIds;
    }

    /**
     * @return the address of a specific item, the MAC of an EUI-64 item, else null.
     */
    public String value()
    {
        return value;
    }

    @Override
    public String toString()
    {
        return kind + (subnetIds == null ? "(null)" : subnetIds.toString()) + (value == null ? "" : " " + value);
    }
}
