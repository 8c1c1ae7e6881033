package io.ipam.tools;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

import io.ipam.cluster.ClusterNode;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ipam cluster}: run a member of a replicated ipam ({@code node}) and make the random key its members share
 * ({@code keygen}). The other commands reach a cluster with {@code --cluster HOST:PORT,...}; see docs/cluster.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
    description = "Replicated ipam on Aeron Cluster: run a member, make the members' key (docs/cluster.md).",
    subcommands = {ClusterCommand.Node.class, ClusterCommand.Keygen.class})
public final class ClusterCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code ipam cluster node}. */
    @Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Run one member until SIGINT/SIGTERM. Member i of --members uses five ports from its base",
            "port: ingress p, consensus p+1, log p+2, catch-up p+3, archive p+4."})
    static final class Node implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Option(names = "--id", required = true, description = "this member's index in --members")
        int id;

        @Option(names = "--members", required = true, split = ",", paramLabel = "HOST:PORT",
            description = "every member's host and base port, in member id order (the same list on every member)")
        List<String> members;

        @Option(names = "--peers", split = ",", paramLabel = "HOST:PORT",
            description = "every member's member-facing host and base port, in member id order: consensus, log, " +
                "catch-up and archive on its ports +1..+4, apart from the clients' ingress (default: --members)")
        List<String> peers;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "this member's directory")
        Path dir;

        @Option(names = "--key-file", paramLabel = "FILE",
            description = "the members' shared random key, 64 hex digits (default: DIR/../cluster.key)")
        Path keyFile;

        @Option(names = "--heartbeat-timeout", paramLabel = "MS", defaultValue = "1000",
            description = "leader heartbeat timeout in ms (default ${DEFAULT-VALUE})")
        long heartbeatTimeoutMs;

        @Option(names = "--heartbeat-interval", paramLabel = "MS", defaultValue = "100",
            description = "leader heartbeat interval in ms (default ${DEFAULT-VALUE})")
        long heartbeatIntervalMs;

        @Option(names = "--election-timeout", paramLabel = "MS", defaultValue = "500",
            description = "election timeout in ms (default ${DEFAULT-VALUE})")
        long electionTimeoutMs;

        @Option(names = "--session-timeout", paramLabel = "MS", defaultValue = "10000",
            description = "a silent client session is closed after this (default ${DEFAULT-VALUE})")
        long sessionTimeoutMs;

        @Option(names = "--snapshot-interval", paramLabel = "S", defaultValue = "60",
            description = "seconds between cluster snapshots asked for by the leader; 0 never " +
                "(default ${DEFAULT-VALUE})")
        long snapshotIntervalS;

        @Option(names = "--seed",
            description = "this member lost its data: when DIR holds no log, first copy the latest snapshot and the " +
                "log after it from the other members, instead of replaying the whole log")
        boolean seed;

        @Option(names = "--tokens", paramLabel = "FILE",
            description = "clients authenticate with a token of this file (TOKEN TENANT or TOKEN * per line, mode " +
                "600: ipam serve's format); without it only a loopback ingress starts (docs/cluster.md)")
        Path tokens;

        @Option(names = "--insecure",
            description = "without --tokens, let every client in as the administrator on a non-loopback ingress")
        boolean insecure;

        @Option(names = "--max-clients", paramLabel = "N", defaultValue = "4096",
            description = "clients the members remember, the same on every member (default ${DEFAULT-VALUE})")
        int maxClients;

        @Override
        public Integer call()
        {
            final Path key = keyFile != null ? keyFile :
                dir.toAbsolutePath().getParent().resolve("cluster.key");
            if (!Files.exists(key))
            {
                throw new IpamException(ErrorCode.STORE_IO, "no key file " + key + ": make one with 'ipam cluster " +
                    "keygen " + key + "' and give every member the same");
            }
            final ClusterNode.Context ctx = new ClusterNode.Context().memberId(id).members(members).peers(peers)
                .dir(dir)
                .key(ClusterNode.readKey(key))
                .leaderHeartbeatTimeout(Duration.ofMillis(heartbeatTimeoutMs))
                .leaderHeartbeatInterval(Duration.ofMillis(heartbeatIntervalMs))
                .electionTimeout(Duration.ofMillis(electionTimeoutMs))
                .sessionTimeout(Duration.ofMillis(sessionTimeoutMs))
                .snapshotInterval(Duration.ofSeconds(snapshotIntervalS))
                .seed(seed)
                .tokens(tokens)
                .insecure(insecure)
                .maxClients(maxClients);
            ClusterNode.runUntilStopped(ctx, System.out);
            return 0;
        }
    }

    /** {@code ipam cluster keygen FILE}. */
    @Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Write a new random key (32 bytes as 64 hex digits, mode 600) for the members to share.")
    static final class Keygen implements Callable<Integer>
    {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the key file to create (must not exist)")
        Path file;

        @Override
        public Integer call() throws Exception
        {
            final byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            if (file.toAbsolutePath().getParent() != null)
            {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            try
            {
                Files.createFile(file,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            catch (final FileAlreadyExistsException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "key file " + file + " exists already; the members' " +
                    "key never changes");
            }
            Files.write(file, (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII),
                StandardOpenOption.TRUNCATE_EXISTING);
            final PrintWriter out = spec.commandLine().getOut();
            out.println("wrote " + file);
            return 0;
        }
    }
}
