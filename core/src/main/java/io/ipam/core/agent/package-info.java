/**
 * The request pipeline: callers encode requests into an Agrona {@code ManyToOneRingBuffer}; one
 * {@link io.ipam.core.agent.AllocatorAgent} drains it on its own thread and answers through reply slots.
 * <p>
 * Rules: only the agent touches the engine; callers never lock, they claim, write, commit and wait on their
 * own slot; the agent never blocks and never throws out of {@code doWork} (faults go to the error handler);
 * a reply's fields are written before the volatile store of its correlation id that publishes them.
 */
package io.ipam.core.agent;
