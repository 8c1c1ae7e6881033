/**
 * A client of the ipam gRPC API ({@code proto/ipam/v1/ipam.proto}): {@link io.ipam.client.GrpcIpam} implements
 * {@link io.ipam.core.Ipam} over a channel, so an embedder switches from in-process to a server with one line.
 * The generated messages and stubs live in {@code io.ipam.proto.v1}; {@link io.ipam.client.StatusCodes} is the one
 * table between ipam error codes and gRPC statuses, shared with the server.
 */
package io.ipam.client;
