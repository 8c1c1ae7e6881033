package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.ipam.core.Change;
import io.ipam.persistence.DurableIpam;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ipam changes}: the change feed a store keeps, read from its change journal without opening or locking
 * the store, so it works while the embedding process runs; {@code --follow} keeps printing new changes.
 */
@Command(name = "changes", mixinStandardHelpOptions = true,
    description = {"Print the change feed of a store (every allocation, release, expiry, reclaim and subnet change,",
        "with its sequence, time, tenant, subnet, address and owner). Works while the store is in use."})
public final class ChangesCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--store", required = true, paramLabel = "DIR", description = "store directory")
    Path store;

    @Option(names = "--after", paramLabel = "N", description = "print changes after sequence N (default 0: all kept)")
    long after;

    @Option(names = "--follow", description = "keep printing new changes until interrupted")
    boolean follow;

    @Option(names = "--for", paramLabel = "SECONDS", description = "with --follow: stop after this many seconds")
    double forSeconds;

    @CommandLine.Mixin
    JsonOption jsonOption;

    @Override
    public Integer call() throws InterruptedException
    {
        if (after < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--after must be 0 or more");
        }
        if (forSeconds < 0 || forSeconds > 0 && !follow)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--for needs --follow and a positive value");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final long[] last = {after};
        DurableIpam.readChanges(store, last[0], c -> print(out, c, last));
        out.flush();
        final long stopAt = forSeconds > 0 ? System.nanoTime() + (long)(forSeconds * 1e9) : Long.MAX_VALUE;
        while (follow && System.nanoTime() - stopAt < 0)
        {
            Thread.sleep(200);
            DurableIpam.readChanges(store, last[0], c -> print(out, c, last));
            out.flush();
        }
        return 0;
    }

    private void print(final PrintWriter out, final Change c, final long[] last)
    {
        last[0] = c.sequence();
        if (jsonOption.json)
        {
            out.println("{\"sequence\": " + c.sequence() + ", \"time\": " + Outputs.json(c.time().toString()) +
                ", \"kind\": " + Outputs.json(c.kind().name()) + ", \"tenant\": " +
                Outputs.json(c.tenant().orElse(null)) + ", \"subnet\": " + Outputs.json(c.subnetId().orElse(null)) +
                ", \"address\": " + Outputs.json(c.address().orElse(null)) + ", \"owner\": " +
                Outputs.json(c.owner().map(Object::toString).orElse(null)) + "}");
            return;
        }
        out.println(c.sequence() + " " + c.time() + " " + c.kind() + " " +
            Outputs.printable(c.tenant().orElse("-")) + " " + Outputs.printable(c.subnetId().orElse("-")) + " " +
            c.address().orElse("-") + " " + c.owner().map(Object::toString).orElse("-"));
    }
}
