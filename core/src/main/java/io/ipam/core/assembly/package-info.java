/**
 * The one public door to the implementation for other modules: what plugs into core (a store, a transport, a
 * replicated service) assembles an allocator here and never names the facade's internals; the API's own static
 * factories come through here too.
 */
package io.ipam.core.assembly;
