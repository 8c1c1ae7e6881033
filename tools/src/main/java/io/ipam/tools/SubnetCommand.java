package io.ipam.tools;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam subnet create | list | show | delete} against a store directory.
 */
@Command(name = "subnet", mixinStandardHelpOptions = true, description = "Manage the subnets of a store.",
    subcommands = {SubnetCommand.Create.class, SubnetCommand.ListCmd.class, SubnetCommand.Show.class,
        SubnetCommand.Delete.class, SubnetUpdateCommand.class})
public final class SubnetCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * @param text a {@code --pool} value.
     * @return its range.
     * @throws IpamException {@code MALFORMED} when it is not {@code FIRST-LAST}.
     */
    static IpRange pool(final String text)
    {
        final int dash = text.indexOf('-');
        if (dash < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "--pool " + Outputs.printable(text) + " is not FIRST-LAST");
        }
        return IpRange.of(text.substring(0, dash), text.substring(dash + 1));
    }

    static void print(final PrintWriter out, final SubnetInfo s, final boolean json)
    {
        final List<String> pools = new ArrayList<>();
        s.pools().forEach(p -> pools.add(p.first() + "-" + p.last()));
        if (json)
        {
            out.printf("{\"id\": %s, \"cidr\": %s, \"tenant\": %s, \"gateway\": %s, \"strategy\": %s, " +
                "\"pools\": %s, \"allocated\": %d, \"free\": %s, \"cooldown_ms\": %d, \"cooling\": %d}%n",
                IpamTool.json(s.id()), IpamTool.json(s.cidr()),
                IpamTool.json(s.tenant().orElse(null)), IpamTool.json(s.gateway().orElse(null)),
                IpamTool.json(s.strategy().name()), IpamTool.json(String.join(",", pools)), s.allocated(),
                IpamTool.json(s.free().toString()), s.cooldown().toMillis(), s.cooling());
        }
        else
        {
            out.printf("%-20s %-26s tenant=%s gateway=%s strategy=%s allocated=%d free=%s pools=%s%s%n",
                Outputs.printable(s.id()), s.cidr(),
                Outputs.printable(s.tenant().orElse("-")), s.gateway().orElse("-"), s.strategy(), s.allocated(),
                s.free(),
                pools.isEmpty() ? "(none)" : String.join(",", pools),
                s.cooldown().isZero() ? "" : " cooldown=" + s.cooldown() + " cooling=" + s.cooling());
        }
    }

    /** {@code subnet create}. */
    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a subnet.")
    static final class Create implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOption storeOption;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Parameters(index = "1", paramLabel = "CIDR")
        String cidr;

        @Option(names = "--gateway", description = "gateway address (default: network+1)")
        String gateway;

        @Option(names = "--no-gateway", description = "no gateway")
        boolean noGateway;

        @Option(names = "--pool", paramLabel = "FIRST-LAST", description = "allocation pool (repeatable)")
        List<String> pools = new ArrayList<>();

        @Option(names = "--strategy", description = "RANDOM (default) or LOWEST")
        AllocationStrategy strategy = AllocationStrategy.RANDOM;

        @Option(names = "--tenant", description = "owning tenant")
        String tenant;

        @Option(names = "--cooldown", paramLabel = "DURATION",
            description = "keep released addresses out of automatic choice this long (e.g. 5m; default none)")
        String cooldown;

        @Mixin
        JsonOption jsonOption;

        @Override
        public Integer call()
        {
            final SubnetSpec.Builder b = SubnetSpec.builder(id, cidr).strategy(strategy).tenant(tenant);
            if (cooldown != null)
            {
                b.cooldown(ReconcileCommand.parseDuration(cooldown, "--cooldown"));
            }
            if (noGateway)
            {
                b.noGateway();
            }
            else if (gateway != null)
            {
                b.gateway(gateway);
            }
            for (final String p : pools)
            {
                final IpRange r = pool(p);
                b.pool(r.first(), r.last());
            }
            try (Ipam ipam = storeOption.openOrCreate())
            {
                print(spec.commandLine().getOut(), ipam.createSubnet(b.build()), jsonOption.json);
            }
            return 0;
        }
    }

    /** {@code subnet list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List all subnets.")
    static final class ListCmd implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOption storeOption;

        @Mixin
        JsonOption jsonOption;

        @Override
        public Integer call()
        {
            try (Ipam ipam = storeOption.open())
            {
                for (final SubnetInfo s : ipam.subnets())
                {
                    print(spec.commandLine().getOut(), s, jsonOption.json);
                }
            }
            return 0;
        }
    }

    /** {@code subnet show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one subnet.")
    static final class Show implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOption storeOption;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Mixin
        JsonOption jsonOption;

        @Override
        public Integer call()
        {
            try (Ipam ipam = storeOption.open())
            {
                print(spec.commandLine().getOut(), ipam.subnet(id), jsonOption.json);
            }
            return 0;
        }
    }

    /** {@code subnet delete}. */
    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = "Delete a subnet (refused while it holds allocations, unless --force).")
    static final class Delete implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOption storeOption;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Option(names = "--force", description = "release its allocations too")
        boolean force;

        @Override
        public Integer call()
        {
            try (Ipam ipam = storeOption.open())
            {
                ipam.deleteSubnet(id, force);
                spec.commandLine().getOut().println("deleted " + id);
            }
            return 0;
        }
    }
}
