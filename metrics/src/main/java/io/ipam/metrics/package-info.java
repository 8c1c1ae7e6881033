/**
 * Metrics are read, never kept: every scrape asks the allocator's writer for the counts of that moment, so
 * nothing here can drift from the allocator's state. Names and labels are in {@link io.ipam.metrics.IpamMetrics}.
 */
package io.ipam.metrics;
