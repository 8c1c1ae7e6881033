package io.ipam.core;

/**
 * What a {@link Change} of the change feed records.
 */
public enum ChangeKind
{
    /** A subnet was created. */
    SUBNET_CREATED,
    /** A subnet's pools or gateway changed. */
    SUBNET_UPDATED,
    /** A subnet was deleted (with its allocations, if forced: each of them is recorded as released first). */
    SUBNET_DELETED,
    /** An address was allocated. */
    ALLOCATED,
    /** An address was released by a caller. */
    RELEASED,
    /** An address's lease ran out. */
    EXPIRED,
    /** An address was released by {@code reconcile}: its owner was not among the live ones. */
    RECLAIMED,
    /** A child prefix was allocated from a prefix pool. */
    PREFIX_ALLOCATED,
    /** A child prefix was released. */
    PREFIX_RELEASED
}
