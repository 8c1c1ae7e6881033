package io.ipam.persistence;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import io.ipam.core.IpamException;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;

/**
 * The process the kill test kills: opens a store, then allocates and releases forever, printing a line for
 * every acknowledged change ({@code A subnet address owner} or {@code R subnet address}) after the call
 * returned, i.e. after the store acknowledged it, and {@code P subnet address} before each release; first
 * {@code LOADED checkpoint} or {@code LOADED maps}, where the open took the engine from.
 */
public final class KillChild
{
    private KillChild()
    {
    }

    /**
     * @param args store directory, round number.
     */
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final int round = Integer.parseInt(args[1]);
        final PrintStream out = new PrintStream(System.out, false);
        // where the engine came from: the checkpoint of the parent's clean close, or the maps
        DurableIpam.opened = store -> out.println("LOADED " + store.loadedFrom());
        final Ipam ipam = DurableIpam.open(dir, IpamConfig.builder().storeCapacity(200_000).build());
        final String subnet = "k" + round;
        ipam.createSubnet(SubnetSpec.builder(subnet, "10." + round + ".0.0/16").build());
        out.println("READY");
        out.flush();
        final SplittableRandom random = new SplittableRandom(round);
        final List<String> mine = new ArrayList<>();
        final UUID owner = new UUID(round, 0);
        while (true)
        {
            try
            {
                if (!mine.isEmpty() && random.nextInt(4) == 0)
                {
                    final String address = mine.remove(random.nextInt(mine.size()));
                    // the intent goes out first: a release in flight at the kill may take effect unacknowledged
                    out.println("P " + subnet + " " + address);
                    out.flush();
                    if (ipam.release(subnet, address))
                    {
                        out.println("R " + subnet + " " + address);
                    }
                }
                else
                {
                    final UUID o = new UUID(round, random.nextInt(50));
                    final String address = ipam.allocate(subnet, o);
                    mine.add(address);
                    out.println("A " + subnet + " " + address + " " + o);
                }
                if (random.nextInt(64) == 0)
                {
                    out.flush();
                }
            }
            catch (final IpamException ex)
            {
                out.println("E " + ex.code());
            }
            out.flush();
            if (owner.getMostSignificantBits() < 0)
            {
                break;
            }
        }
        ipam.close();
    }
}
