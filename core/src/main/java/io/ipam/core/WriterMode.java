package io.ipam.core;

/**
 * How the one writer that owns all allocator state runs.
 */
public enum WriterMode
{
    /**
     * On the callers' threads: whichever caller finds the writer free applies its own command and every command
     * queued by others (flat combining). No thread of ipam's own, nothing spinning while nobody calls. Default.
     */
    CALLER_RUNS,

    /**
     * On a thread of its own that drains the queue; callers enqueue and wait. For embedders that give ipam a
     * core: callers never run other callers' work.
     */
    DEDICATED
}
