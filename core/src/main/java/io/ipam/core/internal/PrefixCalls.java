package io.ipam.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.ipam.core.internal.Edge.nonNull;

/**
 * Prefix pools at the edge (SPEC 4): ids, lengths and CIDRs checked and parsed, one command each, answers read;
 * creating and reshaping pools is an administrative call, refused to a view, and a view allocates for its own
 * tenant only. Thread-safe.
 */
final class PrefixCalls
{
    private static final Logger LOG = LoggerFactory.getLogger(PrefixCalls.class);

    private final Edge edge;

    PrefixCalls(final Edge edge)
    {
        this.edge = edge;
    }

    private static List<Cidr> parsePrefixes(final List<String> prefixes)
    {
        nonNull(prefixes, "prefix list");
        final List<Cidr> out = new ArrayList<>(prefixes.size());
        for (final String p : prefixes)
        {
            out.add(AddressText.parseCidr(p, "prefix"));
        }
        return out;
    }

    PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        edge.requireAdmin("createPrefixPool");
        nonNull(spec, "prefix pool spec");
        final String id = SubnetRules.checkId(spec.id(), "pool id");
        final List<Cidr> prefixes = parsePrefixes(spec.prefixes());
        final long quota = spec.quota().isPresent() ? spec.quota().getAsLong() : -1;
        if (spec.quota().isPresent() && quota < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "quota must be 0 or more, was " + quota);
        }
        return edge.answers.read(edge.proxy.createPrefixPool(id, prefixes, spec.minPrefixLength(),
            spec.maxPrefixLength(), spec.defaultPrefixLength(), quota), ReplyCodec::getPool);
    }

    String allocatePrefix(final String poolId, final String tenant)
    {
        return allocate(poolId, tenant, -1, null);
    }

    String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > 128)
        {
            checkPoolArgs(poolId, tenant);
            throw new IpamException(ErrorCode.PREFIX_LENGTH, "prefix length " + prefixLength + " is out of range");
        }
        return allocate(poolId, tenant, prefixLength, null);
    }

    String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        nonNull(cidr, "prefix");
        return allocate(poolId, tenant, -1, cidr);
    }

    private static void checkPoolArgs(final String poolId, final String tenant)
    {
        SubnetRules.checkId(poolId, "pool id");
        nonNull(tenant, "tenant");
        SubnetRules.checkTenant(tenant);
    }

    private String allocate(final String poolId, final String tenant, final int len, final String cidrText)
    {
        edge.checkOpen();
        checkPoolArgs(poolId, tenant);
        if (edge.scope != null && !edge.scope.equals(tenant))
        {
            throw Edge.forbidden("the view of tenant " + edge.scope + " cannot allocate a prefix for tenant " + tenant);
        }
        final Cidr wanted = cidrText == null ? null : AddressText.parseCidr(cidrText, "prefix");
        if (wanted != null && wanted.hostBitsSet())
        {
            throw new IpamException(ErrorCode.CIDR_INVALID, "prefix " + AddressText.quote(cidrText) +
                " has host bits set; did you mean " + wanted.network() + "?");
        }
        final Reply r = edge.proxy.allocatePrefix(poolId, tenant, len, wanted);
        final String child;
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw ErrorMessages.prefix(r.code, poolId, tenant, wanted == null ? "a child" +
                    (len < 0 ? " of the default length" : " of length /" + len) : "prefix " + wanted,
                    edge.answers.message(r));
            }
            child = edge.proxy.wire().readFrom(r.payload, 0, r.payloadLength).getCidr().toString();
        }
        finally
        {
            edge.answers.release(r);
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("allocated prefix {} from {} to tenant {}", child, poolId, tenant);
        }
        return child;
    }

    boolean releasePrefix(final String poolId, final String cidr)
    {
        edge.checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        final Cidr c = AddressText.parseCidr(cidr, "prefix");
        final Reply r = edge.proxy.releasePrefix(edge.scope, poolId, c);
        try
        {
            if (r.code < 0)
            {
                throw ErrorMessages.prefix(r.code, poolId, null, "prefix " + c, edge.answers.message(r));
            }
            return r.code == AllocatorEngine.RELEASED;
        }
        finally
        {
            edge.answers.release(r);
        }
    }

    PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        edge.requireAdmin("addPrefixes");
        SubnetRules.checkId(poolId, "pool id");
        return edge.answers.read(edge.proxy.prefixes(MessageTypes.ADD_PREFIXES, poolId, parsePrefixes(prefixes)),
            ReplyCodec::getPool);
    }

    PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        edge.requireAdmin("removePrefixes");
        SubnetRules.checkId(poolId, "pool id");
        final List<Cidr> parsed = parsePrefixes(prefixes);
        if (parsed.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "no prefix to remove");
        }
        return edge.answers.read(edge.proxy.prefixes(MessageTypes.REMOVE_PREFIXES, poolId, parsed),
            ReplyCodec::getPool);
    }

    PrefixPoolInfo prefixPool(final String poolId)
    {
        edge.checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        return edge.answers.read(edge.proxy.id(MessageTypes.PREFIX_POOL_INFO, poolId), ReplyCodec::getPool);
    }

    List<String> children(final String poolId)
    {
        edge.checkOpen();
        SubnetRules.checkId(poolId, "pool id");
        return Collections.unmodifiableList(edge.answers.read(edge.proxy.scopedId(MessageTypes.CHILDREN, edge.scope,
            poolId), ReplyCodec::getStrings));
    }
}
