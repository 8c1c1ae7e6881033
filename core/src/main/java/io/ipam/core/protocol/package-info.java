/**
 * Every operation crosses to the writer as bytes whose layout is written and read in one place, a flyweight per
 * layout used by both sides: type ids in {@link io.ipam.core.protocol.MessageTypes}, the header in
 * {@link io.ipam.core.protocol.CommandHeader}, the hot command in {@link io.ipam.core.protocol.HotCommandFlyweight},
 * one {@code *Flyweight} per variable layout (fields in sequence through {@link io.ipam.core.protocol.Wire}), and
 * every answer layout in {@link io.ipam.core.protocol.ReplyCodec}; a {@link io.ipam.core.protocol.Reply} slot
 * carries a command and its answer over a {@link io.ipam.core.protocol.CommandTransport}.
 * <p>
 * Rules: type ids and layouts are the command log format ({@code docs/command-log.md}, which wins over this code):
 * never renumber or reuse one; a field added to a layout goes at its end and is read only when present. Readers check
 * every length against the bytes left before allocating. This package knows no engine and no writer.
 */
package io.ipam.core.protocol;
