package io.ipam.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.ipam.core.assembly.Allocators;

/**
 * The allocator, thread-safe: any thread may call any method. One writer thread owns all state; calls
 * are requests to it, so check and commit are one step and two callers never receive one address.
 * Addresses are canonical text at this edge (dotted quad; RFC 5952 for IPv6); input in any valid form is
 * accepted; nothing here ever resolves a name. Every failure is an {@link IpamException} with a stable
 * {@link ErrorCode}; a null argument is {@code MALFORMED}. After {@link #close()} every call fails with
 * {@code CLOSED}.
 */
public interface Ipam extends AutoCloseable
{
    /**
     * @return an in-memory allocator with its own writer thread and the default config.
     */
    static Ipam inMemory()
    {
        return inMemory(IpamConfig.defaults());
    }

    /**
     * @param config settings.
     * @return an in-memory allocator with its own writer thread.
     */
    static Ipam inMemory(final IpamConfig config)
    {
        return Allocators.inMemory(config);
    }

    /**
     * An in-memory allocator rebuilt from a snapshot file.
     *
     * @param snapshot the snapshot.
     * @param config   settings.
     * @return the allocator, holding exactly the snapshot's state.
     * @throws IpamException {@code STORE_IO} if the file cannot be read, {@code STORE_CORRUPT} if it is damaged.
     */
    static Ipam restoreInMemory(final Path snapshot, final IpamConfig config)
    {
        return Allocators.fromSnapshot(snapshot, config);
    }

    /**
     * Release every address allocation whose owner is not among the live ones and which was made at least
     * {@code grace} ago, recording each as {@code RECLAIMED} (SPEC 9); prefix children are not touched. A tenant
     * view reconciles its own subnets only.
     *
     * @param liveOwners the owners the caller knows to be alive (its own truth: ports, VMs).
     * @param grace      how old an allocation must be to be reclaimed (not negative).
     * @param dryRun     true to report what would be released and change nothing.
     * @return what was (or would be) released, ascending by subnet id then address.
     */
    ReconcileReport reconcile(Set<UUID> liveOwners, Duration grace, boolean dryRun);

    /**
     * Make one subnet match the caller's truth address by address, in one step of the writer (SPEC 9): an allocation
     * not expected and made at least {@code grace} ago is released ({@code RECLAIMED}); an expected address that is
     * free is allocated to its owner, cooling or not ({@code ALLOCATED}); one held by another owner since at least
     * {@code grace} ago is given to the expected one ({@code RELEASED} then {@code ALLOCATED}). The IPv6
     * subnet-router anycast address, when expected, is allocated as a router's. A tenant view reconciles its own
     * subnets only. Every address is checked before anything changes ({@code ADDRESS_INVALID} for one the subnet
     * cannot hold).
     *
     * @param subnetId the subnet.
     * @param expected address -> owner (Neutron's {@code ipallocations}); copied.
     * @param grace    how old an allocation must be to be released or re-owned (not negative).
     * @param dryRun   true to report what would change and change nothing.
     * @return what was (or would be) released, allocated and re-owned, each ascending by address.
     */
    ReconcileReport reconcileSubnet(String subnetId, Map<String, UUID> expected, Duration grace, boolean dryRun);

    /**
     * The change feed (SPEC 9): changes after a sequence, oldest first. A tenant view sees its own tenant's only.
     *
     * @param afterSequence the sequence after which to start (0 for the oldest kept).
     * @param max           most changes to return, 1 or more (one call returns at most 65,536).
     * @return the changes, ascending; empty if none.
     * @throws IpamException {@code LIMIT_EXCEEDED} if changes after that sequence are no longer kept.
     */
    List<Change> changes(long afterSequence, int max);

    /**
     * @return the sequence of the newest change (a tenant view: of its own tenant's newest), 0 before the first.
     */
    long lastSequence();

    /**
     * Allocate an address chosen by the subnet's strategy, with options (SPEC 9): a request key makes a retry
     * return the first answer and allocate nothing; a lease makes the allocation expire unless renewed.
     *
     * @param subnetId the subnet.
     * @param owner    the owner.
     * @param options  key and lease, or {@link AllocationOptions#none()}.
     * @return the address.
     */
    String allocate(String subnetId, UUID owner, AllocationOptions options);

    /**
     * {@link #allocateBulk(String, UUID, int)} with options (SPEC 9).
     *
     * @param subnetId the subnet.
     * @param owner    the owner.
     * @param count    1 to maxBulk.
     * @param options  key and lease, or {@link AllocationOptions#none()}.
     * @return the addresses.
     */
    List<String> allocateBulk(String subnetId, UUID owner, int count, AllocationOptions options);

    /**
     * {@link #allocatePort(UUID, List)} with options (SPEC 9).
     *
     * @param owner   the owner.
     * @param items   the items.
     * @param options key and lease, or {@link AllocationOptions#none()}.
     * @return the allocations, in item order.
     */
    List<Allocation> allocatePort(UUID owner, List<AddressRequest> items, AllocationOptions options);

    /**
     * Move an allocation's lease end to now + lease (an allocation without a lease gets one).
     *
     * @param subnetId the subnet.
     * @param address  the address.
     * @param owner    its owner ({@code OWNER_MISMATCH} if another holds it).
     * @param lease    positive.
     * @return false if the address is free (or its lease had already run out).
     */
    boolean renew(String subnetId, String address, UUID owner, Duration lease);

    /**
     * A view of this allocator that acts for one tenant (SPEC 8): other tenants' subnets do not exist for it
     * ({@code SUBNET_NOT_FOUND}), it creates in its tenant, and naming another tenant or an administrative call
     * (creating or resizing a prefix pool, a snapshot) is {@code FORBIDDEN}. Prefix pools are shared; a view sees
     * and releases its own children only. Its {@code close()} does nothing; once the allocator is closed, its
     * views fail with {@code CLOSED}.
     *
     * @param tenant the tenant (1-64 characters of {@code [A-Za-z0-9._:-]}).
     * @return the view.
     */
    Ipam forTenant(String tenant);

    /**
     * Create a subnet (SPEC section 1).
     *
     * @param spec what to create.
     * @return the subnet.
     */
    SubnetInfo createSubnet(SubnetSpec spec);

    /**
     * @param subnetId id.
     * @return the subnet now.
     */
    SubnetInfo subnet(String subnetId);

    /**
     * @return every subnet, ascending by id.
     */
    List<SubnetInfo> subnets();

    /**
     * Replace a subnet's pools; never evicts an allocation. An empty list leaves no pools.
     *
     * @param subnetId id.
     * @param pools    the new pools.
     * @return the subnet now.
     */
    SubnetInfo updatePools(String subnetId, List<IpRange> pools);

    /**
     * Change or remove (null) the gateway; pools are not recomputed.
     *
     * @param subnetId     id.
     * @param gatewayOrNull new gateway, or null for none.
     * @return the subnet now.
     */
    SubnetInfo updateGateway(String subnetId, String gatewayOrNull);

    /**
     * Change pools, gateway and cooldown in one step: every rule of SPEC 1 is checked against the subnet as it would
     * be after the whole change, and all of it is applied or nothing is. A changed or removed gateway is
     * {@code GATEWAY_IN_USE} only while a router's allocation holds the old gateway address.
     *
     * @param subnetId id.
     * @param update   the fields to change.
     * @return the subnet now.
     */
    SubnetInfo updateSubnet(String subnetId, SubnetUpdate update);

    /**
     * Delete a subnet that holds no allocation ({@code SUBNET_IN_USE} otherwise).
     *
     * @param subnetId id.
     */
    void deleteSubnet(String subnetId);

    /**
     * @param subnetId id.
     * @param force    true to release its allocations too.
     */
    void deleteSubnet(String subnetId, boolean force);

    /**
     * @param subnetId subnet.
     * @param owner    owner.
     * @return an address chosen by the subnet's strategy.
     */
    String allocate(String subnetId, UUID owner);

    /**
     * @param subnetId subnet.
     * @param owner    owner.
     * @return the lowest free pool address.
     */
    String allocateNext(String subnetId, UUID owner);

    /**
     * @param subnetId subnet.
     * @param address  the address wanted (may lie outside the pools).
     * @param owner    owner.
     * @return the address, canonical.
     */
    String allocate(String subnetId, String address, UUID owner);

    /**
     * A specific allocation with options: a request key, a lease, and the mark of a router's request
     * ({@link AllocationOptions.Builder#router()}), which may take the IPv6 subnet-router anycast address (SPEC 2).
     *
     * @param subnetId subnet.
     * @param address  the address wanted (may lie outside the pools).
     * @param owner    owner.
     * @param options  options.
     * @return the address, canonical.
     */
    String allocate(String subnetId, String address, UUID owner, AllocationOptions options);

    /**
     * @param subnetId an IPv6 /64.
     * @param mac      48-bit MAC.
     * @param owner    owner.
     * @return the modified EUI-64 address.
     */
    String allocateEui64(String subnetId, String mac, UUID owner);

    /**
     * All or nothing.
     *
     * @param subnetId subnet.
     * @param owner    owner.
     * @param count    1 .. {@link IpamConfig#maxBulk()}.
     * @return the addresses, in the order taken.
     */
    List<String> allocateBulk(String subnetId, UUID owner, int count);

    /**
     * @param subnetId subnet.
     * @param address  address.
     * @return true if it was allocated and is now free; false if it was free.
     */
    boolean release(String subnetId, String address);

    /**
     * @param subnetId subnet.
     * @param address  address.
     * @param owner    the owner it must have ({@code OWNER_MISMATCH} otherwise, and it stays allocated).
     * @return true if released, false if it was free.
     */
    boolean release(String subnetId, String address, UUID owner);

    /**
     * @param owner owner.
     * @return how many addresses were released.
     */
    int releaseOwner(UUID owner);

    /**
     * @param subnetId subnet.
     * @param address  address.
     * @return the owner, empty if free.
     */
    Optional<UUID> owner(String subnetId, String address);

    /**
     * @param owner owner.
     * @return its allocations, ascending by subnet id, then address.
     */
    List<Allocation> allocations(UUID owner);

    /**
     * All or nothing: one Allocation per item, in item order.
     *
     * @param owner owner.
     * @param items the items.
     * @return the allocations.
     */
    List<Allocation> allocatePort(UUID owner, List<AddressRequest> items);

    /**
     * @param spec what to create.
     * @return the pool.
     */
    PrefixPoolInfo createPrefixPool(PrefixPoolSpec spec);

    /**
     * @param poolId pool.
     * @param tenant requesting tenant (quota is counted per tenant).
     * @return a child of the default length, best fit.
     */
    String allocatePrefix(String poolId, String tenant);

    /**
     * @param poolId       pool.
     * @param tenant       requesting tenant.
     * @param prefixLength length wanted.
     * @return a child, best fit.
     */
    String allocatePrefix(String poolId, String tenant, int prefixLength);

    /**
     * @param poolId pool.
     * @param tenant requesting tenant.
     * @param cidr   the child wanted (wholly free).
     * @return the child, canonical.
     */
    String allocatePrefix(String poolId, String tenant, String cidr);

    /**
     * @param poolId pool.
     * @param cidr   an allocated child.
     * @return true if released, false if it was not allocated.
     */
    boolean releasePrefix(String poolId, String cidr);

    /**
     * @param poolId   pool.
     * @param prefixes prefixes to add.
     * @return the pool now.
     */
    PrefixPoolInfo addPrefixes(String poolId, List<String> prefixes);

    /**
     * @param poolId   pool.
     * @param prefixes prefixes to remove (refused if a child lies inside).
     * @return the pool now.
     */
    PrefixPoolInfo removePrefixes(String poolId, List<String> prefixes);

    /**
     * @param poolId pool.
     * @return the pool now.
     */
    PrefixPoolInfo prefixPool(String poolId);

    /**
     * @param poolId pool.
     * @return allocated children, ascending.
     */
    List<String> children(String poolId);

    /**
     * Write a consistent point-in-time snapshot of all state.
     *
     * @param file target file (written beside it, then renamed).
     * @return what was written.
     */
    SnapshotInfo snapshot(Path file);

    /**
     * Asynchronous {@link #allocate(String, UUID)}: the request goes to the writer at once and this returns without
     * waiting for the writer role; the future completes, or fails with the {@link IpamException} the blocking call
     * would throw, once the request is served and durable. In-process allocators (in memory, durable): a caller that
     * finds the writer free serves the request itself, so the future is complete when this returns; otherwise the
     * request is queued and the future completes on the thread that applies it (another caller that holds the writer
     * role, or the dedicated writer thread), after that thread gave the role back. Stages added with
     * {@code thenApply} and the like run on that thread: they must be short and must not block (use the
     * {@code ...Async} stages with an executor for anything longer). A remote allocator (gRPC, cluster) completes on
     * its transport's thread. The default implementation completes before it returns.
     *
     * @param subnetId subnet.
     * @param owner    owner.
     * @return the address, when allocated.
     */
    default CompletableFuture<String> allocateAsync(final String subnetId, final UUID owner)
    {
        try
        {
            return CompletableFuture.completedFuture(allocate(subnetId, owner));
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Asynchronous {@link #release(String, String)}; see {@link #allocateAsync(String, UUID)}.
     *
     * @param subnetId subnet.
     * @param address  address.
     * @return true if it was allocated and is now free.
     */
    default CompletableFuture<Boolean> releaseAsync(final String subnetId, final String address)
    {
        try
        {
            return CompletableFuture.completedFuture(release(subnetId, address));
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Apply a batch of address calls, in order, each on its own ({@link IpamBatch}): its results are in the batch when
     * this returns. The in-process allocators send it as one {@code BATCH} command (one hold of the writer, one
     * command time); the gRPC client as one {@code Batch} call. The default implementation makes the calls one by
     * one.
     *
     * @param batch the batch; its earlier results are overwritten.
     * @return the batch.
     * @throws IpamException {@code BULK_TOO_LARGE} when it asks for more than {@link IpamConfig#maxBulk()} addresses
     *                       (in-process allocators; a server has its own bound: nothing is applied),
     *                       {@code MALFORMED} for a null batch, or a failure of the whole request ({@code CLOSED},
     *                       {@code OVERLOADED}, a store that could not make it durable).
     */
    default IpamBatch apply(final IpamBatch batch)
    {
        if (batch == null)
        {
            throw new IpamException(ErrorCode.MALFORMED, "batch is null");
        }
        for (int i = 0; i < batch.size(); i++)
        {
            try
            {
                switch (batch.op(i))
                {
                    case ALLOCATE:
                        batch.succeeded(i, allocate(batch.subnetId(i), batch.owner(i)));
                        break;
                    case ALLOCATE_NEXT:
                        batch.succeeded(i, allocateNext(batch.subnetId(i), batch.owner(i)));
                        break;
                    case ALLOCATE_SPECIFIC:
                        batch.succeeded(i, allocate(batch.subnetId(i), batch.value(i), batch.owner(i)));
                        break;
                    case ALLOCATE_EUI64:
                        batch.succeeded(i, allocateEui64(batch.subnetId(i), batch.value(i), batch.owner(i)));
                        break;
                    case ALLOCATE_BULK:
                        batch.succeededBulk(i, allocateBulk(batch.subnetId(i), batch.owner(i), batch.count(i)));
                        break;
                    case RELEASE:
                        batch.released(i, release(batch.subnetId(i), batch.value(i)));
                        break;
                    case RELEASE_CHECKED:
                        batch.released(i, release(batch.subnetId(i), batch.value(i), batch.owner(i)));
                        break;
                    default: // INVALID: answered with its error, never sent
                        break;
                }
            }
            catch (final IpamException ex)
            {
                batch.failed(i, ex);
            }
        }
        return batch;
    }

    /**
     * Asynchronous {@link #apply(IpamBatch)}, as {@link #allocateAsync(String, UUID)} is to its call: the future
     * completes with the batch, its results filled, or fails with what {@code apply} would throw. The batch must not
     * be touched until then. The default implementation completes before it returns.
     *
     * @param batch the batch.
     * @return the batch, when applied.
     */
    default CompletableFuture<IpamBatch> applyAsync(final IpamBatch batch)
    {
        try
        {
            return CompletableFuture.completedFuture(apply(batch));
        }
        catch (final RuntimeException ex)
        {
            return CompletableFuture.failedFuture(ex);
        }
    }

    /**
     * Lifecycle counts of every subnet this allocator (or view) sees, for metrics (SPEC 9): allocated, free,
     * cooling, leased now; expired and reclaimed since start.
     *
     * @return one entry per subnet, ascending by id.
     * @throws IpamException {@code MALFORMED} from an allocator that cannot tell (by default: one in another
     *                       process, whose server's metrics hold them).
     */
    default List<SubnetStats> subnetStats()
    {
        throw new IpamException(ErrorCode.MALFORMED, "subnet statistics are read from an allocator in this process; " +
            getClass().getSimpleName() + " has none (scrape its server's /metrics)");
    }

    /**
     * A subnet (or an aligned block of it) summarised into {@code 2^cellBits} cells for a map: per cell the held,
     * cooling, leased and router addresses; for a block of at most {@link SubnetMap#DETAIL_ADDRESSES} addresses each
     * held or cooling address with its owner, time and expiry. One query whose cost is bounded by the cells and what
     * the subnet holds, never by its size (issue 27; {@code docs/ui.md}).
     *
     * @param subnetId the subnet (a view sees its own tenant's only).
     * @param window   an aligned block inside it as a CIDR, or null for the whole subnet.
     * @param cellBits log2 of the cells wanted, 0 to {@link SubnetMap#MAX_CELL_BITS} (fewer when the block has
     *                 fewer addresses).
     * @return the map.
     * @throws IpamException {@code SUBNET_NOT_FOUND}; {@code CIDR_INVALID} for a window outside the subnet;
     *                       {@code MALFORMED} for cellBits, or from an allocator that cannot tell (by default: one in
     *                       another process).
     */
    default SubnetMap subnetMap(final String subnetId, final String window, final int cellBits)
    {
        throw new IpamException(ErrorCode.MALFORMED, "subnet maps are read from an allocator in this process; " +
            getClass().getSimpleName() + " has none");
    }

    /**
     * @return every prefix pool, ascending by id (pools are shared: a view sees them all, SPEC 8).
     * @throws IpamException {@code MALFORMED} from an allocator that cannot tell (by default: one in another
     *                       process).
     */
    default List<PrefixPoolInfo> prefixPools()
    {
        throw new IpamException(ErrorCode.MALFORMED, "the list of prefix pools is read from an allocator in this " +
            "process; " + getClass().getSimpleName() + " has none");
    }

    /**
     * @return the writer's request counters by name (requests, allocations, releases, failures by code, ...); empty
     * where the writer runs elsewhere (its counters are where it runs) and by default.
     */
    default Map<String, Long> requestCounters()
    {
        return Map.of();
    }

    /**
     * Stop the writer, fail what is in flight with {@code CLOSED}. A second call does nothing.
     */
    @Override
    void close();
}
