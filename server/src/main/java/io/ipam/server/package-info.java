/**
 * {@code ipam serve}: the v1 gRPC service ({@code proto/ipam/v1/ipam.proto}) over one {@link io.ipam.core.Ipam}.
 * Every call passes, in this order, the metrics interceptor, the in-flight limiter (per connection and overall:
 * {@code RESOURCE_EXHAUSTED} beyond either bound), and authentication (bearer token to a principal, and the
 * principal to the {@code Ipam} it may use: {@link io.ipam.server.TenantViews#viewFor}). Handlers use the
 * core's asynchronous calls where they exist (allocate any, release without owner, and those inside batches), so
 * no executor hop is added for them; the rest run on a fixed pool. Nothing a client sends grows without bound:
 * message size, metadata size, batch size, in-flight calls and per-stream windows are all capped.
 */
package io.ipam.server;
