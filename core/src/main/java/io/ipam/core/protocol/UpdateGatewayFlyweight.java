package io.ipam.core.protocol;

import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#UPDATE_GATEWAY}: scope (string or null), subnet id (string), gateway (address,
 * family 0 to remove it).
 */
public final class UpdateGatewayFlyweight extends BodyFlyweight
{
    private String scope;
    private String id;
    private IpAddress gateway;

    /**
     * @param w       positioned at the body.
     * @param scope   a view's tenant, or null.
     * @param id      subnet id.
     * @param gateway the gateway, or null to remove it.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final IpAddress gateway)
    {
        return w.putString(scope).putString(id).putAddress(gateway);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public UpdateGatewayFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        gateway = w.getAddress();
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
     * @return the gateway, or null.
     */
    public IpAddress gateway()
    {
        return gateway;
    }
}
