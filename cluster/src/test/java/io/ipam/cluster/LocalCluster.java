package io.ipam.cluster;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import io.aeron.cluster.service.Cluster;

/**
 * Three members in this JVM, on loopback ports that were free when picked, in a temporary directory deleted on
 * close (tests only).
 */
final class LocalCluster implements AutoCloseable
{
    static final byte[] KEY = new byte[32];

    final Path root;
    final List<String> members;
    final ClusterNode[] nodes;

    private final int maxClients;

    LocalCluster(final int size) throws IOException
    {
        this(size, ClientTable.DEFAULT_MAX_CLIENTS);
    }

    /**
     * @param maxClients the members' cap on clients remembered.
     */
    LocalCluster(final int size, final int maxClients) throws IOException
    {
        this.maxClients = maxClients;
        root = Files.createTempDirectory("ipam-cluster-test");
        members = freeMembers(size);
        nodes = new ClusterNode[size];
        for (int i = 0; i < size; i++)
        {
            nodes[i] = start(i);
        }
    }

    ClusterNode start(final int id)
    {
        return ClusterNode.launch(context(id));
    }

    ClusterNode.Context context(final int id)
    {
        return new ClusterNode.Context().memberId(id).members(members).dir(root.resolve("node-" + id)).key(KEY)
            .snapshotInterval(Duration.ZERO).maxClients(maxClients);
    }

    ClusterIpam client()
    {
        return ClusterIpam.connect(new ClusterIpam.Context().members(members).requestTimeout(Duration.ofSeconds(20)));
    }

    int leader()
    {
        for (int i = 0; i < nodes.length; i++)
        {
            if (nodes[i] != null && nodes[i].role() == Cluster.Role.LEADER)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Base ports whose five ports are all free now (UDP and TCP), spaced apart.
     */
    static List<String> freeMembers(final int size)
    {
        final List<String> out = new ArrayList<>();
        int base = 20000 + ThreadLocalRandom.current().nextInt(2000) * 10;
        while (out.size() < size)
        {
            if (free(base))
            {
                out.add("localhost:" + base);
            }
            base += 10;
        }
        return out;
    }

    private static boolean free(final int base)
    {
        for (int p = base; p < base + ClusterNode.PORTS_PER_MEMBER; p++)
        {
            try (DatagramSocket u = new DatagramSocket(p, InetAddress.getLoopbackAddress());
                ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress()))
            {
                u.getLocalPort();
                t.getLocalPort();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException
    {
        for (int i = 0; i < nodes.length; i++)
        {
            if (nodes[i] != null)
            {
                nodes[i].close();
                nodes[i] = null;
            }
        }
        deleteTree(root);
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> walk = Files.walk(root))
        {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
