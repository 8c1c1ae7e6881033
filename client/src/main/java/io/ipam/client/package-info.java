/**
 * A client of the ipam gRPC API ({@code proto/ipam/v1/ipam.proto}) answers exactly as the embedded allocator would:
 * {@link io.ipam.client.GrpcIpam} implements {@link io.ipam.core.Ipam} over one channel, with the same values and
 * the same {@link io.ipam.core.ErrorCode}s, so an embedder switches from in-process to a server with one line.
 * <p>
 * {@link io.ipam.client.Requests} builds each request (nulls refused before anything is sent), the
 * {@link io.ipam.client.Connection} makes the call, {@link io.ipam.client.ProtoMapping} (shared with the server)
 * converts values both ways, and {@link io.ipam.client.StatusCodes} is the one table between ipam error codes and
 * gRPC statuses, used by the server to answer and by the client to read the answer. The generated messages and
 * stubs live in {@code io.ipam.proto.v1}.
 */
package io.ipam.client;
