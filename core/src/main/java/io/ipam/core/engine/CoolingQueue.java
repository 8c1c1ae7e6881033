package io.ipam.core.engine;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The addresses of one subnet that are cooling down, oldest first: pairs of (offset, time freed) in pages of
 * 1,024 pairs, so a cooling address costs 16 bytes and growing copies nothing. Times are command times, which
 * never go back, so the queue is ordered by release time and expiry pops from the head. An address taken again
 * by a specific request while cooling is tombstoned in place ({@link #remove}: a linear search, the rare path).
 * Single-threaded (the writer).
 */
final class CoolingQueue
{
    private static final int PAGE = 1024;
    private static final long DEAD = Long.MIN_VALUE;

    private final ArrayDeque<long[]> pages = new ArrayDeque<>();
    private int headPos;
    private int tailPos;
    private long live;

    /**
     * @return addresses cooling now (tombstones not counted).
     */
    long size()
    {
        return live;
    }

    void add(final long offset, final long freedAt)
    {
        if (pages.isEmpty() || tailPos == PAGE)
        {
            pages.addLast(new long[PAGE * 2]);
            tailPos = 0;
        }
        final long[] pg = pages.peekLast();
        pg[tailPos * 2] = offset;
        pg[tailPos * 2 + 1] = freedAt;
        tailPos++;
        live++;
    }

    /**
     * @return true if a live entry is at the head.
     */
    boolean hasHead()
    {
        while (!empty() && pages.peekFirst()[headPos * 2 + 1] == DEAD)
        {
            advance();
        }
        return !empty();
    }

    long headOffset()
    {
        return pages.peekFirst()[headPos * 2];
    }

    long headFreedAt()
    {
        return pages.peekFirst()[headPos * 2 + 1];
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
        return scan(offset, null);
    }

    /**
     * Visit every cooling entry, oldest first.
     */
    void forEach(final PairVisitor visitor)
    {
        scan(0, visitor);
    }

    /**
     * Walk the live entries oldest first: hand each to the visitor or, without one, tombstone the first with the
     * offset given and stop.
     *
     * @return true if an entry was tombstoned.
     */
    private boolean scan(final long offset, final PairVisitor visitor)
    {
        final Iterator<long[]> it = pages.iterator();
        int from = headPos;
        while (it.hasNext())
        {
            final long[] pg = it.next();
            final int to = it.hasNext() ? PAGE : tailPos;
            for (int i = from; i < to; i++)
            {
                if (pg[i * 2 + 1] == DEAD)
                {
                    continue;
                }
                if (visitor != null)
                {
                    visitor.visit(pg[i * 2], pg[i * 2 + 1]);
                }
                else if (pg[i * 2] == offset)
                {
                    pg[i * 2 + 1] = DEAD;
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
}
