package io.ipam.core.writer;

import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.StateListener;

/**
 * What a durable store gives the allocator: it hears every change as the writer makes it
 * ({@link StateListener}, on the writer's thread, before the change is acknowledged), makes a batch durable
 * in {@link #afterBatch()} before any answer of the batch goes out, and is closed after the writer stopped.
 */
public interface Store extends StateListener, AutoCloseable
{
    /**
     * Make everything heard so far durable according to the store's policy. An exception fails every request of
     * the batch with its code ({@code STORE_IO} for anything but an {@code IpamException}).
     */
    void afterBatch();

    /**
     * Called once when the writer starts, with its change feed: a store that keeps the feed puts back what it
     * kept ({@link ChangeFeed#restore}) and becomes its sink. By default the feed lives in
     * memory only.
     *
     * @param feed the writer's change feed.
     */
    default void attach(final ChangeFeed feed)
    {
    }

    /**
     * Release files and locks; called once, after the writer stopped.
     */
    @Override
    void close();
}
