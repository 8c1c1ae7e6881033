/**
 * The embedding contract, whose names are fixed (outside code compiles against them) and which names nothing of
 * how commands travel or are applied (no {@code internal}, {@code protocol} or {@code writer} type):
 * {@link io.ipam.core.Ipam} and its value types, {@link io.ipam.core.IpamConfig}, {@link io.ipam.core.ErrorCode}
 * and {@link io.ipam.core.IpamException}; its static factories reach the implementation through
 * {@code io.ipam.core.assembly}.
 * <p>
 * Rules: every returned object is an immutable value; lists passed in are copied, never kept; a null argument
 * is {@code MALFORMED}; addresses are canonical text at this edge; no method resolves a name.
 */
package io.ipam.core;
