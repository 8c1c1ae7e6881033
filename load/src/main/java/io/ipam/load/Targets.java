package io.ipam.load;

import java.nio.file.Path;
import java.util.UUID;

import io.ipam.load.peers.PeerAllocator;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.persistence.DurableIpam;

/**
 * The load-run targets, set up identically: one IPv4 subnet held at a fixed fill.
 */
public final class Targets
{
    /** The subnet every load run uses. */
    public static final String CIDR = "10.0.0.0/16";
    /** Its network value. */
    public static final long NETWORK = 0x0A000000L;

    private Targets()
    {
    }

    /**
     * @param name     report name.
     * @param storeDir a durable store directory, or null for in memory.
     * @param config   settings.
     * @param taken    the fill.
     * @return ipam as a target, its subnet filled.
     */
    public static Target ipam(final String name, final Path storeDir, final IpamConfig config, final boolean[] taken)
    {
        final Ipam ipam = storeDir == null ? Ipam.inMemory(config) : DurableIpam.open(storeDir, config);
        ipam.createSubnet(SubnetSpec.builder("bench", CIDR).noGateway().build());
        final UUID filler = new UUID(1, 1);
        for (int i = 0; i < taken.length; i++)
        {
            if (taken[i])
            {
                ipam.allocate("bench", AddressText.formatV4(NETWORK + 1 + i), filler);
            }
        }
        return Target.of(ipam, "bench", name);
    }

    /**
     * @param peer  a peer.
     * @param taken the fill.
     * @return the peer as a target, filled.
     */
    public static Target peer(final PeerAllocator peer, final boolean[] taken)
    {
        for (int i = 0; i < taken.length; i++)
        {
            if (taken[i])
            {
                peer.allocate(i, 1);
            }
        }
        return Target.of(peer, NETWORK);
    }
}
