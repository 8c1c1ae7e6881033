package io.ipam.tools;

import java.io.PrintWriter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Ipam;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam alloc}: allocate in a store.
 */
@Command(name = "alloc", mixinStandardHelpOptions = true,
    description = "Allocate an address (by the subnet's strategy unless one of the options says otherwise).")
public final class AllocCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOption storeOption;

    @Parameters(index = "0", paramLabel = "SUBNET")
    String subnet;

    @Option(names = "--owner", required = true, description = "owner UUID (typically the port)")
    UUID owner;

    @ArgGroup(exclusive = true)
    Mode mode;

    /** Mutually exclusive ways to pick. */
    static final class Mode
    {
        @Option(names = "--address", description = "this address")
        String address;

        @Option(names = "--next", description = "the lowest free address")
        boolean next;

        @Option(names = "--eui64", paramLabel = "MAC", description = "the EUI-64 address of a MAC (IPv6 /64)")
        String mac;

        @Option(names = "--count", description = "this many addresses, all or nothing")
        int count;
    }

    @Mixin
    JsonOption jsonOption;

    @Option(names = "--key", paramLabel = "KEY",
        description = "request key: run again with the same key, get the same answer and nothing more allocated")
    String key;

    @Option(names = "--lease", paramLabel = "DURATION",
        description = "the allocation expires after this (e.g. 30s, 10m, 1h, PT1H) unless renewed")
    String lease;

    @Option(names = "--router", description = "a router's request: with --address it may take the IPv6 " +
        "subnet-router anycast address; the allocation is marked as a router's")
    boolean router;

    @Override
    public Integer call()
    {
        final AllocationOptions.Builder b = AllocationOptions.builder();
        if (key != null)
        {
            b.requestKey(key);
        }
        if (lease != null)
        {
            b.lease(ReconcileCommand.parseDuration(lease, "--lease"));
        }
        if (router)
        {
            b.router();
        }
        final AllocationOptions options = b.build();
        try (Ipam ipam = storeOption.open())
        {
            final List<String> got;
            if (!options.isNone() || options.router())
            {
                got = withOptions(ipam, options);
            }
            else if (mode == null)
            {
                got = List.of(ipam.allocate(subnet, owner));
            }
            else if (mode.address != null)
            {
                got = List.of(ipam.allocate(subnet, mode.address, owner));
            }
            else if (mode.next)
            {
                got = List.of(ipam.allocateNext(subnet, owner));
            }
            else if (mode.mac != null)
            {
                got = List.of(ipam.allocateEui64(subnet, mode.mac, owner));
            }
            else
            {
                got = ipam.allocateBulk(subnet, owner, mode.count);
            }
            final PrintWriter out = spec.commandLine().getOut();
            if (jsonOption.json)
            {
                final StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < got.size(); i++)
                {
                    sb.append(i == 0 ? "" : ", ").append(IpamTool.json(got.get(i)));
                }
                out.println(sb.append(']'));
            }
            else
            {
                got.forEach(out::println);
            }
        }
        return 0;
    }

    /** With a key or lease: any and bulk directly, the other kinds as a one-item port request. */
    private List<String> withOptions(final Ipam ipam, final AllocationOptions options)
    {
        if (mode == null)
        {
            return List.of(ipam.allocate(subnet, owner, options));
        }
        if (mode.count > 0)
        {
            return ipam.allocateBulk(subnet, owner, mode.count, options);
        }
        if (mode.address != null)
        {
            return List.of(ipam.allocate(subnet, mode.address, owner, options));
        }
        final AddressRequest item = mode.address != null ? AddressRequest.specific(subnet, mode.address) :
            mode.mac != null ? AddressRequest.eui64(subnet, mode.mac) : AddressRequest.next(subnet);
        return List.of(ipam.allocatePort(owner, List.of(item), options).get(0).address());
    }
}
