package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * Body of {@link MessageTypes#CHANGES}: scope (string or null), after sequence (long), most changes (int).
 */
public final class ChangesFlyweight extends BodyFlyweight
{
    private String scope;
    private long afterSequence;
    private int max;

    /**
     * @param w             positioned at the body.
     * @param scope         a view's tenant, or null.
     * @param afterSequence changes after this one.
     * @param max           at most this many.
     * @return the wire, after the body.
     */
    public static Wire encode(final Wire w, final String scope, final long afterSequence, final int max)
    {
        return w.putString(scope).putLong(afterSequence).putInt(max);
    }

    /**
     * @param buffer the buffer.
     * @param offset where the command starts.
     * @param length its length.
     * @return this, every field read.
     */
    public ChangesFlyweight wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        final Wire w = body(buffer, offset, length);
        scope = w.getString();
        afterSequence = w.getLong();
        max = w.getInt();
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
     * @return the sequence after which changes are wanted.
     */
    public long afterSequence()
    {
        return afterSequence;
    }

    /**
     * @return the most changes wanted.
     */
    public int max()
    {
        return max;
    }
}
