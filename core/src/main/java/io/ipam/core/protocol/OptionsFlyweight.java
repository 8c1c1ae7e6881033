package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#WITH_OPTIONS}: {@code scope} (string or null), request key (string, null for
 * none), lease (long ms, 0 for none), inner type (int), then the inner allocation command whole, its own header
 * and body. Encoding writes the options; the inner command is encoded right after them.
 */
public final class OptionsFlyweight extends BodyFlyweight
{
    private String scope;
    private String requestKey;
    private long leaseMs;
    private int innerType;
    private boolean router;
    private int innerOffset;
    private int innerLength;

    /**
     * @param w          positioned at the body.
     * @param scope      a view's tenant, or null.
     * @param requestKey the key, or null.
     * @param leaseMs    the lease, or 0.
     * @param innerType  the type of the command that follows.
     * @return the wire, where the inner command starts.
     */
    public static Wire encode(final Wire w, final String scope, final String requestKey, final long leaseMs,
        final int innerType)
    {
        return w.putString(scope).putString(requestKey).putLong(leaseMs).putInt(innerType);
    }

    /** Bit of the inner-type field that marks a router's request (SPEC 2); 0 in every log written before it. */
    public static final int ROUTER = 1 << 16;

    /**
     * As {@link #encode(Wire, String, String, long, int)}, with the router mark (SPEC 2).
     *
     * @return the wire, where the inner command starts.
     */
    public static Wire encode(final Wire w, final String scope, final String requestKey, final long leaseMs,
        final int innerType, final boolean router)
    {
        return encode(w, scope, requestKey, leaseMs, router ? innerType | ROUTER : innerType);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, the options read and the inner command located (not read).
     */
    public OptionsFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        requestKey = w.getString();
        leaseMs = w.getLong();
        final int typeAndFlags = w.getInt();
        innerType = typeAndFlags & 0xFFFF;
        router = (typeAndFlags & ROUTER) != 0;
        if ((typeAndFlags & ~(0xFFFF | ROUTER)) != 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "unknown option flags " + Integer.toHexString(typeAndFlags));
        }
        innerOffset = w.position();
        innerLength = offset + length - innerOffset;
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
     * @return the request key, or null.
     */
    public String requestKey()
    {
        return requestKey;
    }

    /**
     * @return the lease in ms, 0 for none.
     */
    public long leaseMs()
    {
        return leaseMs;
    }

    /**
     * @return true for a router's request.
     */
    public boolean router()
    {
        return router;
    }

    /**
     * @return the inner command's type.
     */
    public int innerType()
    {
        return innerType;
    }

    /**
     * @return where the inner command (its header) starts in the buffer.
     */
    public int innerOffset()
    {
        return innerOffset;
    }

    /**
     * @return the inner command's length, header included.
     */
    public int innerLength()
    {
        return innerLength;
    }
}
