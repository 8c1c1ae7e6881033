package io.ipam.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.ipam.client.GrpcIpam;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.ipam.persistence.DurableIpam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ipam kill-test}: a durable {@code ipam serve} child process under load from N clients on loopback is
 * killed with SIGKILL and restarted, several times; clients keep going against the new process. Afterwards the
 * store is opened directly and every acknowledged allocation that was not released is checked: it must be
 * there, with its owner (0 lost), and no address may have been acknowledged to two owners at once (0
 * duplicates). Every allocation carries a request key of its own (SPEC 9): when its answer is lost in a kill it
 * is sent again with the same key until it is answered, so it is applied once and counted. A release whose answer
 * was lost is resent until its outcome is known (true, false or another owner's address all mean it went
 * through). When the load stops each client settles what it still has in doubt while the server is up; the audit
 * then finds every acknowledged allocation held by its owner (0 lost) and nothing else held by the clients (0
 * leaked: an allocation applied but never answered would show here). Exit 1 on any loss, leak or duplicate.
 */
@Command(name = "kill-test", mixinStandardHelpOptions = true,
    description = "SIGKILL a durable 'ipam serve' under load, restart it, and audit every acknowledged allocation.")
public final class KillTestCommand implements Callable<Integer>
{
    private static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");
    private static final String SUBNET = "killtest";

    @Spec
    CommandSpec spec;

    @Option(names = "--clients", defaultValue = "64", description = "concurrent clients (default ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--kills", defaultValue = "3", description = "SIGKILLs (default ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--interval", defaultValue = "3", paramLabel = "SECONDS",
        description = "load between kills (default ${DEFAULT-VALUE})")
    double intervalSeconds;

    @Option(names = "--store", paramLabel = "DIR", description = "store directory (default: a temporary one, deleted)")
    Path store;

    private volatile String target;
    // what the clients saw, summed over all of them
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong resent = new AtomicLong();
    private final AtomicReference<String> refused = new AtomicReference<>();

    @Override
    public Integer call() throws Exception
    {
        if (clients < 1 || clients > 512 || kills < 1 || kills > 100 || intervalSeconds <= 0 || intervalSeconds > 600)
        {
            throw new IpamException(ErrorCode.MALFORMED,
                "--clients 1-512, --kills 1-100, --interval above 0 and at most 600");
        }
        final PrintWriter out = spec.commandLine().getOut();
        final boolean temporary = store == null;
        final Path dir = temporary ? Files.createTempDirectory("ipam-kill-test") : store;
        final Map<String, UUID> acked = new ConcurrentHashMap<>();
        final Map<String, Boolean> releasing = new ConcurrentHashMap<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<UUID> owners = new ArrayList<>();
        Process server = start(dir);
        try
        {
            try (GrpcIpam admin = GrpcIpam.connect(target))
            {
                admin.createSubnet(SubnetSpec.builder(SUBNET, "10.64.0.0/12").build());
            }
            final List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++)
            {
                final UUID owner = new UUID(0x4b1, c);
                owners.add(owner);
                final Thread t = new Thread(() -> load(owner, acked, releasing, stop), "kill-test-client-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            for (int k = 1; k <= kills; k++)
            {
                Thread.sleep((long)(intervalSeconds * 1000));
                server.destroyForcibly();       // SIGKILL
                server.waitFor(30, TimeUnit.SECONDS);
                out.printf("kill %d: SIGKILL after %,d acknowledged allocations so far%n", k, acknowledged.get());
                out.flush();
                server = start(dir);
            }
            Thread.sleep((long)(intervalSeconds * 1000));
            stop.set(true);
            for (final Thread t : threads)
            {
                t.join(60_000);
            }
            new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).start().waitFor();
            if (!server.waitFor(60, TimeUnit.SECONDS) || server.exitValue() != 0)
            {
                throw new IpamException(ErrorCode.INTERNAL, "the server did not stop cleanly on SIGTERM");
            }
        }
        finally
        {
            server.destroyForcibly();
        }
        long lost = 0;
        long audited = 0;
        long leaked = 0;
        try (Ipam ipam = DurableIpam.open(dir))
        {
            for (final UUID owner : owners)
            {
                for (final Allocation a : ipam.allocations(owner))
                {
                    if (!owner.equals(acked.get(a.address())) && !releasing.containsKey(a.address()))
                    {
                        leaked++;   // held for this client, never acknowledged to it
                        out.printf("kill-test: leaked %s%n", a);
                    }
                }
            }
            for (final Map.Entry<String, UUID> e : acked.entrySet())
            {
                if (releasing.containsKey(e.getKey()))
                {
                    continue;       // a release whose outcome was still unknown when the load stopped
                }
                audited++;
                final Optional<UUID> owner = ipam.owner(SUBNET, e.getKey());
                if (!owner.equals(Optional.of(e.getValue())))
                {
                    lost++;
                }
            }
        }
        if (temporary)
        {
            try (var walk = Files.walk(dir))
            {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        out.printf("kill-test: %d clients, %d SIGKILLs, %,d acknowledged allocations (%,d answered after a resend " +
            "with their request key), %,d held at the end and audited, %d lost, %d leaked, %d duplicates, %,d calls " +
            "failed while the server was down%n", clients, kills, acknowledged.get(), resent.get(), audited, lost,
            leaked, duplicates.get(), failures.get());
        if (refused.get() != null)
        {
            out.printf("kill-test: a client stopped on a refusal: %s%n", refused.get());
        }
        return lost == 0 && leaked == 0 && duplicates.get() == 0 && refused.get() == null ? 0 : IpamTool.FAILED;
    }

    private void load(final UUID owner, final Map<String, UUID> acked, final Map<String, Boolean> releasing,
        final AtomicBoolean stop)
    {
        final List<String> mine = new ArrayList<>();
        GrpcIpam client = null;
        String connectedTo = null;
        String pendingRelease = null;
        String pendingKey = null;       // an allocation whose answer was lost: sent again with its key
        boolean again = false;
        long settleUntil = Long.MAX_VALUE;
        long n = 0;
        while (System.nanoTime() < settleUntil)
        {
            if (stop.get() && settleUntil == Long.MAX_VALUE)
            {
                // the server stays up until every client has settled what it has in doubt
                settleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            }
            if (settleUntil != Long.MAX_VALUE && pendingRelease == null && pendingKey == null)
            {
                break;
            }
            try
            {
                if (client == null || !target.equals(connectedTo))
                {
                    if (client != null)
                    {
                        client.close();
                    }
                    connectedTo = target;
                    client = GrpcIpam.builder(connectedTo).callTimeout(Duration.ofSeconds(10)).build();
                }
                if (pendingRelease != null)
                {
                    // the answer to this release was lost: resend it until its outcome is known
                    try
                    {
                        client.release(SUBNET, pendingRelease, owner);
                    }
                    catch (final IpamException ex)
                    {
                        if (ex.code() != ErrorCode.OWNER_MISMATCH)
                        {
                            throw ex;
                        }
                        // freed by the lost call, and since taken by another client
                    }
                    acked.remove(pendingRelease, owner);
                    releasing.remove(pendingRelease);
                    pendingRelease = null;
                }
                else if (pendingKey == null && n % 4 == 3 && !mine.isEmpty())
                {
                    pendingRelease = mine.remove(mine.size() - 1);
                    releasing.put(pendingRelease, Boolean.TRUE);
                    client.release(SUBNET, pendingRelease, owner);
                    acked.remove(pendingRelease, owner);
                    releasing.remove(pendingRelease);
                    pendingRelease = null;
                    n++;
                }
                else
                {
                    if (pendingKey == null)
                    {
                        pendingKey = owner + ":" + n;
                        again = false;
                    }
                    final String address = client.allocate(SUBNET, owner,
                        AllocationOptions.builder().requestKey(pendingKey).build());
                    pendingKey = null;
                    final UUID before = acked.putIfAbsent(address, owner);
                    if (before != null)
                    {
                        if (releasing.containsKey(address))
                        {
                            acked.put(address, owner);      // its release went through before the answer did
                        }
                        else
                        {
                            duplicates.incrementAndGet();
                        }
                    }
                    acknowledged.incrementAndGet();
                    if (again)
                    {
                        resent.incrementAndGet();
                    }
                    mine.add(address);
                    n++;
                }
            }
            catch (final IpamException ex)
            {
                if (ex.code() != ErrorCode.STORE_IO && ex.code() != ErrorCode.CLOSED &&
                    ex.code() != ErrorCode.OVERLOADED && ex.code() != ErrorCode.INTERNAL)
                {
                    // not the server going away (a cut stream can read as INTERNAL): a refusal the load cannot pass
                    refused.compareAndSet(null, ex.toString());
                    break;
                }
                failures.incrementAndGet();
                again = true;
                try
                {
                    Thread.sleep(20);
                }
                catch (final InterruptedException ie)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (pendingKey != null || pendingRelease != null)
        {
            refused.compareAndSet(null, "client " + owner + " still had in doubt when the load stopped: key " +
                pendingKey + ", release " + pendingRelease);
        }
        if (client != null)
        {
            client.close();
        }
    }

    /**
     * Start {@code ipam serve} on the store as a child JVM with this JVM's command, flags and class path.
     */
    private Process start(final Path dir) throws Exception
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(IpamTool.class.getName());
        cmd.addAll(List.of("serve", "--store", dir.toString(), "--listen", "127.0.0.1:0", "--drain-timeout", "5"));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        for (String line = lines.readLine(); line != null; line = lines.readLine())
        {
            seen.append(line).append('\n');
            final Matcher m = LISTENING.matcher(line);
            if (m.find())
            {
                target = m.group(1);
                final Thread drain = new Thread(() ->
                {
                    try
                    {
                        while (lines.readLine() != null)
                        {
                            // keep the pipe empty
                        }
                    }
                    catch (final IOException ignored)
                    {
                        // the process is gone
                    }
                }, "kill-test-server-output");
                drain.setDaemon(true);
                drain.start();
                return p;
            }
        }
        throw new IpamException(ErrorCode.INTERNAL, "ipam serve did not start: " + seen);
    }
}
