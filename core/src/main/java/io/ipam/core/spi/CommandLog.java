package io.ipam.core.spi;

import org.agrona.DirectBuffer;

/**
 * Receives every applied state-changing command, in apply order, on the writer's thread, before its caller
 * is answered: the hook a journal, a replica or an audit trail builds on. Replaying the same bytes in the same
 * order into a fresh engine gives the same state and answers. Queries are not passed on unless they changed state
 * (a due lease they let expire), nor a command that faulted (it was undone). The format is written down in
 * {@code docs/command-log.md}.
 * <p>
 * An implementation must not keep the buffer past the call (copy what it needs) and should be quick: the
 * writer waits for it. An exception it throws answers that command {@code INTERNAL} and undoes it.
 */
@FunctionalInterface
public interface CommandLog
{
    /**
     * @param sequence 1 for the first command logged by this allocator, then one more each time.
     * @param timeMs   the command's time (also in its header).
     * @param type     its type id ({@code docs/command-log.md}).
     * @param buffer   the buffer holding it.
     * @param offset   where its 24-byte header starts.
     * @param length   its length, header included.
     */
    void onCommand(long sequence, long timeMs, int type, DirectBuffer buffer, int offset, int length);

    /**
     * The answer the command just logged got (an audit trail records it; replay tests compare it). Called right
     * after {@link #onCommand} on the writer's thread; the answer must not be kept past the call.
     *
     * @param sequence the command's sequence.
     * @param answer   its answer: code, values, payload.
     */
    default void onAnswer(final long sequence, final Answer answer)
    {
    }
}
