/**
 * The allocator as a deterministic state machine ({@link io.ipam.core.engine.AllocatorEngine}): subnets, pools,
 * allocations with owners and times in Roaring bitmaps and primitive tables, prefix pools as a buddy system.
 * <p>
 * Rules: single-threaded (only the writer calls in); no threads, no I/O, no clock or random source read inside
 * (time is carried in each command, randomness is injected), so the same commands give the same state;
 * the hot path takes handles and primitives, returns result codes and allocates nothing in steady state;
 * every change is reported to the {@link io.ipam.core.engine.StateListener} before it is acknowledged.
 */
package io.ipam.core.engine;
