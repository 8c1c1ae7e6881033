/**
 * Peers written from their published descriptions (a synchronized BitSet+HashMap, Neutron's reference driver,
 * the Kubernetes ClusterIP allocator), measured next to ipam in the same run.
 * <p>
 * Rule: a peer does what its description says, no better and no worse; where the description leaves a choice
 * the peer takes the one that flatters it (the Neutron-style peer reads from memory, not SQL).
 */
package io.ipam.load.peers;
