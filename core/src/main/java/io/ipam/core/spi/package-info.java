/**
 * Plug-in points of the allocator: what a store implements to be driven by the writer; nothing here is called
 * by embedders.
 */
package io.ipam.core.spi;
