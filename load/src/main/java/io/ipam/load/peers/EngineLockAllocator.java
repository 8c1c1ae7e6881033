package io.ipam.load.peers;

import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.addr.AddressText;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.ChangeFeed;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.StateListener;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.engine.UndoJournal;
import org.agrona.concurrent.EpochClock;

/**
 * ipam's own engine behind {@code synchronized}: the same state as ipam's allocator (the engine built from the same
 * config, its owners, records and indexes, the undo journal and the change feed told of every change, the clock read
 * per call, what every command runs first), called directly under one monitor instead of through the command
 * encoding and the one writer. Next to the bare lock ({@link BitSetAllocator}) it shows what ipam's features cost;
 * next to ipam's allocator it shows what its design (commands, the writer role, the ring) costs.
 * <p>
 * One IPv4 subnet, its usable range offsets {@code [0, size)} (offset 0 is the network address + 1).
 */
public final class EngineLockAllocator implements PeerAllocator
{
    /** Its name in reports. */
    public static final String NAME = "the same engine behind synchronized";
    /** The owner's high word (the load runs' owners are {@code new UUID(9, n)}; the peers get the low word). */
    private static final long OWNER_MSB = 9;

    private final AllocatorEngine engine;
    private final UndoJournal journal;
    private final ChangeFeed feed;
    private final EpochClock clock;
    private final EngineResult result = new EngineResult();
    private final String subnetId;
    private final long base;

    /**
     * @param subnetId the subnet's id.
     * @param cidr     an IPv4 CIDR; its usable range is the peer's offsets.
     * @param config   the settings ipam's allocator is built with (engine, change retention, clock).
     */
    public EngineLockAllocator(final String subnetId, final String cidr, final IpamConfig config)
    {
        this.subnetId = subnetId;
        this.base = AddressText.parseV4(cidr.substring(0, cidr.indexOf('/'))) + 1;
        this.clock = config.clock();
        this.engine = Allocators.newMemoryEngine(config);
        // the writer's listener chain: the undo journal first, then the change feed
        this.feed = new ChangeFeed(engine, (int)config.changeRetention(), StateListener.NONE);
        this.journal = new UndoJournal(feed);
        engine.listener(journal);
        final long now = clock.time();
        journal.begin();
        feed.begin(now, true);
        engine.beginCommand(now);
        engine.createSubnet(SubnetRules.plan(SubnetSpec.builder(subnetId, cidr).noGateway().build()));
        feed.commit();
    }

    private void begin(final long now)
    {
        journal.begin();
        feed.begin(now, false);
        engine.beginCommand(now);
    }

    @Override
    public synchronized long allocate(final long owner)
    {
        final long now = clock.time();
        begin(now);
        final int rc = engine.allocate(engine.handle(subnetId), OWNER_MSB, owner, now, AllocationTerms.NONE, result);
        feed.commit();
        return rc == AllocatorEngine.OK ? result.address() - base : -1;
    }

    @Override
    public synchronized boolean allocate(final long offset, final long owner)
    {
        final long now = clock.time();
        begin(now);
        final int rc = engine.allocateSpecific(engine.handle(subnetId), base + offset, OWNER_MSB, owner, now,
            AllocationTerms.NONE, result);
        feed.commit();
        return rc == AllocatorEngine.OK;
    }

    @Override
    public synchronized boolean release(final long offset)
    {
        final long now = clock.time();
        begin(now);
        final int rc = engine.release(engine.handle(subnetId), base + offset);
        feed.commit();
        return rc == AllocatorEngine.RELEASED;
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
