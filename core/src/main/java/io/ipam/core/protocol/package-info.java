/**
 * Every operation crosses to the writer as bytes, never as a closure or an object: type ids
 * ({@link io.ipam.core.protocol.MessageTypes}), layouts ({@link io.ipam.core.protocol.CommandHeader},
 * {@link io.ipam.core.protocol.HotCommand}, {@link io.ipam.core.protocol.Wire}) and the one adapter
 * ({@link io.ipam.core.protocol.CommandAdapter}) that applies them to the engine and encodes the answer.
 * <p>
 * Rules: type ids and layouts are the command log format ({@code docs/command-log.md}, which wins over this
 * code): never renumber or reuse one. The adapter reads nothing but the command's bytes and the engine, so a
 * replayed log gives the same answers. Readers check every length against the bytes left before allocating.
 */
package io.ipam.core.protocol;
