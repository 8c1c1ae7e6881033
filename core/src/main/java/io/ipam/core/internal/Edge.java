package io.ipam.core.internal;

import java.time.Duration;

import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.internal.SubnetHandles.SubnetRef;

/**
 * What every call of a facade (or of one of its views) works with at the edge: the settings, the proxy that sends
 * commands, the reader of answers, the cache of subnet handles, the lifecycle ticker, and the scope (the view's
 * tenant, null for the allocator itself); and the checks every call makes before anything is sent. Thread-safe.
 */
final class Edge
{
    final IpamConfig config;
    final CommandProxy proxy;
    final Answers answers;
    final SubnetHandles handles;
    final LifecycleTicker ticker;
    /** The tenant a view acts for; null for the allocator itself. */
    final String scope;
    private final EngineIpam root;

    Edge(final IpamConfig config, final CommandProxy proxy, final Answers answers, final SubnetHandles handles,
        final LifecycleTicker ticker, final String scope, final EngineIpam root)
    {
        this.config = config;
        this.proxy = proxy;
        this.answers = answers;
        this.handles = handles;
        this.ticker = ticker;
        this.scope = scope;
        this.root = root;
    }

    /**
     * @return the same edge acting for a tenant.
     */
    Edge forTenant(final String tenant)
    {
        return new Edge(config, proxy, answers, handles, ticker, tenant, root);
    }

    void checkOpen()
    {
        if (root.isClosed())
        {
            throw new IpamException(ErrorCode.CLOSED, "ipam is closed");
        }
    }

    /**
     * An administrative call is refused to a view.
     */
    void requireAdmin(final String what)
    {
        checkOpen();
        if (scope != null)
        {
            throw forbidden(what + " is an administrative call, not allowed to the view of tenant " + scope);
        }
    }

    /**
     * @return the subnet as this facade may see it (a view sees its own tenant's only).
     */
    SubnetRef ref(final String subnetId)
    {
        return handles.ref(nonNull(subnetId, "subnet id"), scope);
    }

    static IpamException forbidden(final String message)
    {
        return new IpamException(ErrorCode.FORBIDDEN, message);
    }

    static <T> T nonNull(final T value, final String what)
    {
        if (value == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, what + " is null");
        }
        return value;
    }

    static String checkSubnetId(final String subnetId)
    {
        return SubnetRules.checkId(nonNull(subnetId, "subnet id"), "subnet id");
    }

    static AllocationOptions checkOptions(final AllocationOptions options)
    {
        if (options == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "options is null (use AllocationOptions.none())");
        }
        return options;
    }

    static long leaseMs(final AllocationOptions options)
    {
        return options.lease().map(Duration::toMillis).orElse(0L);
    }

    /**
     * @return the address's value in a subnet: its low 64 bits, once its family and high bits are the subnet's.
     */
    static long addressValue(final String subnetId, final Cidr cidr, final IpAddress a)
    {
        return addressValue(subnetId, cidr, a.isV6(), a.hi(), a.lo());
    }

    /**
     * {@link #addressValue(String, Cidr, IpAddress)} of an address given as its family and 64-bit halves (a hot
     * call's address need not be an object; one is made only to word a refusal).
     */
    static long addressValue(final String subnetId, final Cidr cidr, final boolean v6, final long hi, final long lo)
    {
        if (v6 != cidr.isV6() || (v6 && (Answers.isWide(cidr) ? !cidr.contains(true, hi, lo) :
            hi != cidr.address().hi())))
        {
            throw new IpamException(ErrorCode.ADDRESS_INVALID, "address " + new IpAddress(v6, hi, lo) +
                " is not in subnet " + subnetId + " (" + cidr + ")");
        }
        return lo;
    }
}
