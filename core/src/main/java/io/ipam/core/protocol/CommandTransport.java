package io.ipam.core.protocol;

import java.util.function.Consumer;

import io.ipam.core.IpamException;

/**
 * Carries the facade's encoded commands to a writer and brings their answers back. The in-process
 * {@code WriterExecutor} is one; a replicated log (ipam-cluster) is another: the facade encodes
 * and decodes exactly the same bytes either way, so a command applied from a log is the command the caller made.
 * <p>
 * Contract, from any caller thread: {@link #acquire()} a slot, encode the command into {@link Reply#command}
 * (setting {@link Reply#type} and {@link Reply#commandLength}), {@link #execute(Reply)}, read the answer from the
 * slot, {@link #release(Reply)} it. {@code execute} fills the header's correlation id and reply slot itself and
 * waits at most the request timeout.
 */
public interface CommandTransport extends AutoCloseable
{
    /**
     * A free reply slot, reset, waiting at most the request timeout.
     *
     * @return the slot.
     * @throws IpamException {@code OVERLOADED} when none came free in time, {@code CLOSED}.
     */
    Reply acquire();

    /**
     * A free reply slot for a command of a known size (a transport may keep large slots apart for large commands).
     *
     * @param commandBytes the command's length.
     * @return the slot.
     * @throws IpamException as {@link #acquire()}.
     */
    default Reply acquire(final int commandBytes)
    {
        return acquire();
    }

    /**
     * Send the command encoded in the slot and wait for its answer, found in the slot when this returns.
     *
     * @param r the slot from {@link #acquire()}, command encoded.
     * @throws IpamException {@code CLOSED} or {@code OVERLOADED} (the message says whether the command
     *                                    may still be applied); the slot is then taken care of: do not release it.
     */
    void execute(Reply r);

    /**
     * Send the command without waiting: {@code onAnswer} gets the slot once the answer is in it, and gives it back
     * with {@link #release(Reply)} after reading it. It runs on the transport's own thread (it must not block) or, by
     * default, on the caller's after a blocking {@link #execute(Reply)}. No timeout applies to the answer.
     *
     * @param r        the slot from {@link #acquire()}, command encoded.
     * @param onAnswer told of the answer.
     * @throws IpamException as {@link #execute(Reply)}; {@code onAnswer} is then not called.
     */
    default void executeAsync(final Reply r, final Consumer<Reply> onAnswer)
    {
        execute(r);
        onAnswer.accept(r);
    }

    /**
     * @param r a slot from {@link #acquire()} whose answer was read.
     */
    void release(Reply r);

    /**
     * Stop; what is in flight fails with {@code CLOSED}. A second call does nothing.
     */
    @Override
    void close();
}
