package io.ipam.core.protocol;

import io.ipam.core.addr.Cidr;
import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#ALLOCATE_PREFIX}: pool id (string), tenant (string), length (int, -1 for the pool's
 * default), specific (bool), then the wanted CIDR if specific.
 */
public final class AllocatePrefixFlyweight extends BodyFlyweight
{
    private String poolId;
    private String tenant;
    private int prefixLength;
    private Cidr wanted;

    /**
     * @param w            positioned at the body.
     * @param poolId       pool id.
     * @param tenant       the tenant the child is for.
     * @param prefixLength the child's length, or -1.
     * @param wanted       a specific child, or null.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String poolId, final String tenant, final int prefixLength,
        final Cidr wanted)
    {
        w.putString(poolId).putString(tenant).putInt(prefixLength).putBoolean(wanted != null);
        return wanted == null ? w : w.putCidr(wanted);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public AllocatePrefixFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        poolId = w.getString();
        tenant = w.getString();
        prefixLength = w.getInt();
        wanted = w.getBoolean() ? w.getCidr() : null;
        return this;
    }

    /**
     * @return the pool id.
     */
    public String poolId()
    {
        return poolId;
    }

    /**
     * @return the tenant.
     */
    public String tenant()
    {
        return tenant;
    }

    /**
     * @return the child's length, or -1 (ignored for a specific child).
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * @return the specific child wanted, or null.
     */
    public Cidr wanted()
    {
        return wanted;
    }
}
