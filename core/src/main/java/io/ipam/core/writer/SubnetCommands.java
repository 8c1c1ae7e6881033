package io.ipam.core.writer;

import java.util.Arrays;

import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetAdmin;
import io.ipam.core.engine.SubnetReconcile;
import io.ipam.core.engine.SubnetRules;
import io.ipam.core.protocol.CreateSubnetFlyweight;
import io.ipam.core.protocol.ReconcileSubnetFlyweight;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.UpdatePoolsFlyweight;
import io.ipam.core.protocol.UpdateSubnetFlyweight;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * The writer's side of the subnet commands that check limits or carry lists: {@code CREATE_SUBNET} (its rules checked
 * again: a log is never trusted), {@code UPDATE_POOLS}, {@code RESOLVE_SUBNET}, {@code UPDATE_SUBNET} (pools,
 * gateway and cooldown in one step, rules on the end state) and {@code RECONCILE_SUBNET} (one subnet made to match
 * the caller's truth in one step; its answer is three lists, released, allocated and re-owned, each entry as a
 * reconcile's, each followed by its router marks). Decodes through the flyweights, calls the engine once, encodes
 * the answer. Writer's thread only.
 */
final class SubnetCommands
{
    private static final AllocationStrategy[] STRATEGIES = AllocationStrategy.values();

    private final AllocatorEngine engine;
    private final SubnetAdmin admin;
    private final int maxSubnets;
    private final int maxPoolsPerSubnet;
    private final Wire out;
    private final UpdateSubnetFlyweight update = new UpdateSubnetFlyweight();
    private final CreateSubnetFlyweight createSubnet = new CreateSubnetFlyweight();
    private final UpdatePoolsFlyweight updatePools = new UpdatePoolsFlyweight();
    private final ReconcileSubnetFlyweight reconcile = new ReconcileSubnetFlyweight();
    private final int[] counts = new int[3];
    /** Per group, per entry: 1 for a router's allocation (the marks follow each group's list). */
    private final int[][] marks = {new int[16], new int[16], new int[16]};
    private final int[] at = new int[3];
    private String reconciled;
    private boolean reconciledV6;
    private int group = -1;

    /** Writes each entry of a reconcileSubnet report into its group's list. */
    private final SubnetReconcile.Visitor writer;

    /**
     * Close the lists before group g and open g's (groups come in order; one with no entry is an empty list).
     */
    private void openGroup(final int g)
    {
        while (group < g)
        {
            if (group >= 0)
            {
                closeGroup();
            }
            group++;
            at[group] = ReplyCodec.beginList(out);
            counts[group] = 0;
            Arrays.fill(marks[group], 0);
        }
    }

    /**
     * End the open group's list and write its router marks (a count, 0 when none, then the indexes).
     */
    private void closeGroup()
    {
        ReplyCodec.endList(out, at[group], counts[group]);
        int n = 0;
        for (int i = 0; i < Math.min(counts[group], marks[group].length); i++)
        {
            n += marks[group][i];
        }
        out.putInt(n);
        for (int i = 0; i < Math.min(counts[group], marks[group].length); i++)
        {
            if (marks[group][i] != 0)
            {
                out.putInt(i);
            }
        }
    }

    SubnetCommands(final AllocatorEngine engine, final int maxSubnets, final int maxPoolsPerSubnet, final Wire out)
    {
        this.maxSubnets = maxSubnets;
        this.engine = engine;
        this.admin = engine.admin();
        this.maxPoolsPerSubnet = maxPoolsPerSubnet;
        this.out = out;
        this.writer = (g, hi, lo, msb, lsb, t, router) ->
        {
            openGroup(g);
            ReplyCodec.putReclaimed(out, reconciled, reconciledV6, hi, lo, msb, lsb, t);
            if (router)
            {
                marks[g] = Arrays.copyOf(marks[g], Math.max(marks[g].length, counts[g] + 1));
                marks[g][counts[g]] = 1;
            }
            counts[g]++;
        };
    }

    private void checkPools(final int n)
    {
        if (n > maxPoolsPerSubnet)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, n + " pools are over the limit of " + maxPoolsPerSubnet +
                " per subnet (maxPoolsPerSubnet)");
        }
    }

    private void subnet(final Reply reply, final SubnetInfo info)
    {
        ReplyCodec.putSubnet(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }

    /**
     * {@code CREATE_SUBNET}: its handle as the value, the subnet as the payload.
     */
    void create(final DirectBuffer b, final int offset, final int length, final Reply reply)
    {
        final CreateSubnetFlyweight c = createSubnet.wrap(b, offset, length);
        checkPools(c.poolFirst().length);
        if (engine.subnetCount() >= maxSubnets)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "the allocator holds its limit of " + maxSubnets +
                " subnets (maxSubnets)");
        }
        if (c.strategy() >= STRATEGIES.length)
        {
            throw new IpamException(ErrorCode.MALFORMED, "encoded strategy " + c.strategy() + " is unknown");
        }
        // the edge checked these rules already; a command read from a log is checked again, never trusted
        final SubnetRules.Plan plan = SubnetRules.Plan.restored(c.id(), c.tenant(), c.cidr(), c.gateway(),
            c.poolFirstHi(), c.poolFirst(), c.poolLastHi(), c.poolLast(), STRATEGIES[c.strategy()])
            .cooldown(c.cooldownMs());
        reply.value = engine.createSubnet(plan);
        subnet(reply, admin.info(c.id(), null));
    }

    /**
     * {@code UPDATE_POOLS}: the subnet as it is afterwards.
     */
    void updatePools(final DirectBuffer b, final int offset, final int length, final Reply reply)
    {
        final UpdatePoolsFlyweight u = updatePools.wrap(b, offset, length);
        admin.checkScope(u.id(), u.scope());
        checkPools(u.ranges().size());
        subnet(reply, admin.updatePools(u.id(), u.scope(), u.ranges()));
    }

    /**
     * {@code RESOLVE_SUBNET}: the handle, CIDR and tenant of a subnet id.
     */
    void resolve(final String subnetId, final Reply reply)
    {
        final int handle = engine.handle(subnetId);
        if (handle == AllocatorEngine.NO_HANDLE)
        {
            reply.code = ErrorCode.SUBNET_NOT_FOUND.resultCode();
            return;
        }
        reply.code = AllocatorEngine.FOUND;
        reply.value = handle;
        ReplyCodec.putResolved(out.writeTo(reply.payload, 0), engine.cidr(subnetId), engine.tenantOf(subnetId));
        reply.payloadLength = out.position();
    }

    /**
     * {@code UPDATE_SUBNET}: the subnet as it is afterwards, or the first rule the end state breaks.
     */
    void update(final DirectBuffer b, final int offset, final int length, final Reply reply)
    {
        final UpdateSubnetFlyweight u = update.wrap(b, offset, length);
        admin.checkScope(u.id(), u.scope());
        if (u.ranges() != null)
        {
            checkPools(u.ranges().size());
        }
        subnet(reply, admin.update(u.id(), u.scope(), u.ranges(), u.setsGateway(), u.gateway(), u.cooldownMs()));
    }

    /**
     * {@code RECONCILE_SUBNET}: three lists (released, allocated, re-owned); the code is the number of entries. The
     * grace counts back from the engine's clock, not the command's time: the clock never runs back, so with no grace
     * every allocation an earlier command made is old enough, whatever time its caller's thread stamped on it.
     */
    void reconcile(final DirectBuffer b, final int offset, final int length, final Reply reply)
    {
        final ReconcileSubnetFlyweight r = reconcile.wrap(b, offset, length);
        if (r.graceMs() < 0)
        {
            throw new IpamException(ErrorCode.MALFORMED, "grace must not be negative, was " + r.graceMs() + " ms");
        }
        admin.checkScope(r.id(), r.scope());
        reconciled = r.id();
        final int handle = engine.handle(r.id());
        reconciledV6 = handle != AllocatorEngine.NO_HANDLE && engine.isV6(handle);
        out.writeTo(reply.payload, 0);
        group = -1;
        final int n = admin.reconcileSubnet(r.id(), r.scope(), r.hi(), r.lo(), r.ownerMsb(), r.ownerLsb(), r.count(),
            engine.now() - r.graceMs(), r.dryRun(), writer);
        openGroup(SubnetReconcile.REOWNED);
        closeGroup();
        reply.payloadLength = out.position();
        reply.code = n;
    }
}
