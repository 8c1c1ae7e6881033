/**
 * Durable state: {@link io.ipam.persistence.DurableIpam} keeps the allocator's state in Chronicle Map files in
 * one directory, written through on the writer's thread before each answer.
 * <p>
 * Rules: a change is acknowledged only after it is in the map (and synced, per policy); derived structures
 * (bitmaps, owner tables) are rebuilt on open, never stored in the maps (a clean close leaves a checkpoint, a
 * snapshot of the engine that the next open reads instead of the maps only when the record it left in the maps
 * proves they match: {@code StoreCheckpoint}); one process per directory (a lock file); files
 * are owner-only; nothing in the directory is overwritten or created over a damaged file without being asked.
 */
package io.ipam.persistence;
