package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body: {@code scope} (string or null), {@code id} (string: a subnet or prefix pool id). Layout of
 * {@link MessageTypes#SUBNET_INFO} and {@link MessageTypes#CHILDREN}.
 */
public final class ScopedIdFlyweight extends BodyFlyweight
{
    private String scope;
    private String id;

    /**
     * @param w     positioned at the body.
     * @param scope a view's tenant, or null.
     * @param id    the id.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id)
    {
        return w.putString(scope).putString(id);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ScopedIdFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
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
     * @return the id.
     */
    public String id()
    {
        return id;
    }
}
