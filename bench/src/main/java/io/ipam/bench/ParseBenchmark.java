package io.ipam.bench;

import java.util.concurrent.TimeUnit;

import inet.ipaddr.IPAddressString;
import io.ipam.core.addr.AddressText;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Text to numeric value, the choice behind our own parser: {@code impl=ipam} is {@link AddressText}'s
 * allocation-free primitive parsers; {@code impl=seancfoley} is {@code com.github.seancfoley:ipaddress}
 * ({@code new IPAddressString(s).getAddress()} and its value). Run with {@code -prof gc} for bytes per parse.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ParseBenchmark
{
    @Param({"10.123.45.67", "2001:db8::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"})
    public String text;

    @Param({"ipam", "seancfoley"})
    public String impl;

    private final long[] out = new long[2];

    @Benchmark
    public long parse()
    {
        if (impl.equals("ipam"))
        {
            if (text.indexOf(':') < 0)
            {
                return AddressText.parseV4(text);
            }
            AddressText.parseV6(text, out);
            return out[1];
        }
        return new IPAddressString(text).getAddress().getValue().longValue();
    }
}
