/**
 * JMH benchmarks of the critical path and single-shot measurements at scale.
 * <p>
 * Rules: benchmarks measure, tests never assert timings; every comparison runs the peer in the same run; each
 * benchmark says in its Javadoc what it measures; hot-path benchmarks must allocate nothing (the guard in
 * {@code AllocationGuardTest} fails the build otherwise).
 */
package io.ipam.bench;
