package io.ipam.core.protocol;

import org.agrona.DirectBuffer;

/**
 * What every flyweight of a variable body shares: the body is read once, when the command is wrapped, through a
 * {@link Wire} that checks every length against the bytes left, so a short or damaged body is refused with
 * {@code MALFORMED} before anything is done for it. Fields added to a layout later go at its end and are read
 * only when the bytes are there ({@link #remaining()}), so older logs still replay. One instance per thread.
 */
abstract class BodyFlyweight
{
    /** Reads the body. */
    final Wire in = new Wire();

    /**
     * Position the reader on the body of a command.
     *
     * @param buffer the buffer.
     * @param offset where the command (its header) starts.
     * @param length its length, header included.
     * @return the reader.
     */
    final Wire body(final DirectBuffer buffer, final int offset, final int length)
    {
        return in.readFrom(buffer, offset + CommandHeader.LENGTH, length - CommandHeader.LENGTH);
    }

    /**
     * @return bytes of the body not read yet (optional fields added at the end).
     */
    final int remaining()
    {
        return in.remaining();
    }
}
