package io.ipam.cluster;

import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;

/**
 * A member's {@code host:port} and the endpoints Aeron Cluster derives from it: member {@code i} listens on
 * {@link ClusterNode#PORTS_PER_MEMBER} ports from its base port {@code p}, ingress (clients) {@code p}, consensus
 * {@code p+1}, log {@code p+2}, catch-up {@code p+3}, archive control {@code p+4}. With {@code --peers} the four
 * member-facing ports are on the member's peer address instead ({@code q+1..q+4} of its peer {@code host:q}), the
 * ingress stays on {@code --members}. Anything else is {@code MALFORMED}. Stateless.
 */
final class MemberAddresses
{
    private MemberAddresses()
    {
    }

    /**
     * @param member {@code host:port}.
     * @return the host.
     */
    static String hostOf(final String member)
    {
        final int colon = member.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "member " + member + " is not host:port");
        }
        return member.substring(0, colon);
    }

    /**
     * @param member {@code host:port}.
     * @return the base port.
     */
    static int portOf(final String member)
    {
        final int colon = member.lastIndexOf(':');
        try
        {
            final int port = Integer.parseInt(member.substring(colon + 1));
            if (port < 1 || port + ClusterNode.PORTS_PER_MEMBER > 65535)
            {
                throw new IpamException(ErrorCode.MALFORMED, "base port of member " + member + " is out of range");
            }
            return port;
        }
        catch (final NumberFormatException | StringIndexOutOfBoundsException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, "member " + member + " is not host:port");
        }
    }

    /**
     * @param members every member's {@code host:port}.
     * @return the consensus module's member string.
     */
    static String clusterMembers(final List<String> members)
    {
        return clusterMembers(members, members);
    }

    /**
     * @param members every member's ingress {@code host:port}.
     * @param peers   every member's member-facing {@code host:port}, in the same order.
     * @return the consensus module's member string: ingress from {@code members}, consensus, log, catch-up and
     *         archive from {@code peers}.
     */
    static String clusterMembers(final List<String> members, final List<String> peers)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members.size(); i++)
        {
            final String h = hostOf(peers.get(i));
            final int p = portOf(peers.get(i));
            sb.append(i).append(',').append(hostOf(members.get(i))).append(':').append(portOf(members.get(i)))
                .append(',').append(h).append(':').append(p + 1)
                .append(',').append(h).append(':').append(p + 2)
                .append(',').append(h).append(':').append(p + 3)
                .append(',').append(h).append(':').append(p + 4).append('|');
        }
        return sb.toString();
    }

    /**
     * @param members every member's {@code host:port}.
     * @return the clients' ingress endpoints ({@code 0=h:p,1=h:p,...}).
     */
    static String ingressEndpoints(final List<String> members)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members.size(); i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            sb.append(i).append('=').append(hostOf(members.get(i))).append(':').append(portOf(members.get(i)));
        }
        return sb.toString();
    }
}
