/**
 * Exactly one thread at a time holds the writer role, and only the role holder touches the engine: a caller that
 * found it free (caller-runs, the default) or the dedicated writer thread, handed over through one atomic flag whose
 * release and acquire order all engine state. The {@link io.ipam.core.writer.CommandAdapter} decodes each command
 * through its flyweight and dispatches it; a {@link io.ipam.core.writer.Store} hears every change and syncs each
 * batch.
 * <p>
 * Rules: every wait is bounded by the request timeout; answers of a batch are published only after its batch hook
 * (the durable sync) ran; any {@code Throwable} from a command is undone and answered {@code INTERNAL}; what every
 * command does first runs once per command; nothing on the allocate/release path allocates (tested on both sides
 * in both modes); every accepted asynchronous command's callback runs once, on the thread that applied it after it
 * gave the role back; answers a thread takes for other callers from inside a callback run after that callback
 * returns, so serving others from callbacks does not grow the stack (a callback's own next command, applied at once
 * when the role is free, still completes inside it, as a completed future's chain does).
 */
package io.ipam.core.writer;
