package io.ipam.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard: every hot-path benchmark of ipam runs under JMH's GC profiler with short iterations, and the run
 * fails if any allocates per operation. It checks bytes, not time, so it is stable on a noisy machine. JMH's
 * normalised figure carries rounding noise from its own bookkeeping, so "allocates" means 0.5 bytes/op or more.
 */
class AllocationGuardTest
{
    private static final double LIMIT_BYTES_PER_OP = 0.5;

    @Test
    void shouldAllocateNothingOnTheHotPath() throws Exception
    {
        final List<String> flags = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-"))
            {
                flags.add(arg);
            }
        }
        flags.add("-Xmx1g");
        final Options options = new OptionsBuilder()
            .include(HotPathBenchmark.class.getName())
            .param("impl", "ipam")
            .param("cidr", "10.0.0.0/24", "10.0.0.0/16", "2001:db8::/64")
            .param("fill", "50")
            .param("op", "any", "lowest", "specific")
            .addProfiler(GCProfiler.class)
            .warmupIterations(1)
            .warmupTime(TimeValue.milliseconds(500))
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(500))
            .forks(1)
            .jvmArgsAppend(flags.toArray(new String[0]))
            .shouldFailOnError(true)
            .build();
        // JMH's lock file only keeps two benchmark runs from sharing a machine; this guard measures bytes, not time
        System.setProperty("jmh.ignoreLock", "true");
        final Collection<RunResult> results = new Runner(options).run();
        assertFalse(results.isEmpty(), "no benchmark ran");
        final List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (final RunResult run : results)
        {
            for (final String key : run.getSecondaryResults().keySet())
            {
                if (key.endsWith("gc.alloc.rate.norm"))
                {
                    checked++;
                    final double bytes = run.getSecondaryResults().get(key).getScore();
                    if (bytes >= LIMIT_BYTES_PER_OP)
                    {
                        offenders.add(run.getParams() + ": " + bytes + " bytes/op");
                    }
                }
            }
        }
        assertTrue(checked == results.size(), "every benchmark reports allocation (" + checked + " of " +
            results.size() + ")");
        assertTrue(offenders.isEmpty(), "hot-path benchmarks allocate: " + offenders);
    }
}
