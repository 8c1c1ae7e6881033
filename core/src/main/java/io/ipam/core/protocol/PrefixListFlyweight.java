package io.ipam.core.protocol;

import java.util.ArrayList;
import java.util.List;

import io.ipam.core.addr.Cidr;
import org.agrona.DirectBuffer;

/**
 * Body: pool id (string), prefix count (int) and the prefixes (cidr). Layout of {@link MessageTypes#ADD_PREFIXES}
 * and {@link MessageTypes#REMOVE_PREFIXES}; its list of CIDRs is also {@link CreatePrefixPoolFlyweight}'s.
 */
public final class PrefixListFlyweight extends BodyFlyweight
{
    private String id;
    private List<Cidr> prefixes;

    /**
     * @param w        positioned at the body.
     * @param id       pool id.
     * @param prefixes the prefixes.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String id, final List<Cidr> prefixes)
    {
        return putCidrs(w.putString(id), prefixes);
    }

    static Wire putCidrs(final Wire w, final List<Cidr> cidrs)
    {
        w.putInt(cidrs.size());
        for (final Cidr c : cidrs)
        {
            w.putCidr(c);
        }
        return w;
    }

    static List<Cidr> getCidrs(final Wire w)
    {
        final int n = w.getCount(18);
        final List<Cidr> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            list.add(w.getCidr());
        }
        return list;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public PrefixListFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        id = w.getString();
        prefixes = getCidrs(w);
        return this;
    }

    /**
     * @return the pool id.
     */
    public String id()
    {
        return id;
    }

    /**
     * @return the prefixes (a new list per command).
     */
    public List<Cidr> prefixes()
    {
        return prefixes;
    }
}
