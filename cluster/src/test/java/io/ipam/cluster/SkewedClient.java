package io.ipam.cluster;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.ipam.core.AllocationOptions;
import io.ipam.core.IpamException;

/**
 * A client process for the hostile test, run under {@code faketime} so its clock (the JVM's included) is an hour off:
 * it makes keyed, leased allocations (WITH_OPTIONS, the command whose inner time once reached the members) and
 * releases into a subnet with a cooldown, until its time is up, going on through failovers (and connecting again
 * until it gets in: a loaded machine may time out its first connect). Prints what it did.
 * Tests only. Arguments: members token leaseSubnet coolSubnet ownerHigh seconds leaseMs.
 */
public final class SkewedClient
{
    private SkewedClient()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final List<String> members = List.of(args[0].split(","));
        final String token = args[1];
        final String leaseSubnet = args[2];
        final String coolSubnet = args[3];
        final UUID owner = new UUID(Long.parseLong(args[4]), 1);
        final long until = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[5])).toNanos();
        final Duration lease = Duration.ofMillis(Long.parseLong(args[6]));
        long allocated = 0;
        long failed = 0;
        long connectFailures = 0;
        ClusterIpam connected = null;
        while (connected == null)
        {
            try
            {
                connected = ClusterIpam.connect(new ClusterIpam.Context().members(members).token(token)
                    .requestTimeout(Duration.ofSeconds(30)).connectTimeout(Duration.ofSeconds(20)));
            }
            catch (final IpamException ex)
            {
                // a loaded machine, or the leader just killed or paused: try again while there is time
                connectFailures++;
                System.out.println("skewed client could not connect (" + connectFailures + "): " + ex.getMessage());
                if (System.nanoTime() > until)
                {
                    throw ex;
                }
                Thread.sleep(500);
            }
        }
        try (ClusterIpam ipam = connected)
        {
            System.out.println("skewed client up: clock " + System.currentTimeMillis() + ", tenant " + ipam.tenant());
            for (long i = 0; System.nanoTime() < until; i++)
            {
                try
                {
                    ipam.allocate(leaseSubnet, owner, AllocationOptions.builder()
                        .requestKey(owner.getMostSignificantBits() + "-" + i).lease(lease).build());
                    final String cooling = ipam.allocate(coolSubnet, owner);
                    ipam.release(coolSubnet, cooling, owner);
                    allocated++;
                }
                catch (final IpamException ex)
                {
                    failed++; // failovers and pauses: OVERLOADED; the run goes on
                }
                Thread.sleep(50);
            }
        }
        System.out.println("skewed client done: " + allocated + " rounds, " + failed + " failed calls, " +
            connectFailures + " failed connects");
    }
}
