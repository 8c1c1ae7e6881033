/**
 * Address maths and text: parsing once at the edge, canonical output, no DNS ever.
 * <p>
 * Rule: every text that reaches the engine passes through {@link io.ipam.core.addr.AddressText} first;
 * primitive parsers allocate nothing and return sentinels, object parsers throw
 * {@link io.ipam.core.IpamException} with {@code MALFORMED} naming the input. Every format that stores an address
 * or a CIDR in bytes (snapshot, store, wire) uses {@link io.ipam.core.addr.AddressCodec}.
 */
package io.ipam.core.addr;
