package io.ipam.cluster;

import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.aeron.cluster.service.Cluster;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --peers} ({@code docs/cluster.md}, "What to firewall"): the members' consensus, log and archive ports are on
 * their member-facing addresses (here 127.0.0.2), the clients' ingress on {@code --members} (127.0.0.1), and a
 * cluster so split elects a leader and answers a client that knows only the ingress addresses.
 */
class ClusterPeersTest
{
    @Test
    @Timeout(120)
    void shouldPutMemberTrafficOnThePeerAddressesAndTheIngressOnTheMembers() throws Exception
    {
        final List<String> members = new ArrayList<>();
        final List<String> peers = new ArrayList<>();
        for (final String m : LocalCluster.freeMembers(3))
        {
            final int base = MemberAddresses.portOf(m);
            members.add("127.0.0.1:" + base);
            peers.add("127.0.0.2:" + base);
        }
        final Path root = Files.createTempDirectory("ipam-cluster-peers");
        final ClusterNode[] nodes = new ClusterNode[3];
        try
        {
            for (int i = 0; i < 3; i++)
            {
                nodes[i] = ClusterNode.launch(new ClusterNode.Context().memberId(i).members(members).peers(peers)
                    .dir(root.resolve("node-" + i)).key(LocalCluster.KEY).snapshotInterval(Duration.ZERO));
            }
            try (ClusterIpam client = ClusterIpam.connect(new ClusterIpam.Context().members(members)
                .requestTimeout(Duration.ofSeconds(20)).connectTimeout(Duration.ofSeconds(30))))
            {
                client.createSubnet(SubnetSpec.builder("net", "10.7.0.0/24").build());
                assertTrue(client.allocate("net", new UUID(7, 1)).startsWith("10.7.0."));
            }
            for (int i = 0; i < 3; i++)
            {
                final int base = MemberAddresses.portOf(members.get(i));
                assertTrue(bound("127.0.0.1", base), "member " + i + "'s ingress on its --members address");
                assertFalse(bound("127.0.0.2", base), "member " + i + "'s ingress only there");
                for (final int port : new int[] {base + 1, base + 4})
                {
                    assertTrue(bound("127.0.0.2", port), "member " + i + "'s port " + port + " on its peer address");
                    assertFalse(bound("127.0.0.1", port), "member " + i + "'s port " + port + " not on the ingress");
                }
                if (nodes[i].role() == Cluster.Role.FOLLOWER)
                {
                    assertTrue(bound("127.0.0.2", base + 2), "follower " + i + "'s log on its peer address");
                    assertFalse(bound("127.0.0.1", base + 2), "follower " + i + "'s log not on the ingress");
                }
            }
        }
        finally
        {
            for (final ClusterNode n : nodes)
            {
                if (n != null)
                {
                    n.close();
                }
            }
            LocalCluster.deleteTree(root);
        }
    }

    @Test
    void shouldRefuseAPeersListThatDoesNotMatchTheMembers()
    {
        final ClusterNode.Context ctx = new ClusterNode.Context().memberId(0)
            .members(List.of("127.0.0.1:9010", "127.0.0.1:9110", "127.0.0.1:9210"))
            .peers(List.of("10.0.0.1:9010", "10.0.0.2:9010"))
            .dir(Path.of("unused")).key(LocalCluster.KEY);
        final IpamException ex = assertThrows(IpamException.class, ctx::check);
        assertEquals(ErrorCode.MALFORMED, ex.code());
        assertEquals(List.of("10.0.0.1:9010", "10.0.0.2:9010"), ctx.peers());
        assertEquals("0,a:1,p:11,p:12,p:13,p:14|1,b:2,q:21,q:22,q:23,q:24|",
            MemberAddresses.clusterMembers(List.of("a:1", "b:2"), List.of("p:10", "q:20")));
        assertEquals(MemberAddresses.clusterMembers(List.of("a:1", "b:2"), List.of("a:1", "b:2")),
            MemberAddresses.clusterMembers(List.of("a:1", "b:2")));
    }

    /**
     * @return true if a UDP socket is bound at that address and port now (binding one there fails).
     */
    private static boolean bound(final String host, final int port) throws IOException
    {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(host, port)))
        {
            return probe.getLocalPort() != port;
        }
        catch (final BindException ex)
        {
            return true;
        }
    }
}
