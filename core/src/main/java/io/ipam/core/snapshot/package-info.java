/**
 * Snapshot files: capture on the writer (array copies only), order and write off the writer, read and verify.
 * <p>
 * Rules: {@code docs/snapshot-format.md} is the specification and wins over this code; readers refuse versions
 * they do not know; every byte is covered by a CRC32C that is checked before the bytes are interpreted;
 * files are written beside their final name, synced, then renamed, owner-only.
 */
package io.ipam.core.snapshot;
