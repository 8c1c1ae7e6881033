package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#DELETE_SUBNET}: scope (string or null), subnet id (string), force (bool).
 */
public final class DeleteSubnetFlyweight extends BodyFlyweight
{
    private String scope;
    private String id;
    private boolean force;

    /**
     * @param w     positioned at the body.
     * @param scope a view's tenant, or null.
     * @param id    subnet id.
     * @param force release its allocations too.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final boolean force)
    {
        return w.putString(scope).putString(id).putBoolean(force);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public DeleteSubnetFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        force = w.getBoolean();
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
     * @return whether allocations are released too.
     */
    public boolean force()
    {
        return force;
    }
}
