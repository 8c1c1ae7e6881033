package io.ipam.load.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import io.ipam.core.IpamConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The comparator "the same engine behind synchronized": offsets of the subnet's usable range, each given once until
 * released, exhaustion answered, and no offset held twice under concurrent callers.
 */
class EngineLockAllocatorTest
{
    private static final int USABLE = 14; // a /28 without network and broadcast

    @Test
    void givesEachUsableOffsetOnceUntilReleased()
    {
        final EngineLockAllocator peer = new EngineLockAllocator("s", "10.1.2.0/28", IpamConfig.defaults());
        final Set<Long> seen = new HashSet<>();
        for (int i = 0; i < USABLE; i++)
        {
            final long offset = peer.allocate(7);
            assertTrue(offset >= 0 && offset < USABLE, "offset " + offset);
            assertTrue(seen.add(offset), "offset " + offset + " given twice");
        }
        assertEquals(-1, peer.allocate(7), "a full subnet");
        assertTrue(peer.release(3));
        assertFalse(peer.release(3), "released twice");
        assertEquals(3, peer.allocate(8));
        assertFalse(peer.allocate(3, 9), "a taken offset");
        assertTrue(peer.release(3));
        assertTrue(peer.allocate(3, 9));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentCallersNeverHoldTheSameOffset() throws InterruptedException
    {
        final EngineLockAllocator peer = new EngineLockAllocator("s", "10.1.2.0/28", IpamConfig.defaults());
        final AtomicIntegerArray held = new AtomicIntegerArray(USABLE);
        final AtomicReference<String> failure = new AtomicReference<>();
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++)
        {
            final long owner = t;
            final Thread thread = new Thread(() ->
            {
                for (int i = 0; i < 20_000 && failure.get() == null; i++)
                {
                    final long offset = peer.allocate(owner);
                    if (offset < 0)
                    {
                        continue; // all 14 held by the others at this moment
                    }
                    if (!held.compareAndSet((int)offset, 0, 1))
                    {
                        failure.compareAndSet(null, "offset " + offset + " given while held");
                    }
                    held.set((int)offset, 0);
                    if (!peer.release(offset))
                    {
                        failure.compareAndSet(null, "offset " + offset + " was not allocated");
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertNull(failure.get());
        for (int i = 0; i < USABLE; i++)
        {
            assertTrue(peer.allocate(1) >= 0, "everything was released");
        }
    }
}
