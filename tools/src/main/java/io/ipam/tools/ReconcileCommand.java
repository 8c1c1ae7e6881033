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
    description = {"Release every address whose owner is not in the live file and which is older than the grace;",
        "each is recorded as RECLAIMED in the change feed. Prefix children are not touched.",
        "FILE: one owner UUID per line; blank lines and lines starting with # are ignored."})
public final class ReconcileCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    StoreOption storeOption;

    @Option(names = "--live", required = true, paramLabel = "FILE", description = "the owners that are alive")
    Path live;

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
