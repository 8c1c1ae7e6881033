package io.ipam.cluster;

import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * The cluster's own commands ({@link ClusterProtocol#NODE_SNAPSHOT}, {@link ClusterProtocol#NODE_MARK}): after the
 * 24-byte command header, a file name (a protocol string). A node snapshot is answered with its byte count (long)
 * and subnet count (int) in the payload. Written by {@link ClusterIpam}, read by {@link IpamClusteredService}.
 */
final class NodeCommandFlyweight
{
    private final Wire wire = new Wire();

    /**
     * Encode a node command into a slot.
     *
     * @param r      the slot.
     * @param type   {@link ClusterProtocol#NODE_SNAPSHOT} or {@link ClusterProtocol#NODE_MARK}.
     * @param timeMs the command time (the log's replaces it).
     * @param name   the file name.
     */
    void encode(final Reply r, final int type, final long timeMs, final String name)
    {
        r.type = type;
        CommandHeader.encode(r.command, 0, timeMs);
        r.commandLength = wire.writeTo(r.command, CommandHeader.LENGTH).putString(name).position();
    }

    /**
     * @param buffer the command's buffer.
     * @param offset where it starts.
     * @param length its length.
     * @return the file name, or null.
     * @throws io.ipam.core.IpamException {@code MALFORMED} for a body that does not parse.
     */
    String name(final DirectBuffer buffer, final int offset, final int length)
    {
        return wire.readFrom(buffer, offset + CommandHeader.LENGTH, length - CommandHeader.LENGTH).getString();
    }

    /**
     * @param r        the slot.
     * @param bytes    the snapshot's bytes.
     * @param subnets  its subnets.
     */
    void snapshotAnswer(final Reply r, final long bytes, final int subnets)
    {
        r.payloadLength = wire.writeTo(r.payload, 0).putLong(bytes).putInt(subnets).position();
    }

    /**
     * @param r a snapshot's answer.
     * @return its byte count; {@link #snapshotSubnets()} follows.
     */
    long snapshotBytes(final Reply r)
    {
        return wire.readFrom(r.payload, 0, r.payloadLength).getLong();
    }

    /**
     * @return the subnet count of the answer read by {@link #snapshotBytes}.
     */
    int snapshotSubnets()
    {
        return wire.getInt();
    }

    /**
     * @param r an error answer.
     * @return its message, or null.
     */
    String message(final Reply r)
    {
        return r.payloadLength == 0 ? null : wire.readFrom(r.payload, 0, r.payloadLength).getString();
    }
}
