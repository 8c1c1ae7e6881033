/**
 * Replicated ipam: every member of an Aeron Cluster applies the same log of ipam protocol commands through the same
 * writer, with time taken from the log and randomness from the engine's keyed generator, so the members' states are
 * equal at every log position; a client's command is applied at most once however often it is sent.
 * <p>
 * {@link io.ipam.cluster.ClusterNode} runs a member, {@link io.ipam.cluster.IpamClusteredService} is the service it
 * hosts, {@link io.ipam.cluster.ClusterIpam} is the client {@code Ipam}; {@link io.ipam.cluster.ClusterProtocol}
 * is the envelope around the commands. {@code docs/cluster.md} is the operator's page.
 */
package io.ipam.cluster;
