package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#SUBNET_MAP} (a query): {@code scope} (string or null), {@code id} (string),
 * {@code window} (address, family 0 for the whole subnet, then byte prefix length), {@code cellBits} (byte: log2 of
 * the cells wanted). The answer is {@link SubnetMapCodec}'s.
 */
public final class SubnetMapFlyweight extends BodyFlyweight
{
    private String scope;
    private String id;
    private Cidr window;
    private int cellBits;

    /**
     * @param w        positioned at the body.
     * @param scope    a view's tenant, or null.
     * @param id       the subnet.
     * @param window   the block to map, or null for the whole subnet.
     * @param cellBits log2 of the cells wanted.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final Cidr window,
        final int cellBits)
    {
        w.putString(scope).putString(id);
        if (window == null)
        {
            w.putAddress(null).putByte(0);
        }
        else
        {
            w.putCidr(window);
        }
        return w.putByte(cellBits);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public SubnetMapFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        final IpAddress a = w.getAddress();
        final int prefix = w.getByte();
        if (a != null && prefix > a.bits())
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded window is damaged");
        }
        window = a == null ? null : new Cidr(a, prefix);
        cellBits = w.getByte();
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
     * @return the window, or null for the whole subnet.
     */
    public Cidr window()
    {
        return window;
    }

    /**
     * @return log2 of the cells wanted.
     */
    public int cellBits()
    {
        return cellBits;
    }
}
