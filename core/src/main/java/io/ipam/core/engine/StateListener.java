package io.ipam.core.engine;

import io.ipam.core.addr.Cidr;

/**
 * Told of every change the engine makes, on the writer's thread, before the change is acknowledged: the hook
 * of durable stores and replicators. Addresses come as two words, high and low, so a wide subnet's (IPv6 /1 to /63)
 * are whole; a narrow subnet's high word is its own (IPv4: 0). Calls happen inside the engine's step, so an implementation that throws
 * fails the request. The in-memory engine uses {@link #NONE}.
 */
public interface StateListener
{
    /** Listens to nothing. */
    StateListener NONE = new StateListener()
    {
    };

    /** Flag of an allocation or release: a router's allocation (SPEC 2). */
    int ROUTER = 1;
    /** Flag of a release: reclaimed by a reconcile (recorded {@code RECLAIMED} whatever the command's kind). */
    int RECLAIMED = 2;

    /**
     * An address was allocated.
     *
     * @param subnetId  subnet.
     * @param addressHi the address's high 64 bits (IPv4: 0; a narrow IPv6 subnet's are its own).
     * @param address   address value (IPv4: the 32-bit value; IPv6: the low 64 bits).
     * @param ownerMsb  owner high bits.
     * @param ownerLsb  owner low bits.
     * @param timeMs    allocation time.
     * @param flags     {@link #ROUTER} for a router's allocation, else 0.
     * @param keySerial the serial of the request key the allocation is made under ({@link RequestKeys.Key#serial}),
     *                  else 0. Told here, with the allocation, so that a store writes both at once: a store that
     *                  wrote the allocation first and its key link later could be killed between the two and load
     *                  an allocation that looks unkeyed, which the client's resend with its key would then not
     *                  find (a second address, the first leaked). {@link #onKeyLink} still follows.
     */
    default void onAllocated(String subnetId, long addressHi, long address, long ownerMsb, long ownerLsb,
        long timeMs, int flags, long keySerial)
    {
    }

    /**
     * An address was released, with the owner and time it had.
     *
     * @param subnetId  subnet id.
     * @param addressHi the address's high 64 bits.
     * @param address   address value.
     * @param ownerMsb  owner it had, high bits.
     * @param ownerLsb  owner it had, low bits.
     * @param timeMs    when it had been allocated.
     * @param flags     {@link #ROUTER} if it was a router's allocation, {@link #RECLAIMED} if a reconcile took it.
     */
    default void onReleased(String subnetId, long addressHi, long address, long ownerMsb, long ownerLsb,
        long timeMs, int flags)
    {
    }

    /**
     * A subnet was created or changed (pools, gateway).
     *
     * @param subnet its settings now.
     */
    default void onSubnet(EngineImage.SubnetImage subnet)
    {
    }

    /**
     * A subnet was deleted (its allocations were released first, each reported).
     *
     * @param subnetId subnet.
     */
    default void onSubnetDeleted(String subnetId)
    {
    }

    /**
     * A prefix pool was created or reshaped; its children list in the image is empty.
     *
     * @param pool its settings now.
     */
    default void onPrefixPool(EngineImage.PrefixPoolImage pool)
    {
    }

    /**
     * A child prefix was allocated.
     *
     * @param poolId pool.
     * @param child  child.
     * @param tenant requesting tenant.
     */
    default void onPrefixAllocated(String poolId, Cidr child, String tenant)
    {
    }

    /**
     * A child prefix was released.
     *
     * @param poolId pool.
     * @param child  child.
     */
    default void onPrefixReleased(String poolId, Cidr child)
    {
    }

    /**
     * An address's lease ran out: it is released as by {@link #onReleased}, which this calls unless overridden (a
     * change feed records it as {@code EXPIRED}).
     */
    default void onExpired(String subnetId, long addressHi, long address, long ownerMsb, long ownerLsb, long timeMs,
        int flags)
    {
        onReleased(subnetId, addressHi, address, ownerMsb, ownerLsb, timeMs, flags);
    }

    /**
     * A freed address entered its subnet's cooldown (it stays out of automatic choice until it has cooled).
     */
    default void onCooling(String subnetId, long addressHi, long address, long freedAt)
    {
    }

    /**
     * An address left cooldown: it cooled down, was taken again by a specific request, or its subnet went.
     */
    default void onCoolingEnded(String subnetId, long addressHi, long address)
    {
    }

    /**
     * An allocation got a lease or its lease moved.
     */
    default void onLease(String subnetId, long addressHi, long address, long expiresAt)
    {
    }

    /**
     * A keyed request succeeded: its key and first answer are remembered.
     */
    default void onKey(RequestKeys.Key key)
    {
    }

    /**
     * An allocation was made under a key (reported before the key itself, within the same command).
     */
    default void onKeyLink(String subnetId, long addressHi, long address, RequestKeys.Key key)
    {
    }

    /**
     * A key's retention passed: it is forgotten.
     */
    default void onKeyForgotten(RequestKeys.Key key)
    {
    }
}
