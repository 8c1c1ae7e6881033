/**
 * Every target is driven through the same text edge (strings in, strings out), so ipam and its peers are
 * compared on equal terms: end-to-end load runs behind {@code ipam bench}, closed-loop throughput with N callers
 * and open-loop latency at a fixed offered rate, recorded in HdrHistogram from each request's intended start
 * (corrected for coordinated omission), reported as a table, JSON and an SVG plot.
 */
package io.ipam.load;
