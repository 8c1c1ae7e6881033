/**
 * Not part of the embedding contract, and named by no module outside core (other modules use
 * {@code io.ipam.core.assembly}): the facade checks and parses text on the caller's thread before anything reaches
 * the writer, has {@link io.ipam.core.internal.CommandProxy} encode each call through the protocol's flyweights, and
 * makes the strings of answers here, never inside the writer. May change without notice.
 */
package io.ipam.core.internal;
