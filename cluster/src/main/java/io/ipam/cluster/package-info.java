/**
 * Replicated ipam: every member of an Aeron Cluster applies the same log of ipam protocol commands through the same
 * writer, with time taken from the log (nested commands included) and randomness from the engine's keyed generator,
 * and decides everything else (who sends, what a tenant may do, what is refused or paged, which client is forgotten)
 * from the log alone, so the members' states are equal at every log position; a client's command is applied at most
 * once however often it is sent, and nothing a client sends grows a member's memory without a bound.
 * <p>
 * {@link io.ipam.cluster.ClusterNode} runs a member, {@link io.ipam.cluster.IpamClusteredService} is the service it
 * hosts, {@link io.ipam.cluster.ClusterIpam} is the client {@code Ipam}; {@link io.ipam.cluster.ClusterProtocol}
 * holds the envelope's kinds and limits, {@link io.ipam.cluster.BatchFlyweight} and
 * {@link io.ipam.cluster.RepliesFlyweight} its layouts. {@code docs/cluster.md} is the operator's page.
 */
package io.ipam.cluster;
