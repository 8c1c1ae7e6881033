package io.ipam.core.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import io.ipam.core.ErrorCode;
import io.ipam.core.spi.Answer;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * One caller's request and its answer: the encoded command the caller wrote, and the reply the writer wrote
 * back. A pool of these is indexed by the reply slot in the {@link CommandHeader}; a slot belongs to one
 * caller from acquire to release.
 * <p>
 * Reply fields: {@code code} ({@code >= 0} a result, {@code < 0} minus an {@code ErrorCode} value), four
 * primitives whose meaning depends on the command ({@code value}: an address, a count; the owner and time of
 * an owner lookup), and a payload buffer for variable answers ({@link ReplyCodec} writes and reads it; an
 * error's message travels there). Nothing but bytes and primitives crosses: a caller keeps what it needs to read
 * its answer (the CIDR it sent a request with) on its own stack.
 * <p>
 * Publication: the writer fills the fields, then {@link #answerAndWake()} stores the state (a full fence) and
 * wakes a parked caller; a caller that sees {@link #isAnswered()} sees the fields. A caller that stops waiting
 * {@link #abandon()}s
 * the slot, and whichever of the two comes second frees it, so a late answer never lands in a slot that
 * already serves another request.
 */
public final class Reply implements Answer
{
    /** Slot state: waiting for the writer. */
    public static final int WAITING = 0;
    /** Slot state: answered. */
    public static final int ANSWERED = 1;
    /** Slot state: the caller gave up waiting. */
    public static final int ABANDONED = 2;

    private static final VarHandle STATE;

    static
    {
        try
        {
            STATE = MethodHandles.lookup().findVarHandle(Reply.class, "state", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** This slot's index. */
    public final int slot;
    /** The encoded command (header and body), written by the caller. */
    public final ExpandableArrayBuffer command = new ExpandableArrayBuffer(128);

    /**
     * Write the routing part of the command's header before it is sent: a correlation id made of the slot index
     * and the slot's own request count (unique without a counter shared by all callers), the reply slot, and the
     * reserved word. The time was written when the command was begun.
     */
    public void stampHeader()
    {
        CommandHeader.stamp(command, 0, ((long)slot << 40) | (++requests & 0xFF_FFFF_FFFFL), slot);
    }
    /** The command's type id. */
    public int type;
    /** Requests this slot has carried (the caller's; part of the correlation id). */
    public long requests;
    /** Bytes of {@link #command} in use. */
    public int commandLength;

    /** Result code. */
    public int code;
    /** First result value. */
    public long value;
    /** Owner high bits (owner lookup). */
    public long ownerMsb;
    /** Owner low bits (owner lookup). */
    public long ownerLsb;
    /** Time (owner lookup). */
    public long timeMs;
    /** Variable answer. */
    public final ExpandableArrayBuffer payload = new ExpandableArrayBuffer(64);
    /** Bytes of {@link #payload} in use. */
    public int payloadLength;

    @SuppressWarnings("unused") // through STATE
    private volatile int state;
    private volatile Thread waiter;

    /**
     * @param slot the index.
     */
    public Reply(final int slot)
    {
        this.slot = slot;
    }

    /**
     * Make ready for a new request (caller, before encoding).
     */
    public void reset()
    {
        code = 0;
        value = 0;
        ownerMsb = 0;
        ownerLsb = 0;
        timeMs = 0;
        payloadLength = 0;
        STATE.setRelease(this, WAITING);
    }

    /**
     * Stop waiting (caller).
     *
     * @return false if the answer came first (the caller must then read it and free the slot itself).
     */
    public boolean abandon()
    {
        return (int)STATE.getAndSet(this, ABANDONED) != ANSWERED;
    }

    /**
     * Publish the answer and wake the caller if it parked (writer).
     *
     * @return false if the caller had abandoned the slot (the writer must then free it).
     */
    public boolean answerAndWake()
    {
        if ((int)STATE.getAndSet(this, ANSWERED) == ABANDONED)
        {
            return false;
        }
        final Thread t = waiter;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
        return true;
    }

    /**
     * Park the calling thread until {@link #answerAndWake()} or the timeout (caller). The waiter is announced
     * before the answer is looked at again, so an answer published in between is never missed.
     *
     * @param maxNs longest park.
     */
    public void parkUntilAnswered(final long maxNs)
    {
        waiter = Thread.currentThread();
        if (!isAnswered())
        {
            LockSupport.parkNanos(this, maxNs);
        }
        waiter = null;
    }

    /**
     * @return true once the writer answered.
     */
    public boolean isAnswered()
    {
        return (int)STATE.getAcquire(this) == ANSWERED;
    }

    @Override
    public int code()
    {
        return code;
    }

    @Override
    public long value()
    {
        return value;
    }

    @Override
    public long ownerMsb()
    {
        return ownerMsb;
    }

    @Override
    public long ownerLsb()
    {
        return ownerLsb;
    }

    @Override
    public long timeMs()
    {
        return timeMs;
    }

    @Override
    public DirectBuffer payload()
    {
        return payload;
    }

    @Override
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * Record an error answer: the code and, in the payload, its message.
     *
     * @param error   the error.
     * @param message the message.
     * @param wire    a wire to write with.
     */
    public void error(final ErrorCode error, final String message, final Wire wire)
    {
        code = error.resultCode();
        ReplyCodec.putError(wire.writeTo(payload, 0), message);
        payloadLength = wire.position();
    }
}
