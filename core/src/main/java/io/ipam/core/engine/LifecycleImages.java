package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The lifecycle state copied into a {@link LifecycleImage} for a snapshot or a store ({@link Restorer} puts it
 * back). Writer's thread only.
 */
final class LifecycleImages
{
    private final SubnetRegistry subnets;
    private final Allocations allocations;
    private final Lifecycle lifecycle;

    LifecycleImages(final SubnetRegistry subnets, final Allocations allocations, final Lifecycle lifecycle)
    {
        this.subnets = subnets;
        this.allocations = allocations;
        this.lifecycle = lifecycle;
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
                s.cooling.forEach((offsetHi, offset, freedAt) -> img.cooling
                    .computeIfAbsent(s.id, k -> new ArrayList<>()).add(s.wide ?
                        new long[] {s.addressOf(offset), freedAt, s.addressHiOf(offsetHi)} :
                        new long[] {s.addressOf(offset), freedAt}));
            }
        }
        lifecycle.forEachLease((r, expiresAt) ->
        {
            final Subnet s = subnets.at(allocations.records.subnet(r));
            img.leases.computeIfAbsent(s.id, k -> new ArrayList<>()).add(s.wide ?
                new long[] {allocations.records.address(r), expiresAt, allocations.records.addressHi(r)} :
                new long[] {allocations.records.address(r), expiresAt});
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
        if (byKey.isEmpty())
        {
            // no key to link: no walk over every allocation on the writer's thread (at 10 M allocations that walk
            // was the whole of a snapshot's writer pause)
            return img;
        }
        for (final Subnet s : subnets.sorted(null))
        {
            allocations.lookups.forEachAllocation(s, (id, v6, hi, value, msb, lsb, t, expiresAt, router) ->
            {
                final RequestKeys.Key k = lifecycle.keys().keyOf(Allocations.recordAt(s, s.offsetHiOf(hi),
                    s.offsetOf(value)));
                final LifecycleImage.KeyImage ki = k == null ? null : byKey.get(k);
                if (ki != null)
                {
                    ki.linkSubnets.add(id);
                    ki.linkAddresses.add(value);
                    ki.linkAddressHi.add(hi);
                }
            });
        }
        return img;
    }
}
