package io.ipam.core;

import java.security.SecureRandom;

/**
 * The random numbers the engine draws for {@link AllocationStrategy#RANDOM}. Injected so the engine stays a
 * deterministic state machine: the same seed and the same commands give the same answers.
 * Called only by the engine's single writer thread.
 */
public interface RandomSource
{
    /**
     * @return 64 random bits.
     */
    long nextLong();

    /**
     * A deterministic SplitMix64 sequence (for tests, replays and replicas).
     *
     * @param seed the seed.
     * @return the source.
     */
    static RandomSource seeded(final long seed)
    {
        return new SplitMix64(seed, null);
    }

    /**
     * The default: SplitMix64 seeded from {@link SecureRandom} and re-seeded from it every 4,096 draws, so
     * that an observer of addresses cannot predict the next one for long. Allocates nothing per draw.
     *
     * @return the source.
     */
    static RandomSource secure()
    {
        final SecureRandom secureRandom = new SecureRandom();
        return new SplitMix64(secureRandom.nextLong(), secureRandom);
    }

    /**
     * SplitMix64 (Steele, Lea, Flood 2014), optionally re-seeded from a {@link SecureRandom}.
     */
    final class SplitMix64 implements RandomSource
    {
        private static final int RESEED_INTERVAL = 4096;

        private final SecureRandom reseed;
        private final byte[] seedBytes = new byte[8];
        private long state;
        private int draws;

        SplitMix64(final long seed, final SecureRandom reseed)
        {
            this.state = seed;
            this.reseed = reseed;
        }

        @Override
        public long nextLong()
        {
            if (reseed != null && ++draws == RESEED_INTERVAL)
            {
                draws = 0;
                reseed.nextBytes(seedBytes);
                long s = 0;
                for (final byte b : seedBytes)
                {
                    s = (s << 8) | (b & 0xFF);
                }
                state ^= s;
            }
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
