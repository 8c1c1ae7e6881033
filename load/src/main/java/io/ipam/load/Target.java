package io.ipam.load;

import java.util.UUID;

import io.ipam.load.peers.PeerAllocator;
import io.ipam.core.Ipam;
import io.ipam.core.addr.AddressText;

/**
 * What a load run drives: allocate an address for an owner and release it, with text at the edge (as callers
 * of ipam's facade see it). Peers get the same text edge so the comparison is like for like.
 */
public interface Target extends AutoCloseable
{
    /**
     * @param owner owner.
     * @return the address allocated.
     */
    String allocate(UUID owner);

    /**
     * @param address an address from {@link #allocate(UUID)}.
     */
    void release(String address);

    /**
     * @return name for reports.
     */
    String name();

    @Override
    default void close()
    {
    }

    /**
     * @param ipam     an allocator with the subnet.
     * @param subnetId the subnet.
     * @param name     report name.
     * @return ipam as a target.
     */
    static Target of(final Ipam ipam, final String subnetId, final String name)
    {
        return new Target()
        {
            @Override
            public String allocate(final UUID owner)
            {
                return ipam.allocate(subnetId, owner);
            }

            @Override
            public void release(final String address)
            {
                ipam.release(subnetId, address);
            }

            @Override
            public String name()
            {
                return name;
            }

            @Override
            public void close()
            {
                ipam.close();
            }
        };
    }

    /**
     * @param peer    a peer allocator over offsets.
     * @param network the IPv4 network value (offset 0 is network + 1).
     * @return the peer with the same text edge as ipam's facade.
     */
    static Target of(final PeerAllocator peer, final long network)
    {
        return new Target()
        {
            @Override
            public String allocate(final UUID owner)
            {
                final long offset = peer.allocate(owner.getLeastSignificantBits());
                if (offset < 0)
                {
                    throw new IllegalStateException("exhausted");
                }
                return AddressText.formatV4(network + 1 + offset);
            }

            @Override
            public void release(final String address)
            {
                peer.release(AddressText.parseV4(address) - network - 1);
            }

            @Override
            public String name()
            {
                return peer.name();
            }
        };
    }
}
