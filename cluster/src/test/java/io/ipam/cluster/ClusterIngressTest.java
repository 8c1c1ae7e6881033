package io.ipam.cluster;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;

import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 8: nothing from the network is trusted before its sender is known. Another program that reaches the ingress
 * port must not act as a client it is not: a client id and acknowledged mark written in its messages are not taken
 * from there. (A forged acknowledged mark is {@link ClientStateTest}'s: today it spins every member's service thread
 * for good, which an in-JVM cluster could not be closed after.)
 */
class ClusterIngressTest
{
    private static final UUID VICTIM = new UUID(0xF1C, 1);
    private static final long VICTIM_ID = 0x5EC12E7L;

    /**
     * Commands sent under the victim's client id (releases of its address) are not applied as the victim's, and the
     * victim's own commands are not answered with the forger's answers.
     */
    @Test
    @Timeout(180)
    void shouldNotApplyCommandsSentUnderAnotherClientsId() throws Exception
    {
        try (LocalCluster cluster = new LocalCluster(3);
            ClusterIpam victim = victim(cluster);
            RawClusterClient forger = new RawClusterClient(cluster.members))
        {
            victim.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").build());
            final String held = victim.allocate("s", VICTIM);
            final long address = ByteBuffer.wrap(InetAddress.getByName(held).getAddress()).getInt() & 0xFFFF_FFFFL;
            final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(8192);
            // epochs are small numbers: the forger tries the first few, each with the victim's first 64 sequences
            for (long epoch = 1; epoch <= 8; epoch++)
            {
                int at = ServiceHarness.batch(batch, epoch, 0, 64);
                for (long seq = 1; seq <= 64; seq++)
                {
                    // RELEASE (type 5): header, then handle 1 (the first subnet) at 24 and the address at 32
                    batch.putLong(at, seq);
                    batch.putInt(at + 8, MessageTypes.RELEASE);
                    batch.putInt(at + 12, 56);
                    final int command = at + BatchFlyweight.ENTRY_HEADER_LENGTH;
                    batch.setMemory(command, 56, (byte)0);
                    batch.putLong(command + CommandHeader.TIME_OFFSET, System.currentTimeMillis());
                    batch.putInt(command + 24, 1);
                    batch.putLong(command + 32, address);
                    at = command + 56;
                }
                forger.send(batch, at);
            }
            forger.poll(500);
            final UUID owner;
            try
            {
                owner = victim.owner("s", held).orElse(null);
            }
            catch (final IpamException ex)
            {
                throw new AssertionError("the victim was answered with the forger's answer: " + ex, ex);
            }
            assertEquals(VICTIM, owner, "the forger released the victim's address");
            final String next = victim.allocate("s", VICTIM);
            assertTrue(next.startsWith("10.0.0.") && !next.equals(held), "the victim got the forger's answer: " +
                next);
        }
    }

    private static ClusterIpam victim(final LocalCluster cluster)
    {
        return ClusterIpam.connect(new ClusterIpam.Context().members(cluster.members).clientId(VICTIM_ID)
            .requestTimeout(Duration.ofSeconds(5)));
    }
}
