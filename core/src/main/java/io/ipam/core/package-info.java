/**
 * The embedding contract: {@link io.ipam.core.Ipam} and its value types, {@link io.ipam.core.ErrorCode} and
 * {@link io.ipam.core.IpamException}. The names here are fixed (outside code compiles against them).
 * <p>
 * Rules: every returned object is an immutable value; lists passed in are copied, never kept; a null argument
 * is {@code MALFORMED}; addresses are canonical text at this edge; no method resolves a name.
 */
package io.ipam.core;
