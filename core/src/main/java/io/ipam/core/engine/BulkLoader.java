package io.ipam.core.engine;

import java.util.Arrays;

/**
 * Collects allocations that arrive in any order (a durable store's map iterates in hash order) per subnet and
 * hands them to {@link AllocatorEngine#load} in batches of up to 65,536, so that opening a store does not pay a
 * rule check and a strategy per allocation. Each subnet's buffer starts small and doubles, so many small
 * subnets cost little. Single-threaded; for the thread loading an engine.
 */
public final class BulkLoader
{
    private static final int BATCH = 1 << 16;

    private final AllocatorEngine engine;
    private Batch[] byHandle = new Batch[16];
    private int failedHandle = AllocatorEngine.NO_HANDLE;

    private static final class Batch
    {
        long[] address = new long[16];
        long[] msb = new long[16];
        long[] lsb = new long[16];
        long[] time = new long[16];
        int count;
    }

    /**
     * @param engine the engine being loaded.
     */
    public BulkLoader(final AllocatorEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Queue one allocation.
     *
     * @param handle   subnet handle ({@link AllocatorEngine#handle(String)}).
     * @param address  address value.
     * @param ownerMsb owner high bits.
     * @param ownerLsb owner low bits.
     * @param timeMs   allocation time.
     * @return {@link AllocatorEngine#OK} or the negative code of a batch that failed to load (see
     * {@link #failedHandle()}); the engine must then be discarded.
     */
    public int add(final int handle, final long address, final long ownerMsb, final long ownerLsb, final long timeMs)
    {
        if (handle < 0)
        {
            failedHandle = handle;
            return AllocatorEngine.NO_HANDLE;
        }
        if (handle >= byHandle.length)
        {
            byHandle = Arrays.copyOf(byHandle, Math.max(handle + 1, byHandle.length * 2));
        }
        Batch b = byHandle[handle];
        if (b == null)
        {
            b = new Batch();
            byHandle[handle] = b;
        }
        if (b.count == b.address.length)
        {
            if (b.count == BATCH)
            {
                final int rc = flush(handle, b);
                if (rc != AllocatorEngine.OK)
                {
                    return rc;
                }
            }
            else
            {
                final int n = b.count * 2;
                b.address = Arrays.copyOf(b.address, n);
                b.msb = Arrays.copyOf(b.msb, n);
                b.lsb = Arrays.copyOf(b.lsb, n);
                b.time = Arrays.copyOf(b.time, n);
            }
        }
        final int i = b.count++;
        b.address[i] = address;
        b.msb[i] = ownerMsb;
        b.lsb[i] = ownerLsb;
        b.time[i] = timeMs;
        return AllocatorEngine.OK;
    }

    /**
     * Load everything still queued.
     *
     * @return {@link AllocatorEngine#OK} or the negative code of the first batch that failed.
     */
    public int finish()
    {
        for (int h = 0; h < byHandle.length; h++)
        {
            final Batch b = byHandle[h];
            if (b != null && b.count > 0)
            {
                final int rc = flush(h, b);
                if (rc != AllocatorEngine.OK)
                {
                    return rc;
                }
            }
            byHandle[h] = null;
        }
        return AllocatorEngine.OK;
    }

    private int flush(final int handle, final Batch b)
    {
        sortByAddress(b);
        final int rc = engine.load(handle, b.address, b.msb, b.lsb, b.time, b.count);
        b.count = 0;
        if (rc != AllocatorEngine.OK)
        {
            failedHandle = handle;
        }
        return rc;
    }

    /**
     * Ascending addresses let the engine set its bitmap a word at a time and keep the index pages warm; the
     * batch is sorted by (address, position) packed when the addresses of the batch span under 2^40.
     */
    private static void sortByAddress(final Batch b)
    {
        final int n = b.count;
        if (n < 2)
        {
            return;
        }
        long min = b.address[0];
        long max = b.address[0];
        for (int i = 1; i < n; i++)
        {
            final long a = b.address[i];
            if (Long.compareUnsigned(a, min) < 0)
            {
                min = a;
            }
            if (Long.compareUnsigned(a, max) > 0)
            {
                max = a;
            }
        }
        if (Long.compareUnsigned(max - min, 1L << 40) >= 0)
        {
            return;     // sparse (IPv6 RANDOM): order buys no whole words, the load takes any order
        }
        final long[] keys = new long[n];
        for (int i = 0; i < n; i++)
        {
            keys[i] = ((b.address[i] - min) << 23) | i;     // 40 + 23 bits: a batch is at most 2^16
        }
        Arrays.sort(keys);
        final long[] address = new long[b.address.length];
        final long[] msb = new long[b.address.length];
        final long[] lsb = new long[b.address.length];
        final long[] time = new long[b.address.length];
        for (int i = 0; i < n; i++)
        {
            final int from = (int)(keys[i] & ((1 << 23) - 1));
            address[i] = b.address[from];
            msb[i] = b.msb[from];
            lsb[i] = b.lsb[from];
            time[i] = b.time[from];
        }
        b.address = address;
        b.msb = msb;
        b.lsb = lsb;
        b.time = time;
    }

    /**
     * @return the handle whose batch failed, or {@link AllocatorEngine#NO_HANDLE}.
     */
    public int failedHandle()
    {
        return failedHandle;
    }
}
