package io.ipam.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetUpdate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam subnet update ID [--pool FIRST-LAST]... [--no-pools] [--gateway IP | --no-gateway] [--cooldown D]}:
 * pools, gateway and cooldown changed in one step, every rule checked against the end state; all or nothing.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
    description = {"Change pools, gateway and cooldown in one step: every rule is checked against the subnet as it",
        "would be after the whole change, and all of it is applied or nothing is. What is not given stays."})
final class SubnetUpdateCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Option(names = "--pool", paramLabel = "FIRST-LAST", description = "the new pools, replacing all (repeatable)")
    List<String> pools = new ArrayList<>();

    @Option(names = "--no-pools", description = "leave the subnet without pools (only specific requests succeed)")
    boolean noPools;

    @Option(names = "--gateway", description = "the new gateway (IPv6: the network address is allowed)")
    String gateway;

    @Option(names = "--no-gateway", description = "remove the gateway")
    boolean noGateway;

    @Option(names = "--cooldown", paramLabel = "DURATION", description = "the new release cooldown (0s: none)")
    String cooldown;

    @Mixin
    JsonOption jsonOption;

    @Override
    public Integer call()
    {
        if (noPools && !pools.isEmpty() || noGateway && gateway != null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--no-pools with --pool, or --no-gateway with --gateway");
        }
        final SubnetUpdate.Builder b = SubnetUpdate.builder();
        if (noPools || !pools.isEmpty())
        {
            final List<IpRange> ranges = new ArrayList<>();
            for (final String p : pools)
            {
                ranges.add(SubnetCommand.pool(p));
            }
            b.pools(ranges);
        }
        if (noGateway)
        {
            b.noGateway();
        }
        else if (gateway != null)
        {
            b.gateway(gateway);
        }
        if (cooldown != null)
        {
            b.cooldown(ReconcileCommand.parseDuration(cooldown, "--cooldown"));
        }
        try (Ipam ipam = storeOption.open())
        {
            SubnetCommand.print(spec.commandLine().getOut(), ipam.updateSubnet(id, b.build()), jsonOption.json);
        }
        return 0;
    }
}
