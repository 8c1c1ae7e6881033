package io.ipam.ui;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the change feed of the page asks of the allocator is bounded whatever the rate of changes: under a flood each
 * poll reads at most {@link FeedHub#FRAME} changes (the newest; the rest are skipped, never read), every frame carries
 * at most that many, in order, and a quiet allocator is asked only for its last sequence.
 */
@Timeout(120)
class FeedHubTest
{
    private static final UUID OWNER = new UUID(9, 9);
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    private Ipam ipam;
    private final AtomicInteger changesCalls = new AtomicInteger();
    private final AtomicInteger lastSequenceCalls = new AtomicInteger();
    private final AtomicInteger mostRead = new AtomicInteger();
    private final AtomicLong read = new AtomicLong();
    private Ipam counted;

    @BeforeEach
    void setUp()
    {
        ipam = Ipam.inMemory(IpamConfig.builder().build());
        ipam.createSubnet(SubnetSpec.builder("flood", "10.4.0.0/16").build());
        // the view the hub asks, counting what it reads
        counted = (Ipam)Proxy.newProxyInstance(Ipam.class.getClassLoader(), new Class<?>[] {Ipam.class},
            (proxy, method, args) ->
            {
                final Object out;
                try
                {
                    out = method.invoke(ipam, args);
                }
                catch (final InvocationTargetException ex)
                {
                    throw ex.getCause();
                }
                if ("changes".equals(method.getName()))
                {
                    changesCalls.incrementAndGet();
                    final int n = ((List<?>)out).size();
                    read.addAndGet(n);
                    mostRead.accumulateAndGet(n, Math::max);
                }
                else if ("lastSequence".equals(method.getName()))
                {
                    lastSequenceCalls.incrementAndGet();
                }
                return out;
            });
    }

    @AfterEach
    void tearDown()
    {
        ipam.close();
    }

    @Test
    void shouldReadOnlyTheNewestChangesOfAFlood() throws Exception
    {
        final FeedHub hub = new FeedHub(counted, "test", UiApi::changesFrame);
        final FeedHub.Watcher w = hub.watch();
        final int flood = 20_000;
        for (int i = 0; i < flood / 1000; i++)
        {
            ipam.allocateBulk("flood", OWNER, 1000, AllocationOptions.none());
        }
        final String newest = ipam.allocate("flood", OWNER);
        final long newestSeq = ipam.lastSequence();
        long seen = 0;
        long lastSeq = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastSeq < newestSeq && System.nanoTime() < deadline)
        {
            final String frame = w.queue.poll(100, TimeUnit.MILLISECONDS);
            if (frame == null)
            {
                continue;
            }
            final Matcher m = SEQ.matcher(frame);
            int inFrame = 0;
            while (m.find())
            {
                final long seq = Long.parseLong(m.group(1));
                assertTrue(seq > lastSeq, "frames in order, no change twice: " + seq + " after " + lastSeq);
                lastSeq = seq;
                inFrame++;
            }
            assertTrue(inFrame <= FeedHub.FRAME, "a frame carries at most FRAME changes: " + inFrame);
            seen += inFrame;
            if (lastSeq == newestSeq)
            {
                assertTrue(frame.contains("\"" + newest + "\""), "the newest change is the allocation of " + newest);
            }
        }
        w.close();
        assertEquals(newestSeq, lastSeq, "the newest change reached the page");
        assertTrue(mostRead.get() <= FeedHub.FRAME, "one query reads at most FRAME changes: " + mostRead.get());
        assertTrue(read.get() < flood / 2, "a flood is skipped, not read: " + read.get() + " of " + flood + " read");
        assertTrue(seen < flood / 2, seen + " changes sent");
    }

    @Test
    void shouldOnlyAskTheLastSequenceOfAQuietAllocator() throws Exception
    {
        ipam.allocate("flood", OWNER);
        final FeedHub hub = new FeedHub(counted, "test", UiApi::changesFrame);
        final FeedHub.Watcher w = hub.watch();
        final int afterCatchUp = changesCalls.get();
        final String first = w.queue.poll(30, TimeUnit.SECONDS);
        assertNotNull(first, "a new watcher gets the newest changes first");
        final int polls = lastSequenceCalls.get();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastSequenceCalls.get() < polls + 3 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(lastSequenceCalls.get() >= polls + 3, "the hub polls");
        assertEquals(afterCatchUp, changesCalls.get(), "nothing changed: no CHANGES query");
        final String address = ipam.allocate("flood", OWNER);
        String frame = null;
        while ((frame == null || !frame.contains(address)) && System.nanoTime() < deadline)
        {
            frame = w.queue.poll(100, TimeUnit.MILLISECONDS);
        }
        assertNotNull(frame, "a change after the quiet is sent");
        assertTrue(frame.contains(address), frame);
        w.close();
    }
}
