package io.ipam.core.protocol;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.addr.IpAddress;
import org.agrona.DirectBuffer;

/**
 * {@link MessageTypes#RECONCILE_SUBNET}: one subnet made to match the caller's truth, address by address (SPEC 9).
 * <pre>
 *   scope (str), subnet id (str), grace ms (i64), dry run (bool),
 *   list of (address, owner high i64, owner low i64), strictly ascending by address
 * </pre>
 * The encoder sorts; a reader refuses another order, or a family other than the first entry's, as {@code MALFORMED}
 * (a log is never trusted). The entries are read into arrays the flyweight keeps and grows.
 */
public final class ReconcileSubnetFlyweight extends BodyFlyweight
{
    /** Bytes of one entry at least: an address (17) and an owner (16). */
    public static final int ENTRY_BYTES = 33;

    private String scope;
    private String id;
    private long graceMs;
    private boolean dryRun;
    private int count;
    private long[] hi = new long[16];
    private long[] lo = new long[16];
    private long[] ownerMsb = new long[16];
    private long[] ownerLsb = new long[16];

    /**
     * @param w        positioned at the body.
     * @param scope    a view's tenant, or null.
     * @param id       subnet id.
     * @param graceMs  allocations younger than this are left alone.
     * @param dryRun   only report.
     * @param address  expected addresses, strictly ascending.
     * @param ownerMsb their owners' high bits.
     * @param ownerLsb their owners' low bits.
     * @param n        how many.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final String id, final long graceMs,
        final boolean dryRun, final IpAddress[] address, final long[] ownerMsb, final long[] ownerLsb, final int n)
    {
        w.putString(scope).putString(id).putLong(graceMs).putBoolean(dryRun).putInt(n);
        for (int i = 0; i < n; i++)
        {
            w.putAddress(address[i]).putLong(ownerMsb[i]).putLong(ownerLsb[i]);
        }
        return w;
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read and the order checked.
     */
    public ReconcileSubnetFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        id = w.getString();
        graceMs = w.getLong();
        dryRun = w.getBoolean();
        final int n = w.getCount(ENTRY_BYTES);
        if (hi.length < n)
        {
            final int size = Math.max(n, hi.length * 2);
            hi = new long[size];
            lo = new long[size];
            ownerMsb = new long[size];
            ownerLsb = new long[size];
        }
        boolean v6 = false;
        for (int i = 0; i < n; i++)
        {
            final IpAddress a = w.getAddress();
            if (a == null || (i > 0 && a.isV6() != v6))
            {
                throw new IpamException(ErrorCode.MALFORMED, "expected address " + i + " is " +
                    (a == null ? "missing" : "of another family than the first"));
            }
            v6 = a.isV6();
            hi[i] = a.hi();
            lo[i] = a.lo();
            ownerMsb[i] = w.getLong();
            ownerLsb[i] = w.getLong();
            if (i > 0 && (hi[i - 1] == hi[i] ? Long.compareUnsigned(lo[i - 1], lo[i]) >= 0 :
                Long.compareUnsigned(hi[i - 1], hi[i]) > 0))
            {
                throw new IpamException(ErrorCode.MALFORMED, "expected addresses are not strictly ascending at " + a);
            }
        }
        count = n;
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
     * @return the grace in ms.
     */
    public long graceMs()
    {
        return graceMs;
    }

    /**
     * @return true for a dry run.
     */
    public boolean dryRun()
    {
        return dryRun;
    }

    /**
     * @return how many addresses are expected.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the expected addresses' high words (the first {@link #count()}; reused across commands).
     */
    public long[] hi()
    {
        return hi;
    }

    /**
     * @return the expected addresses' values.
     */
    public long[] lo()
    {
        return lo;
    }

    /**
     * @return the expected owners' high bits.
     */
    public long[] ownerMsb()
    {
        return ownerMsb;
    }

    /**
     * @return the expected owners' low bits.
     */
    public long[] ownerLsb()
    {
        return ownerLsb;
    }
}
