package io.ipam.client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.proto.v1.AllocatePortRequest;
import io.ipam.proto.v1.AllocatePrefixRequest;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.ChangePrefixesRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetRequest;
import io.ipam.proto.v1.GetOwnerRequest;
import io.ipam.proto.v1.GetOwnerResponse;
import io.ipam.proto.v1.GetPrefixPoolRequest;
import io.ipam.proto.v1.GetSubnetRequest;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.LastSequenceRequest;
import io.ipam.proto.v1.ListAllocationsRequest;
import io.ipam.proto.v1.ListChangesRequest;
import io.ipam.proto.v1.ListChangesResponse;
import io.ipam.proto.v1.ListChildrenRequest;
import io.ipam.proto.v1.ListSubnetsRequest;
import io.ipam.proto.v1.ReconcileRequest;
import io.ipam.proto.v1.ReconcileResponse;
import io.ipam.proto.v1.ReleaseOwnerRequest;
import io.ipam.proto.v1.ReleasePrefixRequest;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.ReleaseResponse;
import io.ipam.proto.v1.RenewRequest;
import io.ipam.proto.v1.SnapshotChunk;
import io.ipam.proto.v1.SnapshotRequest;
import io.ipam.proto.v1.Subnet;
import io.ipam.proto.v1.UpdateGatewayRequest;
import io.ipam.proto.v1.UpdatePoolsRequest;

/**
 * An {@link Ipam} served by an {@code ipam serve} process over gRPC: the same methods, the same answers and the
 * same {@link ErrorCode}s, so an embedder switches with one line
 * ({@code Ipam ipam = GrpcIpam.connect("127.0.0.1:7600")}). Thread-safe; one HTTP/2 connection is shared by all
 * callers. {@link #snapshot(Path)} streams the server's snapshot into a local file. {@link #close()} closes the
 * channel (never the server); afterwards every call fails with {@code CLOSED}. A server that cannot be reached is
 * {@code STORE_IO}; a call that runs past the call timeout is {@code OVERLOADED}.
 */
public final class GrpcIpam implements Ipam
{
    /** Largest answer accepted (a listing of every subnet, a bulk of 65,536 IPv6 addresses). */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final IpamServiceGrpc.IpamServiceBlockingStub blocking;
    private final IpamServiceGrpc.IpamServiceFutureStub future;
    private final long callTimeoutMs;
    private volatile boolean closed;

    private GrpcIpam(final ManagedChannel channel, final String token, final Duration callTimeout)
    {
        this.channel = channel;
        IpamServiceGrpc.IpamServiceBlockingStub b = IpamServiceGrpc.newBlockingStub(channel);
        IpamServiceGrpc.IpamServiceFutureStub f = IpamServiceGrpc.newFutureStub(channel);
        if (token != null)
        {
            final Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            b = b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            f = f.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        this.blocking = b.withMaxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        this.future = f.withMaxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES);
        this.callTimeoutMs = callTimeout.toMillis();
    }

    /**
     * A plaintext connection without a token (a loopback server started without {@code --tokens}).
     *
     * @param target {@code HOST:PORT}.
     * @return the client.
     */
    public static GrpcIpam connect(final String target)
    {
        return builder(target).build();
    }

    /**
     * @param target {@code HOST:PORT}.
     * @return a builder.
     */
    public static Builder builder(final String target)
    {
        return new Builder(target);
    }

    /**
     * How to reach a server. Not thread-safe.
     */
    public static final class Builder
    {
        private final String target;
        private String token;
        private boolean tls;
        private Path trustCertificates;
        private Path clientCertificate;
        private Path clientKey;
        private Duration callTimeout = Duration.ofSeconds(30);

        private Builder(final String target)
        {
            this.target = target;
        }

        /**
         * @param bearer the bearer token sent with every call, or null for none.
         * @return this.
         */
        public Builder token(final String bearer)
        {
            token = bearer;
            return this;
        }

        /**
         * Use TLS.
         *
         * @param caFile PEM certificates to trust, or null for the JVM's default trust store.
         * @return this.
         */
        public Builder tls(final Path caFile)
        {
            tls = true;
            trustCertificates = caFile;
            return this;
        }

        /**
         * Present a client certificate (mutual TLS; implies {@link #tls(Path)} was called).
         *
         * @param certFile PEM certificate chain.
         * @param keyFile  PEM private key.
         * @return this.
         */
        public Builder clientCertificate(final Path certFile, final Path keyFile)
        {
            clientCertificate = certFile;
            clientKey = keyFile;
            return this;
        }

        /**
         * @param timeout how long one call may take before it fails with {@code OVERLOADED} (default 30 s).
         * @return this.
         */
        public Builder callTimeout(final Duration timeout)
        {
            callTimeout = timeout;
            return this;
        }

        /**
         * @return the client; it connects on first use.
         */
        public GrpcIpam build()
        {
            if (target == null || target.isEmpty())
            {
                throw new IpamException(ErrorCode.MALFORMED, "server address is empty");
            }
            if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero())
            {
                throw new IpamException(ErrorCode.MALFORMED, "call timeout must be positive");
            }
            if (token != null && (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)))
            {
                throw new IpamException(ErrorCode.MALFORMED, "token must be printable ASCII without spaces");
            }
            final ChannelCredentials credentials;
            if (tls)
            {
                try
                {
                    final TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
                    if (trustCertificates != null)
                    {
                        b.trustManager(trustCertificates.toFile());
                    }
                    if (clientCertificate != null)
                    {
                        b.keyManager(clientCertificate.toFile(), clientKey.toFile());
                    }
                    credentials = b.build();
                }
                catch (final IOException | RuntimeException ex)
                {
                    throw new IpamException(ErrorCode.STORE_IO, "cannot read TLS files: " + ex.getMessage());
                }
            }
            else
            {
                credentials = InsecureChannelCredentials.create();
            }
            final ManagedChannel channel = Grpc.newChannelBuilder(target, credentials)
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .build();
            return new GrpcIpam(channel, token, callTimeout);
        }
    }

    private IpamServiceGrpc.IpamServiceBlockingStub stub()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "client is closed");
        }
        return blocking.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS);
    }

    private static <T> T call(final Supplier<T> rpc)
    {
        try
        {
            return rpc.get();
        }
        catch (final StatusRuntimeException ex)
        {
            throw StatusCodes.toIpamException(ex);
        }
    }

    private static void notNull(final Object value, final String name)
    {
        if (value == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, name + " is null");
        }
    }

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        notNull(spec, "spec");
        notNull(spec.id(), "subnet id");
        notNull(spec.cidr(), "cidr");
        notNull(spec.strategy(), "strategy");
        for (final IpRange r : spec.pools())
        {
            notNull(r, "pool");
        }
        final CreateSubnetRequest request = ProtoMapping.toProto(spec);
        return ProtoMapping.fromProto(call(() -> stub().createSubnet(request)));
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        notNull(subnetId, "subnet id");
        return ProtoMapping.fromProto(call(() -> stub().getSubnet(GetSubnetRequest.newBuilder()
            .setSubnetId(subnetId).build())));
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        final List<Subnet> list = call(() -> stub().listSubnets(ListSubnetsRequest.getDefaultInstance()))
            .getSubnetsList();
        final List<SubnetInfo> out = new ArrayList<>(list.size());
        for (final Subnet s : list)
        {
            out.add(ProtoMapping.fromProto(s));
        }
        return List.copyOf(out);
    }

    @Override
    public SubnetInfo updatePools(final String subnetId, final List<IpRange> pools)
    {
        notNull(subnetId, "subnet id");
        notNull(pools, "pools");
        final UpdatePoolsRequest.Builder b = UpdatePoolsRequest.newBuilder().setSubnetId(subnetId);
        for (final IpRange r : pools)
        {
            notNull(r, "pool");
            b.addPools(ProtoMapping.toProto(r));
        }
        return ProtoMapping.fromProto(call(() -> stub().updatePools(b.build())));
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        notNull(subnetId, "subnet id");
        final UpdateGatewayRequest.Builder b = UpdateGatewayRequest.newBuilder().setSubnetId(subnetId);
        if (gatewayOrNull != null)
        {
            b.setGateway(gatewayOrNull);
        }
        return ProtoMapping.fromProto(call(() -> stub().updateGateway(b.build())));
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        deleteSubnet(subnetId, false);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        notNull(subnetId, "subnet id");
        call(() -> stub().deleteSubnet(DeleteSubnetRequest.newBuilder().setSubnetId(subnetId).setForce(force).build()));
    }

    private static AllocateRequest.Builder allocateRequest(final String subnetId, final UUID owner)
    {
        notNull(subnetId, "subnet id");
        notNull(owner, "owner");
        return AllocateRequest.newBuilder().setSubnetId(subnetId).setOwner(owner.toString());
    }

    private String allocateOne(final AllocateRequest request)
    {
        final AllocateResponse r = call(() -> stub().allocate(request));
        if (r.getAddressesCount() != 1)
        {
            throw new IpamException(ErrorCode.INTERNAL, "server answered " + r.getAddressesCount() + " addresses");
        }
        return r.getAddresses(0);
    }

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return allocateOne(allocateRequest(subnetId, owner).build());
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return allocateOne(allocateRequest(subnetId, owner).setNext(true).build());
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        notNull(address, "address");
        return allocateOne(allocateRequest(subnetId, owner).setAddress(address).build());
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        notNull(mac, "mac");
        return allocateOne(allocateRequest(subnetId, owner).setMac(mac).build());
    }

    private static AllocateRequest.Builder withOptions(final AllocateRequest.Builder b,
        final AllocationOptions options)
    {
        notNull(options, "options");
        options.requestKey().ifPresent(b::setRequestKey);
        options.lease().ifPresent(l -> b.setLeaseMs(l.toMillis()));
        return b;
    }

    @Override
    public String allocate(final String subnetId, final UUID owner, final AllocationOptions options)
    {
        return allocateOne(withOptions(allocateRequest(subnetId, owner), options).build());
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count,
        final AllocationOptions options)
    {
        final AllocateRequest request = withOptions(allocateRequest(subnetId, owner).setCount(count), options).build();
        return List.copyOf(call(() -> stub().allocate(request)).getAddressesList());
    }

    @Override
    public boolean renew(final String subnetId, final String address, final UUID owner,
        final Duration lease)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        notNull(owner, "owner");
        AllocationOptions.checkLease(lease);
        return call(() -> stub().renew(RenewRequest.newBuilder().setSubnetId(subnetId)
            .setAddress(address).setOwner(owner.toString()).setLeaseMs(lease.toMillis()).build())).getRenewed();
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        final AllocateRequest request = allocateRequest(subnetId, owner).setCount(count).build();
        return List.copyOf(call(() -> stub().allocate(request)).getAddressesList());
    }

    @Override
    public boolean release(final String subnetId, final String address)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        return call(() -> stub().release(ReleaseRequest.newBuilder().setSubnetId(subnetId).setAddress(address)
            .build())).getReleased();
    }

    @Override
    public boolean release(final String subnetId, final String address, final UUID owner)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        notNull(owner, "owner");
        return call(() -> stub().release(ReleaseRequest.newBuilder().setSubnetId(subnetId).setAddress(address)
            .setOwner(owner.toString()).build())).getReleased();
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        notNull(owner, "owner");
        return call(() -> stub().releaseOwner(ReleaseOwnerRequest.newBuilder().setOwner(owner.toString()).build()))
            .getReleased();
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        notNull(subnetId, "subnet id");
        notNull(address, "address");
        final GetOwnerResponse r = call(() -> stub().getOwner(GetOwnerRequest.newBuilder().setSubnetId(subnetId)
            .setAddress(address).build()));
        return r.hasOwner() ? Optional.of(ProtoMapping.owner("owner", r.getOwner())) : Optional.empty();
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        notNull(owner, "owner");
        return ProtoMapping.fromProtoAllocations(call(() -> stub().listAllocations(ListAllocationsRequest.newBuilder()
            .setOwner(owner.toString()).build())).getAllocationsList());
    }

    @Override
    public ReconcileReport reconcile(final Set<UUID> liveOwners,
        final Duration grace, final boolean dryRun)
    {
        notNull(liveOwners, "live owner set");
        notNull(grace, "grace");
        final ReconcileRequest.Builder b = ReconcileRequest.newBuilder()
            .setGraceMs(grace.toMillis()).setDryRun(dryRun);
        for (final UUID o : liveOwners)
        {
            notNull(o, "live owner");
            b.addLiveOwners(o.toString());
        }
        final ReconcileResponse r = call(() -> stub().reconcile(b.build()));
        final List<Allocation> released = new ArrayList<>(r.getReleasedCount());
        for (int i = 0; i < r.getReleasedCount(); i++)
        {
            final io.ipam.proto.v1.Allocation a = r.getReleased(i);
            released.add(new Allocation(a.getSubnetId(), a.getAddress(), ProtoMapping.owner("owner", a.getOwner()),
                Instant.ofEpochMilli(i < r.getReleasedTimeMsCount() ? r.getReleasedTimeMs(i) : 0), null));
        }
        return new ReconcileReport(released, r.getDryRun());
    }

    @Override
    public List<Change> changes(final long afterSequence, final int max)
    {
        final ListChangesResponse r = call(() -> stub().listChanges(
            ListChangesRequest.newBuilder().setAfterSequence(afterSequence).setMax(max).build()));
        final List<Change> out = new ArrayList<>(r.getChangesCount());
        for (final io.ipam.proto.v1.Change c : r.getChangesList())
        {
            out.add(ProtoMapping.fromProto(c));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public long lastSequence()
    {
        return call(() -> stub().lastSequence(LastSequenceRequest.getDefaultInstance()))
            .getSequence();
    }

    /**
     * A client acts for the tenant of its token: the server hands each token its view. Asking the client for
     * another tenant's view is {@code FORBIDDEN}; connect with that tenant's token instead.
     */
    @Override
    public Ipam forTenant(final String tenant)
    {
        if (tenant == null || tenant.isEmpty())
        {
            throw new IpamException(ErrorCode.MALFORMED, "tenant is " +
                (tenant == null ? "null" : "empty"));
        }
        throw new IpamException(ErrorCode.FORBIDDEN, "a client acts for the tenant of its " +
            "token; connect with tenant " + tenant + "'s token to act for it");
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items)
    {
        return allocatePort(owner, items, AllocationOptions.none());
    }

    @Override
    public List<Allocation> allocatePort(final UUID owner, final List<AddressRequest> items,
        final AllocationOptions options)
    {
        notNull(owner, "owner");
        notNull(items, "items");
        notNull(options, "options");
        final AllocatePortRequest.Builder b = AllocatePortRequest.newBuilder().setOwner(owner.toString());
        options.requestKey().ifPresent(b::setRequestKey);
        options.lease().ifPresent(l -> b.setLeaseMs(l.toMillis()));
        for (final AddressRequest item : items)
        {
            notNull(item, "item");
            if (item.kind() == AddressRequest.Kind.ANY_OF)
            {
                notNull(item.subnetIds(), "subnet ids");
                for (final String id : item.subnetIds())
                {
                    notNull(id, "subnet id");
                }
            }
            else
            {
                notNull(item.subnetId(), "subnet id");
                if (item.kind() == AddressRequest.Kind.SPECIFIC || item.kind() == AddressRequest.Kind.EUI64)
                {
                    notNull(item.value(), item.kind() == AddressRequest.Kind.EUI64 ? "mac" : "address");
                }
            }
            b.addItems(ProtoMapping.toProto(item));
        }
        return ProtoMapping.fromProtoAllocations(call(() -> stub().allocatePort(b.build())).getAllocationsList());
    }

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        notNull(spec, "spec");
        notNull(spec.id(), "pool id");
        notNull(spec.prefixes(), "prefixes");
        for (final String p : spec.prefixes())
        {
            notNull(p, "prefix");
        }
        return ProtoMapping.fromProto(call(() -> stub().createPrefixPool(ProtoMapping.toProto(spec))));
    }

    private String allocatePrefix(final AllocatePrefixRequest.Builder b)
    {
        return call(() -> stub().allocatePrefix(b.build())).getCidr();
    }

    private static AllocatePrefixRequest.Builder prefixRequest(final String poolId, final String tenant)
    {
        notNull(poolId, "pool id");
        notNull(tenant, "tenant");
        return AllocatePrefixRequest.newBuilder().setPoolId(poolId).setTenant(tenant);
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return allocatePrefix(prefixRequest(poolId, tenant));
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        return allocatePrefix(prefixRequest(poolId, tenant).setPrefixLength(prefixLength));
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        notNull(cidr, "cidr");
        return allocatePrefix(prefixRequest(poolId, tenant).setCidr(cidr));
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        notNull(poolId, "pool id");
        notNull(cidr, "cidr");
        return call(() -> stub().releasePrefix(ReleasePrefixRequest.newBuilder().setPoolId(poolId).setCidr(cidr)
            .build())).getReleased();
    }

    private static ChangePrefixesRequest changePrefixes(final String poolId, final List<String> prefixes)
    {
        notNull(poolId, "pool id");
        notNull(prefixes, "prefixes");
        for (final String p : prefixes)
        {
            notNull(p, "prefix");
        }
        return ChangePrefixesRequest.newBuilder().setPoolId(poolId).addAllPrefixes(prefixes).build();
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        final ChangePrefixesRequest request = changePrefixes(poolId, prefixes);
        return ProtoMapping.fromProto(call(() -> stub().addPrefixes(request)));
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        final ChangePrefixesRequest request = changePrefixes(poolId, prefixes);
        return ProtoMapping.fromProto(call(() -> stub().removePrefixes(request)));
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        notNull(poolId, "pool id");
        return ProtoMapping.fromProto(call(() -> stub().getPrefixPool(GetPrefixPoolRequest.newBuilder()
            .setPoolId(poolId).build())));
    }

    @Override
    public List<String> children(final String poolId)
    {
        notNull(poolId, "pool id");
        return List.copyOf(call(() -> stub().listChildren(ListChildrenRequest.newBuilder().setPoolId(poolId).build()))
            .getChildrenList());
    }

    /**
     * Stream the server's snapshot into a local file, written beside it and renamed into place.
     *
     * @param file the local target file.
     * @return what was written; {@link SnapshotInfo#file()} is the local file.
     */
    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        notNull(file, "file");
        final Path target = file.toAbsolutePath();
        final Path tmp = target.resolveSibling(target.getFileName() + ".part");
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "client is closed");
        }
        // a snapshot may be large: it gets ten call timeouts
        final IpamServiceGrpc.IpamServiceBlockingStub snapshotStub =
            blocking.withDeadlineAfter(callTimeoutMs * 10, TimeUnit.MILLISECONDS);
        io.ipam.proto.v1.SnapshotInfo info = null;
        long written = 0;
        try (OutputStream out = Files.newOutputStream(tmp))
        {
            final Iterator<SnapshotChunk> chunks = snapshotStub.snapshot(SnapshotRequest.getDefaultInstance());
            while (chunks.hasNext())
            {
                final SnapshotChunk chunk = chunks.next();
                chunk.getData().writeTo(out);
                written += chunk.getData().size();
                if (chunk.hasInfo())
                {
                    info = chunk.getInfo();
                }
            }
        }
        catch (final StatusRuntimeException ex)
        {
            deleteQuietly(tmp);
            throw StatusCodes.toIpamException(ex);
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex.getMessage());
        }
        if (info == null || info.getBytes() != written)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_CORRUPT, "snapshot stream ended early: " + written + " bytes");
        }
        try
        {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE))
            {
                ch.force(true);
            }
            try
            {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            catch (final AtomicMoveNotSupportedException ex)
            {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        catch (final IOException ex)
        {
            deleteQuietly(tmp);
            throw new IpamException(ErrorCode.STORE_IO, "cannot write snapshot " + file + ": " + ex.getMessage());
        }
        return ProtoMapping.fromProto(file, info);
    }

    private static void deleteQuietly(final Path p)
    {
        try
        {
            Files.deleteIfExists(p);
        }
        catch (final IOException ignored)
        {
            // the partial file is named .part; nothing else to do
        }
    }

    private static <R, T> CompletableFuture<T> async(
        final ListenableFuture<R> call, final Function<R, T> map)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(call, new FutureCallback<R>()
        {
            @Override
            public void onSuccess(final R value)
            {
                try
                {
                    result.complete(map.apply(value));
                }
                catch (final RuntimeException ex)
                {
                    result.completeExceptionally(ex);
                }
            }

            @Override
            public void onFailure(final Throwable t)
            {
                result.completeExceptionally(StatusCodes.toIpamException(t));
            }
        }, MoreExecutors.directExecutor());
        return result;
    }

    private IpamServiceGrpc.IpamServiceFutureStub futureStub()
    {
        if (closed)
        {
            throw new IpamException(ErrorCode.CLOSED, "client is closed");
        }
        return future.withDeadlineAfter(callTimeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Asynchronous {@link #allocate(String, UUID)}: completes on a gRPC thread when the answer arrives.
     */
    @Override
    public CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        try
        {
            final AllocateRequest request = allocateRequest(subnetId, owner).build();
            return async(futureStub().allocate(request), r -> r.getAddresses(0));
        }
        catch (final IpamException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Asynchronous {@link #release(String, String)}: completes on a gRPC thread when the answer arrives.
     */
    @Override
    public CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        try
        {
            notNull(subnetId, "subnet id");
            notNull(address, "address");
            final ReleaseRequest request = ReleaseRequest.newBuilder().setSubnetId(subnetId).setAddress(address).build();
            return async(futureStub().release(request), ReleaseResponse::getReleased);
        }
        catch (final IpamException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Close the channel and wait up to 5 s for calls in flight; a second call does nothing.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        channel.shutdown();
        try
        {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS))
            {
                channel.shutdownNow();
            }
        }
        catch (final InterruptedException ex)
        {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
