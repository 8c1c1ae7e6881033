package io.ipam.core;

import java.security.SecureRandom;

import io.ipam.core.random.CipherRandom;

/**
 * The random numbers the engine draws for {@link AllocationStrategy#RANDOM}. Injected so the engine stays a
 * deterministic state machine: the same key (or seed) and the same commands give the same answers.
 * Called only by the engine's single writer thread.
 */
public interface RandomSource
{
    /**
     * @return 64 random bits.
     */
    long nextLong();

    /**
     * A deterministic SplitMix64 sequence, for tests and benchmarks: predictable from one observed draw, so never
     * for production (use {@link #keyed(byte[], long)} for a deterministic and unpredictable source).
     *
     * @param seed the seed.
     * @return the source.
     */
    static RandomSource seeded(final long seed)
    {
        return new SplitMix64(seed);
    }

    /**
     * The default: AES-256-CTR keystream ({@link io.ipam.core.random.AesCtrRandom}) on a fresh 256-bit key from
     * {@link SecureRandom}. An observer of any number of addresses cannot predict the next one, and the key, stream
     * and position ({@link #state()}) are engine state: snapshots and durable stores carry them, nothing is ever
     * re-seeded from the OS inside the engine, so replays and replicas draw the same numbers.
     *
     * @return the source.
     */
    static RandomSource secure()
    {
        return CipherRandom.fresh(CipherRandom.AES_CTR, new SecureRandom());
    }

    /**
     * The default generator on a given key: deterministic, and as unpredictable as the key is secret.
     *
     * @param key    32 bytes.
     * @param stream stream number (different streams of one key never overlap).
     * @return the source at the start of that stream.
     */
    static RandomSource keyed(final byte[] key, final long stream)
    {
        return CipherRandom.of(CipherRandom.AES_CTR, key, stream, 0);
    }

    /**
     * @param state what {@link #state()} of a source returned.
     * @return a source continuing exactly where that one stood.
     * @throws IllegalArgumentException when the state is not one this code wrote.
     */
    static RandomSource fromState(final byte[] state)
    {
        return CipherRandom.fromState(state);
    }

    /**
     * The state to carry in snapshots and durable stores so that a restored engine continues the same sequence;
     * secret (whoever holds it predicts every later draw).
     *
     * @return the state, or null when this source cannot be captured (then a restored engine gets a fresh source
     * from the configuration). {@link #seeded(long)} sources are not captured: a test seed never reaches a store.
     */
    default byte[] state()
    {
        return null;
    }

    /**
     * @return a source on the same key but a new stream that never overlaps this one (what a reopened durable store
     * draws from, so a restart never repeats numbers drawn before a crash), or null when this source has no key.
     */
    default RandomSource nextStream()
    {
        return null;
    }

    /**
     * SplitMix64 (Steele, Lea, Flood 2014): fast and statistically good, but its output function is invertible,
     * so one observed draw reveals every later one. For tests and benchmarks only, never the default.
     */
    final class SplitMix64 implements RandomSource
    {
        private long state;

        SplitMix64(final long seed)
        {
            this.state = seed;
        }

        @Override
        public long nextLong()
        {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }
    }
}
