package io.ipam.server;

import java.util.concurrent.LinkedBlockingQueue;

import io.grpc.stub.StreamObserver;

/**
 * A stream observer for tests that puts every event into one queue, in order: each value as it came, a failure as
 * its {@link Throwable}, the end as {@link #DONE}.
 *
 * @param <T> the stream's messages.
 */
final class RecordingObserver<T> implements StreamObserver<T>
{
    /** Put into the queue when the stream completes. */
    static final String DONE = "done";

    private final LinkedBlockingQueue<Object> events;

    RecordingObserver(final LinkedBlockingQueue<Object> events)
    {
        this.events = events;
    }

    @Override
    public void onNext(final T value)
    {
        events.add(value);
    }

    @Override
    public void onError(final Throwable t)
    {
        events.add(t);
    }

    @Override
    public void onCompleted()
    {
        events.add(DONE);
    }
}
