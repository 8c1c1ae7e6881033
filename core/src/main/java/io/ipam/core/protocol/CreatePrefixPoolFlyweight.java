package io.ipam.core.protocol;

import java.util.List;

import io.ipam.core.addr.Cidr;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#CREATE_PREFIX_POOL}: pool id (string), prefix count (int) and the prefixes (cidr),
 * min length (int), max length (int), default length (int, -1 for the pool's default), quota (long, -1 for none).
 */
public final class CreatePrefixPoolFlyweight extends BodyFlyweight
{
    private String id;
    private List<Cidr> prefixes;
    private int minLength;
    private int maxLength;
    private int defaultLength;
    private long quota;

    /**
     * @param w             positioned at the body.
     * @param id            pool id.
     * @param prefixes      the pool's prefixes.
     * @param minLength     shortest child.
     * @param maxLength     longest child.
     * @param defaultLength default child length, or -1.
     * @param quota         quota per tenant, or -1.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String id, final List<Cidr> prefixes, final int minLength,
        final int maxLength, final int defaultLength, final long quota)
    {
        return PrefixListFlyweight.putCidrs(w.putString(id), prefixes).putInt(minLength).putInt(maxLength)
            .putInt(defaultLength).putLong(quota);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public CreatePrefixPoolFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        id = w.getString();
        prefixes = PrefixListFlyweight.getCidrs(w);
        minLength = w.getInt();
        maxLength = w.getInt();
        defaultLength = w.getInt();
        quota = w.getLong();
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

    /**
     * @return the shortest child length.
     */
    public int minLength()
    {
        return minLength;
    }

    /**
     * @return the longest child length.
     */
    public int maxLength()
    {
        return maxLength;
    }

    /**
     * @return the default child length, or -1.
     */
    public int defaultLength()
    {
        return defaultLength;
    }

    /**
     * @return the quota, or -1.
     */
    public long quota()
    {
        return quota;
    }
}
