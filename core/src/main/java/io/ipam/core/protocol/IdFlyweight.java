package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body: {@code id} (string: a subnet or prefix pool id). Layout of {@link MessageTypes#RESOLVE_SUBNET} and
 * {@link MessageTypes#PREFIX_POOL_INFO}.
 */
public final class IdFlyweight extends BodyFlyweight
{
    private String id;

    /**
     * @param w  positioned at the body.
     * @param id the id.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String id)
    {
        return w.putString(id);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public IdFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        id = body(buffer, offset, length).getString();
        return this;
    }

    /**
     * @return the id.
     */
    public String id()
    {
        return id;
    }
}
