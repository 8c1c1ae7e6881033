/**
 * Internal: the facade implementation and the executors that reach the writer. Not part of the embedding
 * contract; may change without notice.
 * <p>
 * Rules: text is parsed and validated here, on the caller's thread, before anything reaches the writer;
 * strings for replies are made here, never inside the writer.
 */
package io.ipam.core.internal;
