/**
 * Plug-in points of the allocator: what a store implements to be driven by the writer ({@link
 * io.ipam.core.spi.Store}), and what carries encoded commands to a writer elsewhere ({@link
 * io.ipam.core.spi.CommandTransport}, a replicated log); nothing here is called by embedders.
 */
package io.ipam.core.spi;
