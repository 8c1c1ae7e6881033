package io.ipam.load;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shared set-up of the benchmark cases: which offsets of a pool are taken at a fill level, and which free
 * offsets the "specific" operations cycle through. Deterministic (seeded), so every implementation in a run
 * starts from the same state.
 */
public final class Fill
{
    /** Free offsets the specific operations cycle through. */
    public static final int SPECIFIC_SET = 64;

    private Fill()
    {
    }

    /**
     * @param cidr a benchmark CIDR.
     * @return the pool size used for it: the usable range of IPv4 subnets; 2^20 addresses of the /64.
     */
    public static int poolSize(final String cidr)
    {
        if (cidr.contains(":"))
        {
            return 1 << 20;
        }
        final int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        return (1 << (32 - prefix)) - 2;
    }

    /**
     * @param size pool size.
     * @param percent fill level.
     * @param seed seed.
     * @return taken[offset] for a uniform random fill of exactly percent of the pool.
     */
    public static boolean[] taken(final int size, final int percent, final long seed)
    {
        final boolean[] taken = new boolean[size];
        final long target = (long)size * percent / 100;
        final SplittableRandom r = new SplittableRandom(seed);
        long n = 0;
        if (percent > 50)
        {
            Arrays.fill(taken, true);
            n = size;
            while (n > target)
            {
                final int i = r.nextInt(size);
                if (taken[i])
                {
                    taken[i] = false;
                    n--;
                }
            }
        }
        else
        {
            while (n < target)
            {
                final int i = r.nextInt(size);
                if (!taken[i])
                {
                    taken[i] = true;
                    n++;
                }
            }
        }
        return taken;
    }

    /**
     * @param taken the fill.
     * @param seed  seed.
     * @return up to {@link #SPECIFIC_SET} free offsets.
     */
    public static int[] freeSample(final boolean[] taken, final long seed)
    {
        final int[] out = new int[SPECIFIC_SET];
        final SplittableRandom r = new SplittableRandom(seed);
        int n = 0;
        int guard = 0;
        while (n < SPECIFIC_SET && guard++ < 100_000_000)
        {
            final int i = r.nextInt(taken.length);
            if (!taken[i])
            {
                boolean dup = false;
                for (int k = 0; k < n; k++)
                {
                    dup |= out[k] == i;
                }
                if (!dup)
                {
                    out[n++] = i;
                }
            }
        }
        return Arrays.copyOf(out, n);
    }
}
