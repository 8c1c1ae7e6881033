package io.ipam.core.spi;

import org.agrona.DirectBuffer;

/**
 * A command's answer as a {@link CommandLog} sees it, read-only and valid only during the call that passes it:
 * {@link #code()} ({@code >= 0} a result, {@code < 0} minus an {@code ErrorCode} value), four primitives whose
 * meaning depends on the command, and the encoded payload of a variable answer ({@code docs/command-log.md}).
 */
public interface Answer
{
    /**
     * @return the result code: {@code >= 0} a result (0 OK, 1 RELEASED or FOUND, or a count), {@code < 0} minus an
     * {@code ErrorCode} value.
     */
    int code();

    /**
     * @return the first value: the address chosen, a handle, a count.
     */
    long value();

    /**
     * @return the owner's high bits (an owner lookup).
     */
    long ownerMsb();

    /**
     * @return the owner's low bits (an owner lookup).
     */
    long ownerLsb();

    /**
     * @return a time in epoch ms (an owner lookup).
     */
    long timeMs();

    /**
     * @return the buffer holding the payload from index 0.
     */
    DirectBuffer payload();

    /**
     * @return bytes of the payload.
     */
    int payloadLength();
}
