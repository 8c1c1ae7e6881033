package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body: {@code scope} (string: the tenant of the view that sent it, null for the whole allocator). Layout of
 * {@link MessageTypes#LIST_SUBNETS}, {@link MessageTypes#SUBNET_STATS} and {@link MessageTypes#LAST_SEQUENCE}.
 */
public final class ScopeFlyweight extends BodyFlyweight
{
    private String scope;

    /**
     * @param w     positioned at the body.
     * @param scope a view's tenant, or null.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope)
    {
        return w.putString(scope);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ScopeFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        scope = body(buffer, offset, length).getString();
        return this;
    }

    /**
     * @return the scope, or null.
     */
    public String scope()
    {
        return scope;
    }
}
