package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body: {@code scope} (string or null), owner high (long), owner low (long). Layout of
 * {@link MessageTypes#RELEASE_OWNER} and {@link MessageTypes#ALLOCATIONS_OF}.
 */
public final class ScopedOwnerFlyweight extends BodyFlyweight
{
    private String scope;
    private long ownerMsb;
    private long ownerLsb;

    /**
     * @param w        positioned at the body.
     * @param scope    a view's tenant, or null.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final long ownerMsb, final long ownerLsb)
    {
        return w.putString(scope).putLong(ownerMsb).putLong(ownerLsb);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ScopedOwnerFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        ownerMsb = w.getLong();
        ownerLsb = w.getLong();
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
     * @return owner high bits.
     */
    public long ownerMsb()
    {
        return ownerMsb;
    }

    /**
     * @return owner low bits.
     */
    public long ownerLsb()
    {
        return ownerLsb;
    }
}
