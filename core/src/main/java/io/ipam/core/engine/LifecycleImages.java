package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * The lifecycle state in and out of a {@link LifecycleImage}: captured for a snapshot or a store, put back into an
 * engine that already holds the subnets and allocations it refers to (every piece is checked against them).
 * Writer's thread only.
 */
final class LifecycleImages
{
    private final SubnetRegistry subnets;
    private final Allocations allocations;
    private final Lifecycle lifecycle;
    private StateListener listener = StateListener.NONE;
    private long restoredSequence;

    LifecycleImages(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
    }

    void listener(final StateListener listener)
    {
        this.listener = listener;
    }

    /**
     * @return the change feed sequence a restored engine continues from (0 for a fresh one).
     */
    long restoredSequence()
    {
        return restoredSequence;
    }

    /**
     * Copy the lifecycle state.
     */
    LifecycleImage capture(final long lastSequence)
    {
        final LifecycleImage img = new LifecycleImage();
        img.clockMs = lifecycle.now();
        img.lastSequence = lastSequence;
        for (final Subnet s : subnets.sorted(null))
        {
            if (s.cooldownMs > 0)
            {
                img.cooldowns.put(s.id, s.cooldownMs);
            }
        }
        for (int h = 0; h < subnets.handleLimit(); h++)
        {
            final Subnet s = subnets.at(h);
            if (s != null && s.cooling != null)
            {
                s.cooling.forEach((offset, freedAt) -> img.cooling.computeIfAbsent(s.id, k -> new ArrayList<>())
                    .add(new long[] {s.addressOf(offset), freedAt}));
            }
        }
        lifecycle.forEachLease((r, expiresAt) ->
        {
            final Subnet s = subnets.at(allocations.records.subnet(r));
            img.leases.computeIfAbsent(s.id, k -> new ArrayList<>())
                .add(new long[] {allocations.records.address(r), expiresAt});
        });
        final IdentityHashMap<RequestKeys.Key, LifecycleImage.KeyImage> byKey = new IdentityHashMap<>();
        final List<RequestKeys.Key> remembered = lifecycle.keys().all();
        remembered.sort(Comparator.comparing((RequestKeys.Key k) -> k.tenant == null ? "" : k.tenant)
            .thenComparing(k -> k.key));
        for (final RequestKeys.Key k : remembered)
        {
            final LifecycleImage.KeyImage ki = new LifecycleImage.KeyImage(k.tenant, k.key, k.fingerprint, k.code(),
                k.value(), k.payload(), k.goneAt(), k.serial);
            byKey.put(k, ki);
            img.keys.add(ki);
        }
        // due leases expire before the key links are copied (the allocations and leases above were copied before)
        allocations.expire(Integer.MAX_VALUE);
        for (final Subnet s : subnets.sorted(null))
        {
            allocations.forEachAllocation(s, (id, v6, hi, value, msb, lsb, t, expiresAt) ->
            {
                final RequestKeys.Key k = lifecycle.keys().keyOf(s.recordByOffset.get(s.offsetOf(value)));
                final LifecycleImage.KeyImage ki = k == null ? null : byKey.get(k);
                if (ki != null)
                {
                    ki.linkSubnets.add(id);
                    ki.linkAddresses.add(value);
                }
            });
        }
        return img;
    }

    /**
     * Put lifecycle state back.
     *
     * @throws IpamException {@code STORE_CORRUPT} naming what does not fit.
     */
    void restore(final LifecycleImage img)
    {
        lifecycle.advance(img.clockMs);
        for (final Map.Entry<String, Long> e : img.cooldowns.entrySet())
        {
            final Subnet s = subnets.byId(e.getKey());
            if (s == null || e.getValue() < 0 || e.getValue() > SubnetRules.MAX_COOLDOWN_MS)
            {
                throw corrupt("cooldown of subnet " + e.getKey() + " (" + e.getValue() + " ms)");
            }
            s.cooldownMs = e.getValue();
            listener.onSubnet(SubnetAdmin.image(s));
        }
        for (final Map.Entry<String, List<long[]>> e : img.cooling.entrySet())
        {
            final Subnet s = subnets.byId(e.getKey());
            for (final long[] pair : e.getValue())
            {
                if (s == null || !s.containsValue(pair[0]) || lifecycle.restoreCooling(s, pair[0], pair[1]) !=
                    AllocatorEngine.OK)
                {
                    throw corrupt("cooling address " + pair[0] + " of subnet " + e.getKey());
                }
                listener.onCooling(e.getKey(), pair[0], pair[1]);
            }
        }
        for (final Map.Entry<String, List<long[]>> e : img.leases.entrySet())
        {
            final Subnet s = subnets.byId(e.getKey());
            for (final long[] pair : e.getValue())
            {
                final int r = held(s, pair[0]);
                if (r == Records.NONE)
                {
                    throw corrupt("lease of address " + pair[0] + " of subnet " + e.getKey());
                }
                lifecycle.lease(s, r, pair[1]);
                listener.onLease(e.getKey(), pair[0], pair[1]);
            }
        }
        final RequestKeys keys = lifecycle.keys();
        for (final LifecycleImage.KeyImage ki : img.keys)
        {
            if (keys.find(ki.tenant, ki.key) != null)
            {
                throw corrupt("request key " + ki.key + " twice");
            }
            final RequestKeys.Key k = keys.restore(ki.tenant, ki.key, ki.fingerprint, ki.code, ki.value, ki.payload,
                ki.goneAt, ki.serial);
            for (int i = 0; i < ki.linkSubnets.size(); i++)
            {
                final int r = held(subnets.byId(ki.linkSubnets.get(i)), ki.linkAddresses.get(i));
                if (r == Records.NONE)
                {
                    throw corrupt("allocation " + ki.linkAddresses.get(i) + " of subnet " + ki.linkSubnets.get(i) +
                        " under request key " + ki.key);
                }
                keys.link(r, k);
                listener.onKeyLink(ki.linkSubnets.get(i), ki.linkAddresses.get(i), k);
            }
            listener.onKey(k);
        }
        keys.restoreDone();
        restoredSequence = img.lastSequence;
    }

    /**
     * @return the record of the allocation at an address of a subnet, or {@link Records#NONE}.
     */
    private static int held(final Subnet s, final long address)
    {
        return s == null || !s.containsValue(address) ? Records.NONE : s.recordByOffset.get(s.offsetOf(address));
    }

    private static IpamException corrupt(final String what)
    {
        return new IpamException(ErrorCode.STORE_CORRUPT, "lifecycle state does not fit the allocations: " + what);
    }
}
