/**
 * A leaf: the hooks an embedder plugs into the allocator name only API types and their own
 * ({@link io.ipam.core.spi.CommandLog} receives every applied state-changing command and its {@link
 * io.ipam.core.spi.Answer}); nothing here depends on how commands are encoded, applied or stored.
 */
package io.ipam.core.spi;
