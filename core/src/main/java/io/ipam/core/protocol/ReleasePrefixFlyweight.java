package io.ipam.core.protocol;

import io.ipam.core.addr.Cidr;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#RELEASE_PREFIX}: scope (string or null), pool id (string), the child (cidr).
 */
public final class ReleasePrefixFlyweight extends BodyFlyweight
{
    private String scope;
    private String poolId;
    private Cidr child;

    /**
     * @param w      positioned at the body.
     * @param scope  a view's tenant, or null.
     * @param poolId pool id.
     * @param child  the child.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String poolId, final Cidr child)
    {
        return w.putString(scope).putString(poolId).putCidr(child);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ReleasePrefixFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        poolId = w.getString();
        child = w.getCidr();
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
     * @return the pool id.
     */
    public String poolId()
    {
        return poolId;
    }

    /**
     * @return the child.
     */
    public Cidr child()
    {
        return child;
    }
}
