package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#RENEW}: {@code scope} (string or null), handle (int), address value (long), owner
 * high and low (long, long), lease (long, ms).
 */
public final class RenewFlyweight extends BodyFlyweight
{
    private String scope;
    private int handle;
    private long address;
    private long ownerMsb;
    private long ownerLsb;
    private long leaseMs;
    private boolean hasAddressHigh;
    private long addressHigh;

    /**
     * @param w        positioned at the body.
     * @param scope    a view's tenant, or null.
     * @param handle   subnet handle.
     * @param address  address value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param leaseMs  the new lease.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final int handle, final long address,
        final long ownerMsb, final long ownerLsb, final long leaseMs)
    {
        return w.putString(scope).putInt(handle).putLong(address).putLong(ownerMsb).putLong(ownerLsb).putLong(leaseMs);
    }

    /**
     * A wide subnet's renew (IPv6 /1 to /63): the address's high 64 bits follow the lease.
     *
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final int handle, final long addressHi,
        final long address, final long ownerMsb, final long ownerLsb, final long leaseMs)
    {
        return encode(w, scope, handle, address, ownerMsb, ownerLsb, leaseMs).putLong(addressHi);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public RenewFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        handle = w.getInt();
        address = w.getLong();
        ownerMsb = w.getLong();
        ownerLsb = w.getLong();
        leaseMs = w.getLong();
        hasAddressHigh = remaining() >= 8;
        addressHigh = hasAddressHigh ? w.getLong() : 0;
        return this;
    }

    /**
     * @return true if the address's high 64 bits were given (a wide subnet's renew); else they are the subnet's.
     */
    public boolean hasAddressHigh()
    {
        return hasAddressHigh;
    }

    /**
     * @return the address's high 64 bits (when {@link #hasAddressHigh()}).
     */
    public long addressHigh()
    {
        return addressHigh;
    }

    /**
     * @return the scope, or null.
     */
    public String scope()
    {
        return scope;
    }

    /**
     * @return subnet handle.
     */
    public int handle()
    {
        return handle;
    }

    /**
     * @return address value.
     */
    public long address()
    {
        return address;
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

    /**
     * @return the lease in ms.
     */
    public long leaseMs()
    {
        return leaseMs;
    }
}
