package io.ipam.core.protocol;

import java.util.List;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * {@link MessageTypes#UPDATE_SUBNET}: pools, gateway and cooldown changed in one step, every rule checked against the
 * end state (SPEC 1). A mask says which fields follow, in this order:
 * <pre>
 *   scope (str), subnet id (str), mask (u8: 1 pools, 2 gateway, 4 cooldown),
 *   [pools: list of (address first, address last)], [gateway: address, family 0 = none], [cooldown ms: i64]
 * </pre>
 */
public final class UpdateSubnetFlyweight extends BodyFlyweight
{
    /** Mask bit: the pools change. */
    public static final int POOLS = 1;
    /** Mask bit: the gateway changes (or is removed). */
    public static final int GATEWAY = 2;
    /** Mask bit: the cooldown changes. */
    public static final int COOLDOWN = 4;

    private String scope;
    private String id;
    private int mask;
    private List<IpAddress[]> ranges;
    private IpAddress gateway;
    private long cooldownMs;

    /**
     * @param w          positioned at the body.
     * @param scope      a view's tenant, or null.
     * @param id         subnet id.
     * @param ranges     the new pools as (first, last) pairs, or null to keep them.
     * @param setGateway true to change the gateway.
     * @param gateway    the new gateway, or null for none.
     * @param cooldownMs the new cooldown, or -1 to keep it.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final List<IpAddress[]> ranges,
        final boolean setGateway, final IpAddress gateway, final long cooldownMs)
    {
        final int mask = (ranges != null ? POOLS : 0) | (setGateway ? GATEWAY : 0) | (cooldownMs >= 0 ? COOLDOWN : 0);
        w.putString(scope).putString(id).putByte(mask);
        if (ranges != null)
        {
            UpdatePoolsFlyweight.putRanges(w, ranges);
        }
        if (setGateway)
        {
            w.putAddress(gateway);
        }
        if (cooldownMs >= 0)
        {
            w.putLong(cooldownMs);
        }
        return w;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public UpdateSubnetFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        mask = w.getByte();
        if ((mask & ~(POOLS | GATEWAY | COOLDOWN)) != 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "unknown update mask " + mask);
        }
        ranges = (mask & POOLS) != 0 ? UpdatePoolsFlyweight.getRanges(w) : null;
        gateway = (mask & GATEWAY) != 0 ? w.getAddress() : null;
        cooldownMs = (mask & COOLDOWN) != 0 ? w.getLong() : -1;
        return this;
    }

    /**
     * @return the scope, or null.
     */
    public String scope()
    {
        return scope;
    }

    /**
     * @return the subnet id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the new pools (a new list per command), or null when they stay.
     */
    public List<IpAddress[]> ranges()
    {
        return ranges;
    }

    /**
     * @return true when the gateway changes.
     */
    public boolean setsGateway()
    {
        return (mask & GATEWAY) != 0;
    }

    /**
     * @return the new gateway, or null for none (when {@link #setsGateway()}).
     */
    public IpAddress gateway()
    {
        return gateway;
    }

    /**
     * @return the new cooldown in ms, or -1 when it stays.
     */
    public long cooldownMs()
    {
        return cooldownMs;
    }
}
