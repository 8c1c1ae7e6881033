package io.ipam.core.protocol;

import java.util.ArrayList;
import java.util.List;

import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#UPDATE_POOLS}: scope (string or null), subnet id (string), range count (int), then
 * each range's first and last address.
 */
public final class UpdatePoolsFlyweight extends BodyFlyweight
{
    private String scope;
    private String id;
    private List<IpAddress[]> ranges;

    /**
     * @param w      positioned at the body.
     * @param scope  a view's tenant, or null.
     * @param id     subnet id.
     * @param ranges pools as (first, last) pairs.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final List<IpAddress[]> ranges)
    {
        return putRanges(w.putString(scope).putString(id), ranges);
    }

    /**
     * Write a list of ranges: count (int), then each range's first and last address.
     *
     * @param w      the wire.
     * @param ranges (first, last) pairs.
     * @return the wire, after them.
     */
    static Wire putRanges(final Wire w, final List<IpAddress[]> ranges)
    {
        w.putInt(ranges.size());
        for (final IpAddress[] range : ranges)
        {
            w.putAddress(range[0]).putAddress(range[1]);
        }
        return w;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public UpdatePoolsFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        ranges = getRanges(w);
        return this;
    }

    /**
     * Read a list of ranges as {@link #encode} writes them (also {@link UpdateSubnetFlyweight}'s pools).
     *
     * @param w positioned at the range count.
     * @return the ranges, a new list.
     */
    static List<IpAddress[]> getRanges(final Wire w)
    {
        final int n = w.getCount(34);
        final List<IpAddress[]> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            ranges.add(new IpAddress[] {w.getAddress(), w.getAddress()});
        }
        return ranges;
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
     * @return the ranges (a new list per command).
     */
    public List<IpAddress[]> ranges()
    {
        return ranges;
    }
}
