/**
 * Files ipam writes are written whole or not at all, never through a link, private ones owner-only: every writer
 * of a file in any module goes through {@link io.ipam.core.file.AtomicFile}.
 * <p>
 * Rule: nothing here knows a format; it depends on the API package ({@code IpamException}) alone.
 */
package io.ipam.core.file;
