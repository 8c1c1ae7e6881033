/**
 * Who may call: the tokens file every network entry of ipam reads ({@code ipam serve --tokens}, a cluster member's
 * {@code --tokens}), one {@code TOKEN TENANT} or {@code TOKEN *} per line, and the principal a token names (a tenant,
 * or the administrator). One parser, so the server and the cluster accept and refuse exactly the same files.
 * <p>
 * Rule: a leaf; it depends on the API package ({@code IpamException}, {@code ErrorCode}) alone.
 */
package io.ipam.core.access;
