/**
 * Text is parsed and validated here, on the caller's thread, before anything reaches the writer, and strings
 * for answers are made here, never inside the writer: the facade ({@link io.ipam.core.internal.EngineIpam})
 * encodes each call as a command and reads its encoded answer. Not part of the embedding contract; may change
 * without notice.
 */
package io.ipam.core.internal;
