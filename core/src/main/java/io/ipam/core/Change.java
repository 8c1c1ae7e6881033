package io.ipam.core;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One entry of the change feed (SPEC 9): every state change is recorded once, in order, with a sequence one above
 * the previous one. For prefix changes {@link #subnetId()} is the pool id and {@link #address()} the child CIDR.
 * An immutable value.
 */
public final class Change
{
    private final long sequence;
    private final Instant time;
    private final ChangeKind kind;
    private final String tenant;
    private final String subnetId;
    private final String address;
    private final UUID owner;

    /**
     * @param sequence sequence, 1 for the first change.
     * @param time     the time of the command that made it.
     * @param kind     kind.
     * @param tenant   tenant, or null for the default tenant.
     * @param subnetId subnet (or pool) id, or null.
     * @param address  address (or child CIDR), or null.
     * @param owner    owner, or null.
     */
    public Change(final long sequence, final Instant time, final ChangeKind kind, final String tenant,
        final String subnetId, final String address, final UUID owner)
    {
        this.sequence = sequence;
        this.time = Objects.requireNonNull(time);
        this.kind = Objects.requireNonNull(kind);
        this.tenant = tenant;
        this.subnetId = subnetId;
        this.address = address;
        this.owner = owner;
    }

    /**
     * @return the sequence.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * @return when.
     */
    public Instant time()
    {
        return time;
    }

    /**
     * @return what.
     */
    public ChangeKind kind()
    {
        return kind;
    }

    /**
     * @return the tenant; empty for the default tenant.
     */
    public Optional<String> tenant()
    {
        return Optional.ofNullable(tenant);
    }

    /**
     * @return the subnet or prefix pool id.
     */
    public Optional<String> subnetId()
    {
        return Optional.ofNullable(subnetId);
    }

    /**
     * @return the address or child CIDR.
     */
    public Optional<String> address()
    {
        return Optional.ofNullable(address);
    }

    /**
     * @return the owner of an address change.
     */
    public Optional<UUID> owner()
    {
        return Optional.ofNullable(owner);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!(o instanceof Change))
        {
            return false;
        }
        final Change c = (Change)o;
        return c.sequence == sequence && c.time.equals(time) && c.kind == kind && Objects.equals(c.tenant, tenant) &&
            Objects.equals(c.subnetId, subnetId) && Objects.equals(c.address, address) &&
            Objects.equals(c.owner, owner);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(sequence);
    }

    @Override
    public String toString()
    {
        return "#" + sequence + " " + time + " " + kind + (tenant == null ? "" : " tenant=" + tenant) +
            (subnetId == null ? "" : " " + subnetId) + (address == null ? "" : " " + address) +
            (owner == null ? "" : " owner=" + owner);
    }
}
