package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.persistence.DurableIpam;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ipam} command line: benchmark runs, snapshots, store administration, live counters, maps.
 * Exit codes: 0 ok, 1 refused or a failed check, 2 usage.
 */
@Command(
    name = "ipam",
    mixinStandardHelpOptions = true,
    version = "ipam 0.1.0",
    description = "Embeddable IP address allocator: benchmarks, snapshots and store administration.",
    subcommands = {
        BenchCommand.class,
        SnapshotCommand.class,
        SubnetCommand.class,
        AllocCommand.class,
        ReleaseCommand.class,
        OwnerCommand.class,
        ReconcileCommand.class,
        ChangesCommand.class,
        StatCommand.class,
        MapCommand.class,
        ServeCommand.class,
        KillTestCommand.class,
        ClusterCommand.class,
        CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 ok, 1 refused or failed check, 2 usage error."})
public final class IpamTool implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Exit code of a refused request or a failed check. */
    public static final int FAILED = 1;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @return a configured command line (shared by {@link #main(String[])} and tests).
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new IpamTool());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) ->
        {
            final PrintWriter err = commandLine.getErr();
            // one line, no stack trace, nothing a crafted file could smuggle into the terminal
            if (ex instanceof IpamException)
            {
                err.println("ipam: " + Outputs.printable(ex.getMessage()));
            }
            else
            {
                err.println("ipam: " + ex.getClass().getSimpleName() + ": " + Outputs.printable(ex.getMessage()));
            }
            err.flush();
            return FAILED;
        });
        return cli;
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        int code;
        try
        {
            code = commandLine().execute(args);
        }
        catch (final Throwable ex)
        {
            // an Error (out of memory, a broken installation) still gets one line, not a stack trace
            System.err.println("ipam: " + ex.getClass().getSimpleName() + ": " + Outputs.printable(ex.getMessage()));
            code = FAILED;
        }
        System.exit(code);
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers shared by the sub-commands
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Open an existing store: a directory without one is refused ({@code STORE_IO}) and nothing is created.
     */
    static Ipam openStore(final Path store)
    {
        if (store == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--store is required");
        }
        return DurableIpam.openExisting(store, IpamConfig.defaults());
    }

    /**
     * Open a store, creating it when the directory holds none ({@code subnet create} only).
     */
    static Ipam openOrCreateStore(final Path store)
    {
        if (store == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--store is required");
        }
        return DurableIpam.open(store, IpamConfig.defaults());
    }

    /**
     * Read an allocator's full state consistently: a snapshot to a temporary file, read back.
     */
    static SnapshotData read(final Ipam ipam, final String name)
    {
        try
        {
            final Path tmp = Files.createTempFile("ipam-", ".snap");
            try
            {
                ipam.snapshot(tmp);
                return SnapshotCodec.read(tmp);
            }
            finally
            {
                Files.deleteIfExists(tmp);
            }
        }
        catch (final IOException ex)
        {
            throw new IpamException(ErrorCode.STORE_IO, "cannot read store " + name + ": " + ex);
        }
    }

    static String json(final String s)
    {
        return Outputs.json(s);
    }

    static String address(final SnapshotData.Subnet s, final long value)
    {
        return s.meta.cidr.isV6() ? AddressText.formatV6(s.meta.cidr.address().hi(), value) :
            AddressText.formatV4(value);
    }
}
