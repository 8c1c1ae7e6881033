package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.ipam.core.Allocation;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ipam reconcile}: release what owners that are no longer alive still hold, against the caller's truth.
 */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = {"With --live: release every address whose owner is not in the live file and which is older than",
        "the grace; each is recorded as RECLAIMED in the change feed. Prefix children are not touched.",
        "FILE: one owner UUID per line; blank lines and lines starting with # are ignored.",
        "With --subnet and --expected: make one subnet match the expected addresses (CSV address,owner or JSON",
        "lines with \"address\" and \"owner\"), in one step: release what is not expected, allocate what is",
        "missing, give to its expected owner what another holds (allocations younger than the grace stay).",
        "A dry run unless --apply is given."})
public final class ReconcileCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    StoreOption storeOption;

    @Option(names = "--live", paramLabel = "FILE", description = "the owners that are alive")
    Path live;

    @Option(names = "--subnet", paramLabel = "ID", description = "the subnet to match against --expected")
    String subnet;

    @Option(names = "--expected", paramLabel = "FILE",
        description = "address -> owner of --subnet, CSV (address,owner) or JSON lines")
    Path expected;

    @Option(names = "--apply", description = "with --expected: act (the default is a dry run)")
    boolean apply;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "10m",
        description = "only allocations at least this old (e.g. 30s, 10m, 2h, 1d, PT15M; default ${DEFAULT-VALUE})")
    String grace;

    @Option(names = "--dry-run", description = "print what would be released and change nothing")
    boolean dryRun;

    @CommandLine.Mixin
    JsonOption jsonOption;

    @Override
    public Integer call()
    {
        final Duration g = parseDuration(grace);
        if ((live == null) == (expected == null) || (expected == null) != (subnet == null))
        {
            throw new IpamException(ErrorCode.MALFORMED, "give either --live FILE, or --subnet ID with --expected FILE");
        }
        if (expected != null)
        {
            if (dryRun)
            {
                throw new IpamException(ErrorCode.MALFORMED, "--expected is a dry run unless --apply is given; " +
                    "--dry-run goes with --live");
            }
            return bySubnet(g);
        }
        if (apply)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--apply goes with --expected; --live acts unless --dry-run");
        }
        final Set<UUID> owners = readOwners(live);
        final PrintWriter out = spec.commandLine().getOut();
        try (Ipam ipam = storeOption.open())
        {
            final ReconcileReport report = ipam.reconcile(owners, g, dryRun);
            final List<Allocation> released = report.released();
            for (final Allocation a : released)
            {
                out.println(jsonOption.json ? "{\"subnet\": " + Outputs.json(a.subnetId()) + ", \"address\": " +
                    Outputs.json(a.address()) + ", \"owner\": " + Outputs.json(a.owner().toString()) + ", \"time\": " +
                    Outputs.json(a.time().toString()) + "}" :
                    Outputs.printable(a.subnetId()) + " " + a.address() + " " + a.owner() + " " + a.time());
            }
            if (!jsonOption.json)
            {
                out.printf(Locale.ROOT, "%s %d address(es) of owners not in %s, older than %s%n",
                    dryRun ? "would release" : "released", released.size(), live, g);
            }
        }
        return 0;
    }

    /**
     * {@code --subnet ID --expected FILE}: one subnet matched to the expected addresses, a dry run unless --apply.
     */
    private int bySubnet(final Duration g)
    {
        final Map<String, UUID> want = ExpectedAddresses.read(expected);
        final PrintWriter out = spec.commandLine().getOut();
        try (Ipam ipam = storeOption.open())
        {
            final ReconcileReport report = ipam.reconcileSubnet(subnet, want, g, !apply);
            print(out, report.dryRun() ? "would release" : "released", report.released());
            print(out, report.dryRun() ? "would allocate" : "allocated", report.allocated());
            print(out, report.dryRun() ? "would re-own" : "re-owned", report.reowned());
            if (!jsonOption.json)
            {
                out.printf(Locale.ROOT, "%s of subnet %s against %d expected address(es) in %s: %d released, " +
                    "%d allocated, %d re-owned%s%n", report.dryRun() ? "dry run" : "reconciled",
                    Outputs.printable(subnet), want.size(), expected, report.released().size(),
                    report.allocated().size(), report.reowned().size(),
                    report.dryRun() ? " (nothing changed; --apply to act)" : "");
            }
        }
        return 0;
    }

    private void print(final PrintWriter out, final String what, final List<Allocation> list)
    {
        for (final Allocation a : list)
        {
            out.println(jsonOption.json ? "{\"change\": " + Outputs.json(what) + ", \"subnet\": " +
                Outputs.json(a.subnetId()) + ", \"address\": " + Outputs.json(a.address()) + ", \"owner\": " +
                Outputs.json(a.owner().toString()) + ", \"time\": " + Outputs.json(a.time().toString()) +
                ", \"router\": " + a.router() + "}" :
                what + " " + Outputs.printable(a.subnetId()) + " " + a.address() + " " + a.owner() + " " + a.time() +
                (a.router() ? " router" : ""));
        }
    }

    /**
     * @param text {@code 30s}, {@code 10m}, {@code 2h}, {@code 1d} or ISO-8601 ({@code PT15M}).
     * @return the duration.
     */
    static Duration parseDuration(final String text)
    {
        return parseDuration(text, "--grace");
    }

    /**
     * @param text   30s, 10m, 2h, 1d or an ISO-8601 duration.
     * @param option the option it came from, for the message.
     * @return the duration.
     */
    static Duration parseDuration(final String text, final String option)
    {
        try
        {
            if (text.matches("[0-9]{1,9}[smhd]"))
            {
                final long n = Long.parseLong(text.substring(0, text.length() - 1));
                switch (text.charAt(text.length() - 1))
                {
                    case 's':
                        return Duration.ofSeconds(n);
                    case 'm':
                        return Duration.ofMinutes(n);
                    case 'h':
                        return Duration.ofHours(n);
                    default:
                        return Duration.ofDays(n);
                }
            }
            final Duration d = Duration.parse(text);
            if (d.isNegative())
            {
                throw new IpamException(ErrorCode.MALFORMED, option + " must not be negative, was " +
                    Outputs.printable(text));
            }
            return d;
        }
        catch (final DateTimeParseException ex)
        {
            throw new IpamException(ErrorCode.MALFORMED, option + " " + Outputs.printable(text) + " is not a " +
                "duration (30s, 10m, 2h, 1d or PT15M)");
        }
    }

    private static Set<UUID> readOwners(final Path file)
    {
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read live owners from " + file + ": " + ex);
        }
        final Set<UUID> owners = new HashSet<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            try
            {
                if (line.length() != 36)
                {
                    throw new IllegalArgumentException();
                }
                owners.add(UUID.fromString(line));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IpamException(ErrorCode.MALFORMED, file + " line " + (i + 1) + " is not an owner UUID: " +
                    Outputs.printable(line.length() > 60 ? line.substring(0, 60) + "..." : line));
            }
        }
        return owners;
    }
}
