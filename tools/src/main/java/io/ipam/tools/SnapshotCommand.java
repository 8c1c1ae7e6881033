package io.ipam.tools;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.file.AtomicFile;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.addr.Cidr;
import io.ipam.core.engine.EngineImage;
import io.ipam.core.engine.LifecycleImage;
import io.ipam.core.snapshot.SnapshotCodec;
import io.ipam.core.snapshot.SnapshotData;
import io.ipam.persistence.DurableIpam;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam snapshot create | inspect | verify | restore | diff | export}.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
    description = "Create, inspect, verify, restore, compare and export snapshot files.",
    subcommands = {
        SnapshotCommand.Create.class,
        SnapshotCommand.Inspect.class,
        SnapshotCommand.Verify.class,
        SnapshotCommand.Restore.class,
        SnapshotCommand.Diff.class,
        SnapshotCommand.Export.class
    })
public final class SnapshotCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code snapshot create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Write a consistent snapshot of a store (the store must not be open elsewhere).")
    static final class Create implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Mixin
        StoreOption storeOption;

        @Parameters(index = "0", paramLabel = "FILE", description = "snapshot file to write")
        Path file;

        @Mixin
        JsonOption jsonOption;

        @Option(names = "--force", description = "replace FILE if it exists")
        boolean force;

        @Override
        public Integer call()
        {
            if (storeOption.isCluster())
            {
                // a cluster's state is on its members: each writes the file into its own DIR/snapshots/
                try (Ipam ipam = storeOption.open())
                {
                    final SnapshotInfo info = ipam.snapshot(file.getFileName());
                    spec.commandLine().getOut().printf("every member wrote DIR/%s: %d bytes on the leader, " +
                        "format %d, %d subnets, %d allocations, taken at %s (log time)%n", info.file(), info.bytes(),
                        info.formatVersion(), info.subnets(), info.allocations(), info.takenAt());
                    return 0;
                }
            }
            // checked before the allocator is reached: an existing FILE is never replaced without --force
            try (AtomicFile target = Outputs.prepare(file, force); Ipam ipam = storeOption.open())
            {
                final SnapshotInfo written = ipam.snapshot(target.tmp());
                target.commit();
                final SnapshotInfo info = new SnapshotInfo(file, written.bytes(), written.formatVersion(),
                    written.subnets(), written.allocations(), written.takenAt());
                final PrintWriter out = spec.commandLine().getOut();
                if (jsonOption.json)
                {
                    out.printf("{\"file\": %s, \"bytes\": %d, \"formatVersion\": %d, \"subnets\": %d, " +
                        "\"allocations\": %d, \"takenAt\": %s}%n", IpamTool.json(info.file().toString()), info.bytes(),
                        info.formatVersion(), info.subnets(), info.allocations(),
                        IpamTool.json(info.takenAt().toString()));
                }
                else
                {
                    out.printf("wrote %s: %d bytes, format %d, %d subnets, %d allocations, taken at %s%n",
                        info.file(), info.bytes(), info.formatVersion(), info.subnets(), info.allocations(),
                        info.takenAt());
                }
                return 0;
            }
        }
    }

    /** {@code snapshot inspect}. */
    @Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show what a snapshot holds: header, subnets, prefix pools.")
    static final class Inspect implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Mixin
        JsonOption jsonOption;

        @Override
        public Integer call() throws IOException
        {
            final SnapshotData data = SnapshotCodec.read(file);
            final PrintWriter out = spec.commandLine().getOut();
            if (jsonOption.json)
            {
                out.println(inspectJson(file, data));
                return 0;
            }
            out.printf("snapshot %s%n  format version %d, taken at %s, %d bytes%n  %d subnets, %d allocations, " +
                "%d prefix pools%s%n", file, data.formatVersion, Instant.ofEpochMilli(data.takenAtMs), Files.size(file),
                data.subnets.size(), data.allocationCount(), data.prefixPools.size(),
                // the generator's key is a secret: say that it is there, never what it is
                data.randomStates.isEmpty() ? "" : ", random generator state (secret) present");
            if (data.formatVersion >= 3)
            {
                final LifecycleImage l = data.lifecycle;
                out.printf("  lifecycle: change sequence %d, %d request keys, %d leases, %d cooling addresses, " +
                    "%d subnets with a cooldown%n", l.lastSequence, l.keys.size(),
                    l.leases.values().stream().mapToInt(List::size).sum(),
                    l.cooling.values().stream().mapToInt(List::size).sum(), l.cooldowns.size());
            }
            if (!data.subnets.isEmpty())
            {
                out.printf("%n  %-20s %-26s %-12s %-18s %-8s %10s  %s%n", "subnet", "cidr", "tenant", "gateway",
                    "strategy", "allocated", "pools");
            }
            for (final SnapshotData.Subnet s : data.subnets)
            {
                final EngineImage.SubnetImage m = s.meta;
                out.printf("  %-20s %-26s %-12s %-18s %-8s %10d  %s%n", Outputs.printable(m.id), m.cidr,
                    m.tenant == null ? "-" : Outputs.printable(m.tenant),
                    m.gateway == null ? "-" : m.gateway, m.strategy, s.size(), pools(s));
            }
            for (final EngineImage.PrefixPoolImage p : data.prefixPools)
            {
                out.printf("%n  prefix pool %s: %s, lengths /%d-/%d (default /%d), quota %s, %d children%n",
                    Outputs.printable(p.id),
                    p.prefixes, p.min, p.max, p.def, p.quota < 0 ? "none" : Long.toString(p.quota), p.children.size());
            }
            return 0;
        }
    }

    static String pools(final SnapshotData.Subnet s)
    {
        final List<String> out = new ArrayList<>();
        final long base = s.meta.cidr.address().lo();
        for (int i = 0; i < s.meta.poolFirst.length; i++)
        {
            out.add(IpamTool.address(s, base + s.meta.poolFirst[i]) + "-" +
                IpamTool.address(s, base + s.meta.poolLast[i]));
        }
        return out.isEmpty() ? "(none)" : String.join(",", out);
    }

    static String inspectJson(final Path file, final SnapshotData data)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("{\"file\": ").append(IpamTool.json(file.toString())).append(", \"formatVersion\": ")
            .append(data.formatVersion).append(", \"takenAt\": ")
            .append(IpamTool.json(Instant.ofEpochMilli(data.takenAtMs).toString())).append(", \"allocations\": ")
            .append(data.allocationCount());
        if (data.formatVersion >= 3)
        {
            final LifecycleImage l = data.lifecycle;
            sb.append(", \"lifecycle\": {\"lastSequence\": ").append(l.lastSequence).append(", \"requestKeys\": ")
                .append(l.keys.size()).append(", \"leases\": ")
                .append(l.leases.values().stream().mapToInt(List::size).sum()).append(", \"cooling\": ")
                .append(l.cooling.values().stream().mapToInt(List::size).sum()).append('}');
        }
        sb.append(", \"subnets\": [");
        String sep = "";
        for (final SnapshotData.Subnet s : data.subnets)
        {
            final EngineImage.SubnetImage m = s.meta;
            sb.append(sep).append("{\"id\": ").append(IpamTool.json(m.id)).append(", \"cidr\": ")
                .append(IpamTool.json(m.cidr.toString())).append(", \"tenant\": ").append(IpamTool.json(m.tenant))
                .append(", \"gateway\": ").append(IpamTool.json(m.gateway == null ? null : m.gateway.toString()))
                .append(", \"strategy\": ").append(IpamTool.json(m.strategy.name())).append(", \"pools\": ")
                .append(IpamTool.json(pools(s))).append(", \"allocated\": ").append(s.size()).append('}');
            sep = ", ";
        }
        sb.append("], \"prefixPools\": [");
        sep = "";
        for (final EngineImage.PrefixPoolImage p : data.prefixPools)
        {
            sb.append(sep).append("{\"id\": ").append(IpamTool.json(p.id)).append(", \"prefixes\": ")
                .append(IpamTool.json(p.prefixes.toString())).append(", \"children\": ").append(p.children.size())
                .append('}');
            sep = ", ";
        }
        return sb.append("]}").toString();
    }

    /** {@code snapshot verify}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check every checksum and rebuild the state in memory; exit 1 if anything is wrong.")
    static final class Verify implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call()
        {
            try (Ipam ipam = Ipam.restoreInMemory(file, IpamConfig.defaults()))
            {
                // restoring re-checked every rule; the counts come from the rebuilt state
                final SnapshotData data = SnapshotCodec.read(file);
                if (ipam.subnets().size() != data.subnets.size())
                {
                    throw new IpamException(ErrorCode.STORE_CORRUPT, "subnet count differs after restore");
                }
                spec.commandLine().getOut().printf("OK %s: checksums and rules verified, %d subnets, %d allocations, " +
                    "%d prefix pools%n", file, data.subnets.size(), data.allocationCount(), data.prefixPools.size());
                return 0;
            }
            catch (final IpamException ex)
            {
                spec.commandLine().getOut().println("FAILED " + Outputs.printable(ex.getMessage()));
                return IpamTool.FAILED;
            }
        }
    }

    /** {@code snapshot restore}. */
    @Command(name = "restore", mixinStandardHelpOptions = true,
        description = "Build a new store from a snapshot; the store directory must be empty or absent.")
    static final class Restore implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--store", required = true, description = "new store directory (empty or absent)")
        Path store;

        @Option(names = "--capacity", description = "allocations the new store is sized for (default: 1,000,000)")
        long capacity = IpamConfig.defaults().storeCapacity();

        @Override
        public Integer call()
        {
            try (Ipam ipam = DurableIpam.restore(file, store, IpamConfig.builder().storeCapacity(capacity).build()))
            {
                spec.commandLine().getOut().printf("restored %s into %s: %d subnets%n", file, store,
                    ipam.subnets().size());
                return 0;
            }
        }
    }

    /** {@code snapshot diff}. */
    @Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show what changed between two snapshots: subnets, allocations, prefix children. " +
            "Lines start with + (added), - (removed) or ~ (changed).")
    static final class Diff implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "OLD")
        Path before;

        @Parameters(index = "1", paramLabel = "NEW")
        Path after;

        @Mixin
        JsonOption jsonOption;

        @Override
        public Integer call()
        {
            final List<String[]> changes = diff(SnapshotCodec.read(before), SnapshotCodec.read(after));
            final PrintWriter out = spec.commandLine().getOut();
            if (jsonOption.json)
            {
                final StringBuilder sb = new StringBuilder("[");
                String sep = "";
                for (final String[] c : changes)
                {
                    sb.append(sep).append("{\"change\": ").append(IpamTool.json(c[0])).append(", \"kind\": ")
                        .append(IpamTool.json(c[1])).append(", \"what\": ").append(IpamTool.json(c[2])).append('}');
                    sep = ", ";
                }
                out.println(sb.append(']'));
            }
            else
            {
                for (final String[] c : changes)
                {
                    out.println(c[0] + " " + c[1] + " " + Outputs.printable(c[2]));
                }
                out.println(changes.size() + " change(s)");
            }
            return 0;
        }
    }

    static List<String[]> diff(final SnapshotData a, final SnapshotData b)
    {
        final List<String[]> out = new ArrayList<>();
        final Map<String, SnapshotData.Subnet> left = new TreeMap<>();
        final Map<String, SnapshotData.Subnet> right = new TreeMap<>();
        a.subnets.forEach(s -> left.put(s.meta.id, s));
        b.subnets.forEach(s -> right.put(s.meta.id, s));
        final TreeSet<String> ids = new TreeSet<>(left.keySet());
        ids.addAll(right.keySet());
        for (final String id : ids)
        {
            final SnapshotData.Subnet l = left.get(id);
            final SnapshotData.Subnet r = right.get(id);
            if (l == null)
            {
                out.add(new String[] {"+", "subnet", describe(r)});
            }
            else if (r == null)
            {
                out.add(new String[] {"-", "subnet", describe(l)});
            }
            else if (!describe(l).equals(describe(r)))
            {
                out.add(new String[] {"~", "subnet", describe(l) + " -> " + describe(r)});
            }
            final Map<String, UUID> la = allocations(l);
            final Map<String, UUID> ra = allocations(r);
            for (final Map.Entry<String, UUID> e : ra.entrySet())
            {
                final UUID was = la.get(e.getKey());
                if (was == null)
                {
                    out.add(new String[] {"+", "allocation", id + " " + e.getKey() + " " + e.getValue()});
                }
                else if (!was.equals(e.getValue()))
                {
                    out.add(new String[] {"~", "allocation", id + " " + e.getKey() + " " + was + " -> " +
                        e.getValue()});
                }
            }
            for (final Map.Entry<String, UUID> e : la.entrySet())
            {
                if (!ra.containsKey(e.getKey()))
                {
                    out.add(new String[] {"-", "allocation", id + " " + e.getKey() + " " + e.getValue()});
                }
            }
        }
        final Map<String, String> lc = children(a);
        final Map<String, String> rc = children(b);
        rc.forEach((k, t) ->
        {
            if (!lc.containsKey(k))
            {
                out.add(new String[] {"+", "prefix", k + " tenant " + t});
            }
        });
        lc.forEach((k, t) ->
        {
            if (!rc.containsKey(k))
            {
                out.add(new String[] {"-", "prefix", k + " tenant " + t});
            }
        });
        return out;
    }

    private static String describe(final SnapshotData.Subnet s)
    {
        final EngineImage.SubnetImage m = s.meta;
        return m.id + " " + m.cidr + " tenant=" + (m.tenant == null ? "-" : m.tenant) + " gateway=" +
            (m.gateway == null ? "-" : m.gateway) + " strategy=" + m.strategy + " pools=" + pools(s);
    }

    private static Map<String, UUID> allocations(final SnapshotData.Subnet s)
    {
        final Map<String, UUID> out = new HashMap<>();
        if (s != null)
        {
            for (int i = 0; i < s.size(); i++)
            {
                out.put(IpamTool.address(s, s.address[i]), new UUID(s.ownerMsb[i], s.ownerLsb[i]));
            }
        }
        return out;
    }

    private static Map<String, String> children(final SnapshotData d)
    {
        final Map<String, String> out = new TreeMap<>();
        for (final EngineImage.PrefixPoolImage p : d.prefixPools)
        {
            for (int i = 0; i < p.children.size(); i++)
            {
                final Cidr c = p.children.get(i);
                out.put(p.id + " " + c, p.tenants.get(i));
            }
        }
        return out;
    }

    /** {@code snapshot export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export every allocation and prefix child as JSON or CSV (the output names every owner: it is " +
            "written owner-only, 0600, and never over an existing file without --force).")
    static final class Export implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--format", required = true, description = "json or csv")
        String format;

        @Option(names = {"-o", "--out"}, description = "output file (default: standard output)")
        Path output;

        @Option(names = "--force", description = "replace the output file if it exists")
        boolean force;

        @Override
        public Integer call() throws IOException
        {
            if (!format.equals("json") && !format.equals("csv"))
            {
                throw new ParameterException(spec.commandLine(),
                    "--format must be json or csv, was '" + format + "'");
            }
            final AtomicFile target = output == null ? null : Outputs.prepare(output, force);
            try (target)
            {
                final SnapshotData data = SnapshotCodec.read(file);
                final Writer writer = target == null ? spec.commandLine().getOut() :
                    new OutputStreamWriter(target.open(true), StandardCharsets.UTF_8);
                // progress goes to standard error, and only when the export itself does not go to standard output
                try (ProgressBar bar = target == null ? null : new ProgressBarBuilder().setTaskName("export")
                    .setInitialMax(data.allocationCount()).setStyle(ProgressBarStyle.ASCII).build())
                {
                    if (format.equals("csv"))
                    {
                        exportCsv(data, writer, bar);
                    }
                    else
                    {
                        exportJson(data, writer, bar);
                    }
                    writer.flush();
                }
                finally
                {
                    if (target != null)
                    {
                        writer.close();
                    }
                }
                if (target != null)
                {
                    target.commit();
                }
            }
            return 0;
        }

        private static void exportCsv(final SnapshotData data, final Writer writer, final ProgressBar bar)
            throws IOException
        {
            final CSVPrinter csv = new CSVPrinter(writer, CSVFormat.DEFAULT.builder().setRecordSeparator("\n")
                .get());
            csv.printRecord("kind", "subnet_or_pool", "address_or_prefix", "owner_or_tenant", "allocated_at");
            for (final SnapshotData.Subnet s : data.subnets)
            {
                final String id = Outputs.csvCell(s.meta.id);
                for (int i = 0; i < s.size(); i++)
                {
                    csv.printRecord("address", id, IpamTool.address(s, s.address[i]),
                        new UUID(s.ownerMsb[i], s.ownerLsb[i]).toString(),
                        Instant.ofEpochMilli(s.timeMs[i]).toString());
                    if (bar != null)
                    {
                        bar.step();
                    }
                }
            }
            for (final EngineImage.PrefixPoolImage p : data.prefixPools)
            {
                for (int i = 0; i < p.children.size(); i++)
                {
                    csv.printRecord("prefix", Outputs.csvCell(p.id), p.children.get(i).toString(),
                        Outputs.csvCell(p.tenants.get(i)), "");
                }
            }
            csv.flush();
        }

        private static void exportJson(final SnapshotData data, final Writer writer, final ProgressBar bar)
            throws IOException
        {
            // non-ASCII escaped too: no invisible or bidirectional character reaches a terminal
            final JsonGenerator json = JsonFactory.builder()
                .enable(JsonWriteFeature.ESCAPE_NON_ASCII).build()
                .createGenerator(writer);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.writeStartObject();
            json.writeNumberField("formatVersion", data.formatVersion);
            json.writeStringField("takenAt", Instant.ofEpochMilli(data.takenAtMs).toString());
            json.writeArrayFieldStart("allocations");
            for (final SnapshotData.Subnet s : data.subnets)
            {
                for (int i = 0; i < s.size(); i++)
                {
                    json.writeStartObject();
                    json.writeStringField("subnet", s.meta.id);
                    json.writeStringField("address", IpamTool.address(s, s.address[i]));
                    json.writeStringField("owner", new UUID(s.ownerMsb[i], s.ownerLsb[i]).toString());
                    json.writeStringField("at", Instant.ofEpochMilli(s.timeMs[i]).toString());
                    json.writeEndObject();
                    if (bar != null)
                    {
                        bar.step();
                    }
                }
            }
            json.writeEndArray();
            json.writeArrayFieldStart("prefixes");
            for (final EngineImage.PrefixPoolImage p : data.prefixPools)
            {
                for (int i = 0; i < p.children.size(); i++)
                {
                    json.writeStartObject();
                    json.writeStringField("pool", p.id);
                    json.writeStringField("prefix", p.children.get(i).toString());
                    json.writeStringField("tenant", p.tenants.get(i));
                    json.writeEndObject();
                }
            }
            json.writeEndArray();
            json.writeEndObject();
            json.flush();
            writer.write('\n');
        }
    }
}
