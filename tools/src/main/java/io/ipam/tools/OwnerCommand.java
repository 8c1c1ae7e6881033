package io.ipam.tools;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.ipam.core.Allocation;
import io.ipam.core.Ipam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam owner}: who holds an address, or what an owner holds.
 */
@Command(name = "owner", mixinStandardHelpOptions = true,
    description = {"SUBNET ADDRESS: print the owner of an address ('free' if none).",
        "--owner UUID: list everything that owner holds."})
public final class OwnerCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SUBNET")
    String subnet;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ADDRESS")
    String address;

    @Option(names = "--owner", description = "owner UUID")
    UUID owner;

    @Mixin
    JsonOption jsonOption;

    @Override
    public Integer call()
    {
        if ((subnet == null) == (owner == null) || subnet != null && address == null)
        {
            throw new ParameterException(spec.commandLine(),
                "give either SUBNET ADDRESS or --owner UUID");
        }
        final PrintWriter out = spec.commandLine().getOut();
        try (Ipam ipam = storeOption.open())
        {
            if (owner != null)
            {
                final List<Allocation> held = ipam.allocations(owner);
                for (final Allocation a : held)
                {
                    out.println(jsonOption.json ? "{\"subnet\": " + IpamTool.json(a.subnetId()) + ", \"address\": " +
                        IpamTool.json(a.address()) + "}" : a.subnetId() + " " + a.address());
                }
                return 0;
            }
            final Optional<UUID> who = ipam.owner(subnet, address);
            out.println(jsonOption.json ? "{\"owner\": " + IpamTool.json(who.map(UUID::toString).orElse(null)) + "}" :
                who.map(UUID::toString).orElse("free"));
            return 0;
        }
    }
}
