package io.ipam.tools;

import java.util.UUID;
import java.util.concurrent.Callable;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam release}: release an address, or everything an owner holds.
 */
@Command(name = "release", mixinStandardHelpOptions = true,
    description = {"Release an address (SUBNET ADDRESS), only if --owner holds it when given;",
        "or, with --owner and no address, everything that owner holds.",
        "Releasing a free address prints 'was free' and succeeds."})
public final class ReleaseCommand implements Callable<Integer>
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

    @Override
    public Integer call()
    {
        if (subnet == null && owner == null || subnet != null && address == null)
        {
            throw new ParameterException(spec.commandLine(),
                "give SUBNET ADDRESS, or --owner alone to release everything it holds");
        }
        try (Ipam ipam = storeOption.open())
        {
            if (subnet == null)
            {
                spec.commandLine().getOut().println("released " + ipam.releaseOwner(owner) + " address(es) of " +
                    owner);
                return 0;
            }
            final boolean released = owner == null ? ipam.release(subnet, address) :
                ipam.release(subnet, address, owner);
            spec.commandLine().getOut().println(released ? "released " + address : address + " was free");
            return 0;
        }
        catch (final IpamException ex)
        {
            if (ex.code() == ErrorCode.OWNER_MISMATCH)
            {
                spec.commandLine().getErr().println("ipam: " + ex.getMessage());
                return IpamTool.FAILED;
            }
            throw ex;
        }
    }
}
