/**
 * The allocator as a deterministic state machine that only the writer calls: no threads, no I/O, no clock or
 * random source read inside (time is carried in each command, randomness is injected), so the same commands give
 * the same state; every call returns what it did (a result code, values in a caller-supplied
 * {@link io.ipam.core.engine.EngineResult}), never through a field read afterwards.
 * <p>
 * {@link io.ipam.core.engine.AllocatorEngine} is the front of rooms along the engine's seams: the subnet registry,
 * address picking, allocations (the only places an address changes state), port requests, the lifecycle (clock,
 * leases, cooldown, request keys), subnet administration, prefix pools, and the lifecycle's images; the storage
 * side's {@link io.ipam.core.engine.Restorer} rebuilds an engine. Allocated addresses live in word bitmaps and paged
 * records; the hot path takes handles and primitives and allocates nothing in steady state. Every change is
 * reported to the {@link io.ipam.core.engine.StateListener} before it is acknowledged.
 */
package io.ipam.core.engine;
