package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.ipam.core.writer.IpamCounters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ipam stat}: the live counters of a running process.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print the live counters of a process started with IpamConfig.countersDir(DIR).")
public final class StatCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "the process's counters directory")
    Path dir;

    @picocli.CommandLine.Mixin
    JsonOption jsonOption;

    @Option(names = "--watch", paramLabel = "SECONDS", description = "print again every SECONDS until interrupted")
    int watch;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        do
        {
            final Map<String, Long> counters = IpamCounters.read(dir);
            if (jsonOption.json)
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
            if (watch > 0)
            {
                Thread.sleep(watch * 1000L);
            }
        }
        while (watch > 0);
        return 0;
    }
}
