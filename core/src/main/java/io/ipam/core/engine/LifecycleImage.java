package io.ipam.core.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle state of an engine (SPEC 9) as plain lists, for snapshots and stores: the engine's clock, the
 * change feed's last sequence, subnet cooldowns, cooling addresses, leases and request keys with the allocations
 * they made. Made on the writer's thread by {@link AllocatorEngine#captureLifecycle(long)}, read anywhere, put back
 * by the {@link Restorer}.
 */
public final class LifecycleImage
{
    /** Newest command time the engine had seen. */
    public long clockMs;
    /** Sequence of the newest change (0 before the first). */
    public long lastSequence;
    /** Subnet id to its cooldown in milliseconds (subnets with a cooldown only). */
    public final Map<String, Long> cooldowns = new LinkedHashMap<>();
    /** Subnet id to its cooling addresses: pairs (address value, time freed), oldest first; in a wide subnet (IPv6
     * /1 to /63) triples (address value, time freed, address high bits). */
    public final Map<String, List<long[]>> cooling = new LinkedHashMap<>();
    /** Subnet id to its leases: pairs (address value, expiry); triples with the high bits in a wide subnet. */
    public final Map<String, List<long[]>> leases = new LinkedHashMap<>();
    /** Remembered request keys. */
    public final List<KeyImage> keys = new ArrayList<>();

    /**
     * One request key, its first answer and the allocations it made that are still held.
     */
    public static final class KeyImage
    {
        public final String tenant;
        public final String key;
        public final long fingerprint;
        public final int code;
        public final long value;
        public final byte[] payload;
        public final long goneAt;
        /** The key's serial (0: give it a new one). */
        public final long serial;
        /** (subnet id, address value) of each allocation made under the key and still held. */
        public final List<String> linkSubnets = new ArrayList<>();
        public final List<Long> linkAddresses = new ArrayList<>();
        /** The high 64 bits of each link's address (a narrow subnet's own; a wide subnet's vary). */
        public final List<Long> linkAddressHi = new ArrayList<>();

        public KeyImage(final String tenant, final String key, final long fingerprint, final int code,
            final long value, final byte[] payload, final long goneAt, final long serial)
        {
            this.serial = serial;
            this.tenant = tenant;
            this.key = key;
            this.fingerprint = fingerprint;
            this.code = code;
            this.value = value;
            this.payload = payload;
            this.goneAt = goneAt;
        }
    }

    /**
     * @return true when there is nothing but a clock and a sequence.
     */
    public boolean isEmpty()
    {
        return cooldowns.isEmpty() && cooling.isEmpty() && leases.isEmpty() && keys.isEmpty();
    }
}
