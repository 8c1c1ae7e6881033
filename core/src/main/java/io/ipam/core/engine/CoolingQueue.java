package io.ipam.core.engine;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The addresses of one subnet that are cooling down, oldest first: pairs of (offset, time freed) in pages of
 * 1,024 pairs, so a cooling address costs 16 bytes and growing copies nothing; a wide subnet's queue (IPv6 /1 to
 * /63) keeps triples with the offset's high word. Times are command times, which
 * never go back, so the queue is ordered by release time and expiry pops from the head. An address taken again
 * by a specific request while cooling is tombstoned in place ({@link #remove}: a linear search, the rare path).
 * Single-threaded (the writer).
 */
final class CoolingQueue
{
    private static final int PAGE = 1024;
    private static final long DEAD = Long.MIN_VALUE;

    private final ArrayDeque<long[]> pages = new ArrayDeque<>();
    /** Longs an entry takes: time freed, offset, and for a wide subnet the offset's high word. */
    private final int stride;
    private int headPos;
    private int tailPos;
    private long live;

    CoolingQueue()
    {
        this(false);
    }

    /**
     * @param wide true for a wide subnet's queue (128-bit offsets).
     */
    CoolingQueue(final boolean wide)
    {
        stride = wide ? 3 : 2;
    }

    /**
     * @return addresses cooling now (tombstones not counted).
     */
    long size()
    {
        return live;
    }

    void add(final long offset, final long freedAt)
    {
        add(0, offset, freedAt);
    }

    void add(final long offsetHi, final long offset, final long freedAt)
    {
        if (pages.isEmpty() || tailPos == PAGE)
        {
            pages.addLast(new long[PAGE * stride]);
            tailPos = 0;
        }
        final long[] pg = pages.peekLast();
        pg[tailPos * stride] = offset;
        pg[tailPos * stride + 1] = freedAt;
        if (stride == 3)
        {
            pg[tailPos * 3 + 2] = offsetHi;
        }
        tailPos++;
        live++;
    }

    /**
     * @return true if a live entry is at the head.
     */
    boolean hasHead()
    {
        while (!empty() && pages.peekFirst()[headPos * stride + 1] == DEAD)
        {
            advance();
        }
        return !empty();
    }

    long headOffset()
    {
        return pages.peekFirst()[headPos * stride];
    }

    /**
     * @return the high word of the head's offset (0 in a narrow subnet's queue).
     */
    long headOffsetHi()
    {
        return stride == 3 ? pages.peekFirst()[headPos * 3 + 2] : 0;
    }

    long headFreedAt()
    {
        return pages.peekFirst()[headPos * stride + 1];
    }

    /**
     * Remove the head (after {@link #hasHead()} returned true).
     */
    void pop()
    {
        live--;
        advance();
    }

    /**
     * Tombstone a cooling offset (taken again by a specific request).
     *
     * @return true if it was cooling.
     */
    boolean remove(final long offset)
    {
        return scan(0, offset, null);
    }

    /**
     * Tombstone a cooling 128-bit offset of a wide subnet.
     *
     * @return true if it was cooling.
     */
    boolean remove(final long offsetHi, final long offset)
    {
        return scan(offsetHi, offset, null);
    }

    /**
     * Visit every cooling entry, oldest first.
     */
    void forEach(final PairVisitor visitor)
    {
        scan(0, 0, (hi, offset, freedAt) -> visitor.visit(offset, freedAt));
    }

    /**
     * Visit every cooling entry with its offset's high word, oldest first.
     */
    void forEach(final TripleVisitor visitor)
    {
        scan(0, 0, visitor);
    }

    /**
     * Walk the live entries oldest first: hand each to the visitor or, without one, tombstone the first with the
     * offset given and stop.
     *
     * @return true if an entry was tombstoned.
     */
    private boolean scan(final long offsetHi, final long offset, final TripleVisitor visitor)
    {
        final Iterator<long[]> it = pages.iterator();
        int from = headPos;
        while (it.hasNext())
        {
            final long[] pg = it.next();
            final int to = it.hasNext() ? PAGE : tailPos;
            for (int i = from; i < to; i++)
            {
                final int e = i * stride;
                if (pg[e + 1] == DEAD)
                {
                    continue;
                }
                final long hi = stride == 3 ? pg[e + 2] : 0;
                if (visitor != null)
                {
                    visitor.visit(hi, pg[e], pg[e + 1]);
                }
                else if (pg[e] == offset && hi == offsetHi)
                {
                    pg[e + 1] = DEAD;
                    live--;
                    hasHead();
                    return true;
                }
            }
            from = 0;
        }
        return false;
    }

    private boolean empty()
    {
        return pages.isEmpty() || (pages.size() == 1 && headPos == tailPos);
    }

    private void advance()
    {
        headPos++;
        if (pages.size() == 1 && headPos == tailPos)
        {
            pages.clear();
            headPos = 0;
            tailPos = 0;
        }
        else if (headPos == PAGE)
        {
            pages.removeFirst();
            headPos = 0;
        }
    }

    /**
     * Receives (offset, time freed) pairs.
     */
    interface PairVisitor
    {
        void visit(long offset, long freedAt);
    }

    /**
     * Receives (offset high word, offset, time freed).
     */
    interface TripleVisitor
    {
        void visit(long offsetHi, long offset, long freedAt);
    }
}
