/**
 * {@code ipam serve}: the v1 gRPC service ({@code proto/ipam/v1/ipam.proto}) over one {@link io.ipam.core.Ipam}, and
 * nothing a client sends is trusted or kept before its sender is known. Every API call passes, in this order, the
 * metrics interceptor, authentication (bearer token to a principal, and the principal to the {@code Ipam} it may
 * use: {@link io.ipam.server.TenantViews#viewFor}) and the in-flight limiter (per connection and overall:
 * {@code RESOURCE_EXHAUSTED} beyond either bound), so a caller without a token never holds an API slot; health and
 * reflection answer without a token from a small budget of their own.
 * <p>
 * {@link io.ipam.server.IpamGrpcService} only decodes, calls and encodes; {@link io.ipam.server.Responses} turns an
 * answer or a failure into the call's close. Allocate and release ({@link io.ipam.server.AddressCalls}, also inside
 * {@link io.ipam.server.Batches} and {@link io.ipam.server.BatchStreamHandler}) use the core's asynchronous calls
 * where they exist, so no executor hop is added for them; the rest run on a fixed pool. Snapshots stream from a
 * staged file ({@link io.ipam.server.SnapshotStream}). Nothing a client sends grows without bound: message size,
 * metadata size, batch size, in-flight calls and per-stream windows are all capped.
 */
package io.ipam.server;
