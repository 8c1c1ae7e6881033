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
     * The default: SplitMix64 seeded from {@link SecureRandom} and re-seeded every 4,096 draws from the
     * kernel's entropy ({@code /dev/urandom}, read through a pre-opened channel into a direct buffer, so
     * reseeding allocates nothing) or, where that file does not exist, from {@link SecureRandom}. An observer of
     * addresses cannot predict the next one for long.
     *
     * @return the source.
     */
    static RandomSource secure()
    {
        final SecureRandom secureRandom = new SecureRandom();
        return new SplitMix64(secureRandom.nextLong(), new Entropy(secureRandom));
    }

    /**
     * Fresh seed material without garbage: the kernel's {@code /dev/urandom} when readable, else SecureRandom.
     */
    final class Entropy
    {
        private static final java.nio.file.Path URANDOM = java.nio.file.Path.of("/dev/urandom");

        private final SecureRandom fallback;
        private final byte[] fallbackBytes = new byte[8];
        private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(512);
        private java.nio.channels.FileChannel channel;

        Entropy(final SecureRandom fallback)
        {
            this.fallback = fallback;
            try
            {
                channel = java.nio.channels.FileChannel.open(URANDOM, java.nio.file.StandardOpenOption.READ);
            }
            catch (final java.io.IOException | UnsupportedOperationException | SecurityException ex)
            {
                channel = null;
            }
            buffer.limit(0);
        }

        long nextSeed()
        {
            if (channel != null)
            {
                try
                {
                    if (buffer.remaining() < 8)
                    {
                        buffer.clear();
                        while (buffer.hasRemaining())
                        {
                            if (channel.read(buffer) < 0)
                            {
                                throw new java.io.EOFException();
                            }
                        }
                        buffer.flip();
                    }
                    return buffer.getLong();
                }
                catch (final java.io.IOException ex)
                {
                    channel = null;
                }
            }
            fallback.nextBytes(fallbackBytes);
            long s = 0;
            for (final byte b : fallbackBytes)
            {
                s = (s << 8) | (b & 0xFF);
            }
            return s;
        }
    }

    /**
     * SplitMix64 (Steele, Lea, Flood 2014), optionally re-seeded from a {@link SecureRandom}.
     */
    final class SplitMix64 implements RandomSource
    {
        private static final int RESEED_INTERVAL = 4096;

        private final Entropy reseed;
        private long state;
        private int draws;

        SplitMix64(final long seed, final Entropy reseed)
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
                state ^= reseed.nextSeed();
            }
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
