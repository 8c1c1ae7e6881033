package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ipam.core.Ipam;
import io.ipam.core.SubnetStats;
import io.ipam.core.writer.IpamCounters;
import io.ipam.metrics.IpamMetrics;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam stat}: the live request counters of a running process, or the per-subnet lifecycle counts of a
 * store; as a table, JSON or the Prometheus text format.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Print the live counters of a process started with IpamConfig.countersDir(DIR),",
        "or with --store the per-subnet counts of a store that no process holds open",
        "(allocated, free, cooling, leased; expired and reclaimed are counted while a process runs)."})
public final class StatCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source
    {
        @Parameters(index = "0", paramLabel = "DIR", description = "the process's counters directory")
        Path dir;

        @Option(names = "--store", paramLabel = "DIR", description = "a durable store (opened, read, closed)")
        Path store;
    }

    @Mixin
    JsonOption jsonOption;

    @Option(names = "--prometheus", description = "write the Prometheus text format (metric names: docs/metrics.md)")
    boolean prometheus;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "print again every SECONDS until interrupted")
    int watch;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (source.store != null)
        {
            try (Ipam ipam = IpamTool.openStore(source.store))
            {
                do
                {
                    printStore(ipam, out);
                    pause();
                }
                while (watch > 0);
            }
            return 0;
        }
        do
        {
            final Map<String, Long> counters = IpamCounters.read(source.dir);
            if (prometheus)
            {
                out.print(IpamMetrics.ofCounters(() -> counters).scrape());
            }
            else if (jsonOption.json)
            {
                final StringBuilder sb = new StringBuilder("{");
                String sep = "";
                for (final Map.Entry<String, Long> e : counters.entrySet())
                {
                    sb.append(sep).append(IpamTool.json(e.getKey())).append(": ").append(e.getValue());
                    sep = ", ";
                }
                out.println(sb.append('}'));
            }
            else
            {
                counters.forEach((k, v) ->
                {
                    if (!k.startsWith("failures ") || v != 0)
                    {
                        out.printf("%-28s %,d%n", Outputs.printable(k), v);
                    }
                });
            }
            out.flush();
            pause();
        }
        while (watch > 0);
        return 0;
    }

    private void pause() throws InterruptedException
    {
        if (watch > 0)
        {
            Thread.sleep(watch * 1000L);
        }
    }

    private void printStore(final Ipam ipam, final PrintWriter out)
    {
        if (prometheus)
        {
            out.print(IpamMetrics.of(ipam).scrape());
        }
        else if (jsonOption.json)
        {
            final StringBuilder sb = new StringBuilder("[");
            String sep = "";
            for (final SubnetStats s : ipam.subnetStats())
            {
                sb.append(sep).append("{\"subnet\": ").append(IpamTool.json(s.subnetId())).append(", \"tenant\": ")
                    .append(s.tenant().map(IpamTool::json).orElse("null")).append(", \"allocated\": ")
                    .append(s.allocated()).append(", \"free\": ").append(s.free()).append(", \"cooling\": ")
                    .append(s.cooling()).append(", \"leased\": ").append(s.leased()).append('}');
                sep = ", ";
            }
            out.println(sb.append(']'));
        }
        else
        {
            out.printf("%-24s %-16s %12s %20s %10s %10s%n", "SUBNET", "TENANT", "ALLOCATED", "FREE", "COOLING",
                "LEASED");
            for (final SubnetStats s : ipam.subnetStats())
            {
                out.printf("%-24s %-16s %,12d %20s %,10d %,10d%n", Outputs.printable(s.subnetId()),
                    Outputs.printable(s.tenant().orElse("-")), s.allocated(), s.free(), s.cooling(), s.leased());
            }
        }
        out.flush();
    }
}
