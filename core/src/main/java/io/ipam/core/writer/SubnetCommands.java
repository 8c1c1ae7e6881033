package io.ipam.core.writer;

import java.util.Arrays;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetInfo;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.SubnetAdmin;
import io.ipam.core.engine.SubnetReconcile;
import io.ipam.core.protocol.ReconcileSubnetFlyweight;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.UpdateSubnetFlyweight;
import io.ipam.core.protocol.Wire;
import org.agrona.DirectBuffer;

/**
 * The writer's side of the two commands of Neutron parity (SPEC 1, 9): {@code UPDATE_SUBNET} (pools, gateway and
 * cooldown in one step, rules on the end state) and {@code RECONCILE_SUBNET} (one subnet made to match the caller's
 * truth in one step; its answer is three lists, released, allocated and re-owned, each entry as a reconcile's).
 * Decodes through the flyweights, calls the engine once, encodes the answer. Writer's thread only.
 */
final class SubnetCommands
{
    private final AllocatorEngine engine;
    private final SubnetAdmin admin;
    private final int maxPoolsPerSubnet;
    private final Wire out;
    private final UpdateSubnetFlyweight update = new UpdateSubnetFlyweight();
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

    SubnetCommands(final AllocatorEngine engine, final int maxPoolsPerSubnet, final Wire out)
    {
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

    /**
     * {@code UPDATE_SUBNET}: the subnet as it is afterwards, or the first rule the end state breaks.
     */
    void update(final DirectBuffer b, final int offset, final int length, final Reply reply)
    {
        final UpdateSubnetFlyweight u = update.wrap(b, offset, length);
        admin.checkScope(u.id(), u.scope());
        if (u.ranges() != null && u.ranges().size() > maxPoolsPerSubnet)
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, u.ranges().size() + " pools are over the limit of " +
                maxPoolsPerSubnet + " per subnet (maxPoolsPerSubnet)");
        }
        final SubnetInfo info = admin.update(u.id(), u.scope(), u.ranges(), u.setsGateway(), u.gateway(),
            u.cooldownMs());
        ReplyCodec.putSubnet(out.writeTo(reply.payload, 0), info);
        reply.payloadLength = out.position();
    }

    /**
     * {@code RECONCILE_SUBNET}: three lists (released, allocated, re-owned); the code is the number of entries.
     */
    void reconcile(final DirectBuffer b, final int offset, final int length, final long time, final Reply reply)
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
            time - r.graceMs(), r.dryRun(), writer);
        openGroup(SubnetReconcile.REOWNED);
        closeGroup();
        reply.payloadLength = out.position();
        reply.code = n;
    }
}
