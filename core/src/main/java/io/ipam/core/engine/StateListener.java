package io.ipam.core.engine;

import io.ipam.core.addr.Cidr;

/**
 * Told of every change the engine makes, on the writer's thread, before the change is acknowledged: the hook
 * of durable stores and replicators. Calls happen inside the engine's step, so an implementation that throws
 * fails the request. The in-memory engine uses {@link #NONE}.
 */
public interface StateListener
{
    /** Listens to nothing. */
    StateListener NONE = new StateListener()
    {
    };

    /**
     * An address was allocated.
     *
     * @param subnetId subnet.
     * @param address  address value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     */
    default void onAllocated(String subnetId, long address, long ownerMsb, long ownerLsb, long timeMs)
    {
    }

    /**
     * An address was released.
     *
     * @param subnetId subnet.
     * @param address  address value.
     */
    default void onReleased(String subnetId, long address)
    {
    }

    /**
     * An address was released, with the owner and time it had; by default the same as
     * {@link #onReleased(String, long)}. The engine calls this one.
     *
     * @param subnetId subnet id.
     * @param address  address value.
     * @param ownerMsb owner it had, high bits.
     * @param ownerLsb owner it had, low bits.
     * @param timeMs   when it had been allocated.
     */
    default void onReleased(String subnetId, long address, long ownerMsb, long ownerLsb, long timeMs)
    {
        onReleased(subnetId, address);
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
     * An address's lease ran out: it is released as by {@link #onReleased(String, long, long, long, long)}, which
     * this calls unless overridden (a change feed records it as {@code EXPIRED}).
     */
    default void onExpired(String subnetId, long address, long ownerMsb, long ownerLsb, long timeMs)
    {
        onReleased(subnetId, address, ownerMsb, ownerLsb, timeMs);
    }

    /**
     * A freed address entered its subnet's cooldown (it stays out of automatic choice until it has cooled).
     */
    default void onCooling(String subnetId, long address, long freedAt)
    {
    }

    /**
     * An address left cooldown: it cooled down, was taken again by a specific request, or its subnet went.
     */
    default void onCoolingEnded(String subnetId, long address)
    {
    }

    /**
     * An allocation got a lease or its lease moved.
     */
    default void onLease(String subnetId, long address, long expiresAt)
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
    default void onKeyLink(String subnetId, long address, RequestKeys.Key key)
    {
    }

    /**
     * A key's retention passed: it is forgotten.
     */
    default void onKeyForgotten(RequestKeys.Key key)
    {
    }
}
