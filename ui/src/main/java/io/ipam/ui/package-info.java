/**
 * The operator's view (issue 27): {@link io.ipam.ui.UiServer} serves a read-only web page over a running allocator,
 * its three files from this jar, its data as JSON and server-sent events through the caller's view. Rule: nothing is
 * read from the allocator before the caller is known (the API's tokens), and everything is read through that caller's
 * view ({@code Ipam.forTenant} for a tenant): a tenant's page never sees another tenant's subnets, addresses or
 * changes. The page asks nothing of any other server (its Content-Security-Policy says so).
 */
package io.ipam.ui;
