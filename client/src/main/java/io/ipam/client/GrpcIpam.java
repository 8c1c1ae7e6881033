package io.ipam.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.grpc.ChannelCredentials;
import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.AllocationOptions;
import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpRange;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolInfo;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SnapshotInfo;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.SubnetUpdate;
import io.ipam.proto.v1.AllocatePortRequest;
import io.ipam.proto.v1.AllocatePrefixRequest;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.AllocateResponse;
import io.ipam.proto.v1.ChangePrefixesRequest;
import io.ipam.proto.v1.CreatePrefixPoolRequest;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetRequest;
import io.ipam.proto.v1.GetOwnerRequest;
import io.ipam.proto.v1.GetOwnerResponse;
import io.ipam.proto.v1.GetPrefixPoolRequest;
import io.ipam.proto.v1.GetSubnetRequest;
import io.ipam.proto.v1.LastSequenceRequest;
import io.ipam.proto.v1.ListAllocationsRequest;
import io.ipam.proto.v1.ListChangesRequest;
import io.ipam.proto.v1.ListChangesResponse;
import io.ipam.proto.v1.ListChildrenRequest;
import io.ipam.proto.v1.ListSubnetsRequest;
import io.ipam.proto.v1.PrefixPool;
import io.ipam.proto.v1.ReconcileRequest;
import io.ipam.proto.v1.ReconcileResponse;
import io.ipam.proto.v1.ReconcileSubnetRequest;
import io.ipam.proto.v1.ReconcileSubnetResponse;
import io.ipam.proto.v1.ReleaseOwnerRequest;
import io.ipam.proto.v1.ReleasePrefixRequest;
import io.ipam.proto.v1.ReleaseRequest;
import io.ipam.proto.v1.ReleaseResponse;
import io.ipam.proto.v1.RenewRequest;
import io.ipam.proto.v1.Subnet;
import io.ipam.proto.v1.UpdateGatewayRequest;
import io.ipam.proto.v1.UpdatePoolsRequest;
import io.ipam.proto.v1.UpdateSubnetRequest;

/**
 * An {@link Ipam} served by an {@code ipam serve} process over gRPC: the same methods, the same answers and the
 * same {@link ErrorCode}s, so an embedder switches with one line
 * ({@code Ipam ipam = GrpcIpam.connect("127.0.0.1:7600")}). Each method is one call: its request from
 * {@link Requests} (nulls refused before anything is sent), made on the {@link Connection}, its answer through
 * {@link ProtoMapping}. Thread-safe; one HTTP/2 connection is shared by all callers. {@link #snapshot(Path)} streams
 * the server's snapshot into a local file ({@link SnapshotDownload}). {@link #close()} closes the channel (never the
 * server); afterwards every call fails with {@code CLOSED}. A server that cannot be reached is {@code STORE_IO}; a
 * call that runs past the call timeout is {@code OVERLOADED}.
 */
public final class GrpcIpam implements Ipam
{
    /** Largest answer accepted (a listing of every subnet, a bulk of 65,536 IPv6 addresses). */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final Connection connection;

    private GrpcIpam(final Connection connection)
    {
        this.connection = connection;
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
            final ChannelCredentials credentials = tls ?
                Connection.tls(trustCertificates, clientCertificate, clientKey) : Connection.plaintext();
            return new GrpcIpam(Connection.open(target, token, credentials, callTimeout));
        }
    }

    // ----- subnets ------------------------------------------------------------------------------------------

    @Override
    public SubnetInfo createSubnet(final SubnetSpec spec)
    {
        final CreateSubnetRequest request = Requests.createSubnet(spec);
        final Subnet answer = connection.call(s -> s.createSubnet(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public SubnetInfo subnet(final String subnetId)
    {
        Requests.notNull(subnetId, "subnet id");
        final GetSubnetRequest request = GetSubnetRequest.newBuilder().setSubnetId(subnetId).build();
        final Subnet answer = connection.call(s -> s.getSubnet(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public List<SubnetInfo> subnets()
    {
        final List<Subnet> list = connection.call(s -> s.listSubnets(ListSubnetsRequest.getDefaultInstance()))
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
        final UpdatePoolsRequest request = Requests.updatePools(subnetId, pools);
        final Subnet answer = connection.call(s -> s.updatePools(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public SubnetInfo updateGateway(final String subnetId, final String gatewayOrNull)
    {
        Requests.notNull(subnetId, "subnet id");
        final UpdateGatewayRequest.Builder b = UpdateGatewayRequest.newBuilder().setSubnetId(subnetId);
        if (gatewayOrNull != null)
        {
            b.setGateway(gatewayOrNull);
        }
        final Subnet answer = connection.call(s -> s.updateGateway(b.build()));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public SubnetInfo updateSubnet(final String subnetId, final SubnetUpdate update)
    {
        final UpdateSubnetRequest request = Requests.updateSubnet(subnetId, update);
        final Subnet answer = connection.call(s -> s.updateSubnet(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public void deleteSubnet(final String subnetId)
    {
        deleteSubnet(subnetId, false);
    }

    @Override
    public void deleteSubnet(final String subnetId, final boolean force)
    {
        Requests.notNull(subnetId, "subnet id");
        final DeleteSubnetRequest request = DeleteSubnetRequest.newBuilder().setSubnetId(subnetId).setForce(force)
            .build();
        connection.call(s -> s.deleteSubnet(request));
    }

    // ----- addresses ----------------------------------------------------------------------------------------

    private String allocateOne(final AllocateRequest request)
    {
        final AllocateResponse r = connection.call(s -> s.allocate(request));
        if (r.getAddressesCount() != 1)
        {
            throw new IpamException(ErrorCode.INTERNAL, "server answered " + r.getAddressesCount() + " addresses");
        }
        return r.getAddresses(0);
    }

    private List<String> allocateMany(final AllocateRequest request)
    {
        return List.copyOf(connection.call(s -> s.allocate(request)).getAddressesList());
    }

    @Override
    public String allocate(final String subnetId, final UUID owner)
    {
        return allocateOne(Requests.allocate(subnetId, owner).build());
    }

    @Override
    public String allocateNext(final String subnetId, final UUID owner)
    {
        return allocateOne(Requests.allocate(subnetId, owner).setNext(true).build());
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner)
    {
        Requests.notNull(address, "address");
        return allocateOne(Requests.allocate(subnetId, owner).setAddress(address).build());
    }

    @Override
    public String allocate(final String subnetId, final String address, final UUID owner,
        final AllocationOptions options)
    {
        Requests.notNull(address, "address");
        return allocateOne(Requests.withOptions(Requests.allocate(subnetId, owner).setAddress(address), options)
            .build());
    }

    @Override
    public String allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        Requests.notNull(mac, "mac");
        return allocateOne(Requests.allocate(subnetId, owner).setMac(mac).build());
    }

    @Override
    public String allocate(final String subnetId, final UUID owner, final AllocationOptions options)
    {
        return allocateOne(Requests.withOptions(Requests.allocate(subnetId, owner), options).build());
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        return allocateMany(Requests.allocate(subnetId, owner).setCount(count).build());
    }

    @Override
    public List<String> allocateBulk(final String subnetId, final UUID owner, final int count,
        final AllocationOptions options)
    {
        return allocateMany(Requests.withOptions(Requests.allocate(subnetId, owner).setCount(count), options).build());
    }

    @Override
    public boolean renew(final String subnetId, final String address, final UUID owner, final Duration lease)
    {
        final RenewRequest request = Requests.renew(subnetId, address, owner, lease);
        return connection.call(s -> s.renew(request)).getRenewed();
    }

    @Override
    public boolean release(final String subnetId, final String address)
    {
        final ReleaseRequest request = Requests.release(subnetId, address);
        return connection.call(s -> s.release(request)).getReleased();
    }

    @Override
    public boolean release(final String subnetId, final String address, final UUID owner)
    {
        final ReleaseRequest request = Requests.release(subnetId, address, owner);
        return connection.call(s -> s.release(request)).getReleased();
    }

    @Override
    public int releaseOwner(final UUID owner)
    {
        Requests.notNull(owner, "owner");
        final ReleaseOwnerRequest request = ReleaseOwnerRequest.newBuilder().setOwner(owner.toString()).build();
        return connection.call(s -> s.releaseOwner(request)).getReleased();
    }

    @Override
    public Optional<UUID> owner(final String subnetId, final String address)
    {
        Requests.notNull(subnetId, "subnet id");
        Requests.notNull(address, "address");
        final GetOwnerRequest request = GetOwnerRequest.newBuilder().setSubnetId(subnetId).setAddress(address).build();
        final GetOwnerResponse r = connection.call(s -> s.getOwner(request));
        return r.hasOwner() ? Optional.of(ProtoMapping.owner("owner", r.getOwner())) : Optional.empty();
    }

    @Override
    public List<Allocation> allocations(final UUID owner)
    {
        Requests.notNull(owner, "owner");
        final ListAllocationsRequest request = ListAllocationsRequest.newBuilder().setOwner(owner.toString()).build();
        return ProtoMapping.fromProtoAllocations(connection.call(s -> s.listAllocations(request))
            .getAllocationsList());
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
        final AllocatePortRequest request = Requests.allocatePort(owner, items, options);
        return ProtoMapping.fromProtoAllocations(connection.call(s -> s.allocatePort(request)).getAllocationsList());
    }

    // ----- lifecycle ----------------------------------------------------------------------------------------

    @Override
    public ReconcileReport reconcile(final Set<UUID> liveOwners, final Duration grace, final boolean dryRun)
    {
        final ReconcileRequest request = Requests.reconcile(liveOwners, grace, dryRun);
        final ReconcileResponse answer = connection.call(s -> s.reconcile(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public ReconcileReport reconcileSubnet(final String subnetId, final Map<String, UUID> expected,
        final Duration grace, final boolean dryRun)
    {
        final ReconcileSubnetRequest request = Requests.reconcileSubnet(subnetId, expected, grace, dryRun);
        final ReconcileSubnetResponse answer = connection.call(s -> s.reconcileSubnet(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public List<Change> changes(final long afterSequence, final int max)
    {
        final ListChangesRequest request = ListChangesRequest.newBuilder().setAfterSequence(afterSequence).setMax(max)
            .build();
        final ListChangesResponse answer = connection.call(s -> s.listChanges(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public long lastSequence()
    {
        return connection.call(s -> s.lastSequence(LastSequenceRequest.getDefaultInstance())).getSequence();
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
            throw new IpamException(ErrorCode.MALFORMED, "tenant is " + (tenant == null ? "null" : "empty"));
        }
        throw new IpamException(ErrorCode.FORBIDDEN, "a client acts for the tenant of its token; connect with " +
            "tenant " + tenant + "'s token to act for it");
    }

    // ----- prefix pools -------------------------------------------------------------------------------------

    @Override
    public PrefixPoolInfo createPrefixPool(final PrefixPoolSpec spec)
    {
        final CreatePrefixPoolRequest request = Requests.createPrefixPool(spec);
        final PrefixPool answer = connection.call(s -> s.createPrefixPool(request));
        return ProtoMapping.fromProto(answer);
    }

    private String allocatePrefix(final AllocatePrefixRequest request)
    {
        return connection.call(s -> s.allocatePrefix(request)).getCidr();
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant)
    {
        return allocatePrefix(Requests.allocatePrefix(poolId, tenant).build());
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final int prefixLength)
    {
        return allocatePrefix(Requests.allocatePrefix(poolId, tenant).setPrefixLength(prefixLength).build());
    }

    @Override
    public String allocatePrefix(final String poolId, final String tenant, final String cidr)
    {
        Requests.notNull(cidr, "cidr");
        return allocatePrefix(Requests.allocatePrefix(poolId, tenant).setCidr(cidr).build());
    }

    @Override
    public boolean releasePrefix(final String poolId, final String cidr)
    {
        Requests.notNull(poolId, "pool id");
        Requests.notNull(cidr, "cidr");
        final ReleasePrefixRequest request = ReleasePrefixRequest.newBuilder().setPoolId(poolId).setCidr(cidr).build();
        return connection.call(s -> s.releasePrefix(request)).getReleased();
    }

    @Override
    public PrefixPoolInfo addPrefixes(final String poolId, final List<String> prefixes)
    {
        final ChangePrefixesRequest request = Requests.changePrefixes(poolId, prefixes);
        final PrefixPool answer = connection.call(s -> s.addPrefixes(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public PrefixPoolInfo removePrefixes(final String poolId, final List<String> prefixes)
    {
        final ChangePrefixesRequest request = Requests.changePrefixes(poolId, prefixes);
        final PrefixPool answer = connection.call(s -> s.removePrefixes(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public PrefixPoolInfo prefixPool(final String poolId)
    {
        Requests.notNull(poolId, "pool id");
        final GetPrefixPoolRequest request = GetPrefixPoolRequest.newBuilder().setPoolId(poolId).build();
        final PrefixPool answer = connection.call(s -> s.getPrefixPool(request));
        return ProtoMapping.fromProto(answer);
    }

    @Override
    public List<String> children(final String poolId)
    {
        Requests.notNull(poolId, "pool id");
        final ListChildrenRequest request = ListChildrenRequest.newBuilder().setPoolId(poolId).build();
        return List.copyOf(connection.call(s -> s.listChildren(request)).getChildrenList());
    }

    // ----- snapshot, asynchronous calls, close --------------------------------------------------------------

    /**
     * Stream the server's snapshot into a local file, written beside it and renamed into place.
     *
     * @param file the local target file.
     * @return what was written; {@link SnapshotInfo#file()} is the local file.
     */
    @Override
    public SnapshotInfo snapshot(final Path file)
    {
        Requests.notNull(file, "file");
        return SnapshotDownload.download(connection, file);
    }

    /**
     * Asynchronous {@link #allocate(String, UUID)}: completes on a gRPC thread when the answer arrives.
     */
    @Override
    public CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        try
        {
            final AllocateRequest request = Requests.allocate(subnetId, owner).build();
            return connection.callAsync(f -> f.allocate(request), r -> r.getAddresses(0));
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
            final ReleaseRequest request = Requests.release(subnetId, address);
            return connection.callAsync(f -> f.release(request), ReleaseResponse::getReleased);
        }
        catch (final IpamException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * A batch as one {@code Batch} call (the server's {@code --max-batch} bounds its addresses).
     */
    @Override
    public IpamBatch apply(final IpamBatch batch)
    {
        final BatchRequests.Sent sent = BatchRequests.request(batch);
        if (sent.count == 0)
        {
            return batch;
        }
        return BatchRequests.read(batch, sent, connection.call(s -> s.batch(sent.request)));
    }

    /**
     * Asynchronous {@link #apply(IpamBatch)}: completes on a gRPC thread when the answer arrives.
     */
    @Override
    public CompletableFuture<IpamBatch> applyAsync(final IpamBatch batch)
    {
        try
        {
            final BatchRequests.Sent sent = BatchRequests.request(batch);
            if (sent.count == 0)
            {
                return CompletableFuture.completedFuture(batch);
            }
            return connection.callAsync(f -> f.batch(sent.request), r -> BatchRequests.read(batch, sent, r));
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
        connection.close();
    }
}
