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
}
