package io.ipam.bench;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import io.ipam.core.RandomSource;
import io.ipam.core.random.CipherRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one 64-bit draw of the RANDOM strategy's generator: {@code aes-ctr} (the default: AES-256-CTR through
 * {@code javax.crypto}, AES-NI), {@code chacha20} (plain Java ChaCha20), {@code splitmix64} (the old, predictable
 * generator, for scale) and {@code securerandom} ({@code SecureRandom.nextLong()} per draw, what "just use
 * SecureRandom" would cost). Run with {@code -prof gc}: the cipher sources allocate nothing per draw.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RandomBenchmark
{
    @Param({"aes-ctr", "chacha20", "splitmix64", "securerandom"})
    public String source;

    private RandomSource random;

    @Setup
    public void setup()
    {
        final SecureRandom seed = new SecureRandom();
        switch (source)
        {
            case "aes-ctr":
                random = CipherRandom.fresh(CipherRandom.AES_CTR, seed);
                break;
            case "chacha20":
                random = CipherRandom.fresh(CipherRandom.CHACHA20, seed);
                break;
            case "splitmix64":
                random = RandomSource.seeded(seed.nextLong());
                break;
            default:
                random = seed::nextLong;
        }
    }

    @Benchmark
    public long draw()
    {
        return random.nextLong();
    }
}
