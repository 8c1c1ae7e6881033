package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#TICK}: budget (int): most leases expired, cooled addresses returned and keys
 * forgotten in this step.
 */
public final class TickFlyweight extends BodyFlyweight
{
    private int budget;

    /**
     * @param w      positioned at the body.
     * @param budget most items of each kind handled.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final int budget)
    {
        return w.putInt(budget);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public TickFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        budget = body(buffer, offset, length).getInt();
        return this;
    }

    /**
     * @return the budget as encoded.
     */
    public int budget()
    {
        return budget;
    }
}
