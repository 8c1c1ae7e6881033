package io.ipam.core.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamException;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.SubnetHandles.SubnetRef;
import io.ipam.core.protocol.BatchAnswerFlyweight;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;

import static io.ipam.core.internal.Edge.addressValue;
import static io.ipam.core.internal.Edge.nonNull;

/**
 * {@link IpamBatch}es at the edge: every operation checked, its subnet resolved and its text parsed on the caller's
 * thread (one that fails here fails alone and is not sent), the rest encoded as one {@code BATCH} command, and each
 * entry's answer read into the batch with the message its single call would have had. Entries answered
 * {@code SUBNET_NOT_FOUND} because a cached handle went stale (the subnet was deleted and created again under its id)
 * are resolved again and sent once more as a second {@code BATCH}: only in that race do they apply after later
 * entries. Thread-safe (each call works on its own state).
 */
final class BatchCalls
{
    private final Edge edge;

    BatchCalls(final Edge edge)
    {
        this.edge = edge;
    }

    /**
     * What one sending of a batch holds: which operations went, with which subnet and address value.
     */
    private static final class Sending
    {
        final IpamBatch batch;
        /** True for the second sending of entries whose cached handle was stale. */
        final boolean retry;
        final int[] sent;
        final SubnetRef[] refs;
        final long[] values;
        /** The address's high 64 bits, for an entry that names a wide subnet and carries an address. */
        final long[] highs;
        int count;

        Sending(final IpamBatch batch, final int capacity, final boolean retry)
        {
            this.batch = batch;
            this.retry = retry;
            this.sent = new int[capacity];
            this.refs = new SubnetRef[capacity];
            this.values = new long[capacity];
            this.highs = new long[capacity];
        }

        void add(final int i, final SubnetRef ref, final long value, final long high)
        {
            sent[count] = i;
            refs[count] = ref;
            values[count] = value;
            highs[count++] = high;
        }
    }

    IpamBatch apply(final IpamBatch batch)
    {
        Sending s = prepare(batch);
        while (s != null && s.count > 0)
        {
            final Reply r = encode(s);
            edge.proxy.transport().execute(r);
            s = read(s, r);
        }
        return batch;
    }

    CompletableFuture<IpamBatch> applyAsync(final IpamBatch batch)
    {
        final CompletableFuture<IpamBatch> f = new CompletableFuture<>();
        try
        {
            final Sending s = prepare(batch);
            if (s.count == 0)
            {
                f.complete(batch);
                return f;
            }
            edge.proxy.transport().executeAsync(encode(s), answer ->
            {
                try
                {
                    final Sending again = read(s, answer);
                    if (again == null || again.count == 0)
                    {
                        f.complete(batch);
                        return;
                    }
                    // a stale handle: the rest is sent again, blocking, off the thread that answered
                    ForkJoinPool.commonPool().execute(() ->
                    {
                        try
                        {
                            Sending next = again;
                            while (next != null && next.count > 0)
                            {
                                final Reply r = encode(next);
                                edge.proxy.transport().execute(r);
                                next = read(next, r);
                            }
                            f.complete(batch);
                        }
                        catch (final RuntimeException ex)
                        {
                            f.completeExceptionally(ex);
                        }
                    });
                }
                catch (final RuntimeException ex)
                {
                    f.completeExceptionally(ex);
                }
            });
        }
        catch (final RuntimeException ex)
        {
            f.completeExceptionally(ex);
        }
        return f;
    }

    /**
     * Check the whole batch's size, then each operation (failing it alone), resolving subnets and parsing text.
     */
    private Sending prepare(final IpamBatch batch)
    {
        edge.checkOpen();
        nonNull(batch, "batch");
        final long asked = batch.addressesAsked();
        if (asked > edge.config.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a batch asking for " + asked +
                " addresses is over the limit of " + edge.config.maxBulk());
        }
        final int n = batch.size();
        final Sending s = new Sending(batch, n, false);
        String lastId = null;
        SubnetRef lastRef = null;
        for (int i = 0; i < n; i++)
        {
            final IpamBatch.Op op = batch.op(i);
            if (op == IpamBatch.Op.INVALID)
            {
                continue;
            }
            try
            {
                final String subnetId = nonNull(batch.subnetId(i), "subnet id");
                long value = 0;
                IpAddress address = null;
                switch (op)
                {
                    case ALLOCATE_SPECIFIC:
                    case RELEASE:
                    case RELEASE_CHECKED:
                        address = AddressText.parseAddress(batch.value(i), "address");
                        break;
                    case ALLOCATE_EUI64:
                        value = AddressText.parseMac(batch.value(i));
                        break;
                    case ALLOCATE_BULK:
                        if (batch.count(i) < 1)
                        {
                            throw new IpamException(ErrorCode.MALFORMED, "bulk count must be 1 or more, was " +
                                batch.count(i));
                        }
                        break;
                    default:
                        break;
                }
                if (op != IpamBatch.Op.RELEASE)
                {
                    nonNull(batch.owner(i), "owner");
                }
                final SubnetRef ref;
                if (subnetId.equals(lastId))
                {
                    ref = lastRef;
                }
                else
                {
                    ref = edge.ref(subnetId);
                    lastId = subnetId;
                    lastRef = ref;
                }
                if (address != null)
                {
                    value = addressValue(subnetId, ref.cidr, address);
                }
                s.add(i, ref, value, address != null ? address.hi() : 0);
            }
            catch (final IpamException ex)
            {
                batch.failed(i, ex);
            }
        }
        return s;
    }

    private static int type(final IpamBatch.Op op)
    {
        switch (op)
        {
            case ALLOCATE:
                return MessageTypes.ALLOCATE;
            case ALLOCATE_NEXT:
                return MessageTypes.ALLOCATE_NEXT;
            case ALLOCATE_SPECIFIC:
                return MessageTypes.ALLOCATE_SPECIFIC;
            case ALLOCATE_EUI64:
                return MessageTypes.ALLOCATE_EUI64;
            case ALLOCATE_BULK:
                return MessageTypes.ALLOCATE_BULK;
            case RELEASE:
                return MessageTypes.RELEASE;
            default:
                return MessageTypes.RELEASE_CHECKED;
        }
    }

    private Reply encode(final Sending s)
    {
        final Reply r = edge.proxy.beginBatch(s.count);
        final IpamBatch batch = s.batch;
        for (int j = 0; j < s.count; j++)
        {
            final int i = s.sent[j];
            final UUID owner = batch.owner(i);
            final IpamBatch.Op op = batch.op(i);
            final boolean address = namesAddress(op);
            // an entry naming a wide subnet (IPv6 /1 to /63) is marked so, with its address's high word: its answer
            // carries high words; every other entry is byte for byte what it was before wide subnets
            final int flags = !Answers.isWide(s.refs[j].cidr) ? 0 : BatchCommandFlyweight.FLAG_WIDE |
                (address ? BatchCommandFlyweight.FLAG_ADDRESS_HIGH : 0);
            BatchCommandFlyweight.entry(r.command, 0, j, type(op), s.refs[j].handle,
                op == IpamBatch.Op.ALLOCATE_BULK ? batch.count(i) : 0, s.values[j], s.highs[j], flags,
                owner == null || op == IpamBatch.Op.RELEASE ? 0 : owner.getMostSignificantBits(),
                owner == null || op == IpamBatch.Op.RELEASE ? 0 : owner.getLeastSignificantBits());
        }
        return r;
    }

    /**
     * Read a batch's answer into the batch and give the slot back.
     *
     * @return the operations to send once more (stale handles), or null.
     * @throws IpamException when the whole batch failed ({@code CLOSED}, a store that could not make it durable).
     */
    private Sending read(final Sending s, final Reply r)
    {
        final IpamBatch batch = s.batch;
        Sending again = null;
        try
        {
            if (r.code < 0)
            {
                final String message = edge.answers.message(r);
                throw new IpamException(ErrorCode.ofResultCode(r.code), message != null ? message :
                    "the batch failed as a whole");
            }
            final BatchAnswerFlyweight a = new BatchAnswerFlyweight().wrap(r.payload, r.payloadLength);
            if (a.count() != s.count)
            {
                throw new IpamException(ErrorCode.INTERNAL, "a batch of " + s.count + " was answered with " +
                    a.count() + " entries");
            }
            for (int j = 0; j < s.count; j++)
            {
                final int i = s.sent[j];
                final int code = a.code(j);
                if (code == ErrorCode.SUBNET_NOT_FOUND.resultCode() && !s.retry)
                {
                    again = stale(s, again, j);
                    continue;
                }
                result(batch, i, s.refs[j], code, a, j);
            }
        }
        finally
        {
            edge.proxy.transport().release(r);
        }
        return again;
    }

    /**
     * An entry of a first sending answered {@code SUBNET_NOT_FOUND}: its cached handle is dropped and it is resolved
     * again for the second sending (or fails now if the subnet is gone).
     *
     * @return the second sending, made on the first stale entry.
     */
    private Sending stale(final Sending s, final Sending again, final int j)
    {
        final Sending next = again != null ? again : new Sending(s.batch, s.count, true);
        final int i = s.sent[j];
        final IpamBatch batch = s.batch;
        edge.handles.stale(s.refs[j]);
        try
        {
            final SubnetRef ref = edge.ref(batch.subnetId(i));
            long value = s.values[j];
            long high = 0;
            final IpamBatch.Op op = batch.op(i);
            if (namesAddress(op))
            {
                final IpAddress a = AddressText.parseAddress(batch.value(i), "address");
                value = addressValue(batch.subnetId(i), ref.cidr, a);
                high = a.hi();
            }
            next.add(i, ref, value, high);
        }
        catch (final IpamException ex)
        {
            batch.failed(i, ex);
        }
        return next;
    }

    private void result(final IpamBatch batch, final int i, final SubnetRef ref, final int code,
        final BatchAnswerFlyweight a, final int j)
    {
        if (code < 0)
        {
            batch.failed(i, failure(batch, i, ref, code));
            return;
        }
        switch (batch.op(i))
        {
            case RELEASE:
            case RELEASE_CHECKED:
                batch.released(i, code == AllocatorEngine.RELEASED);
                break;
            case ALLOCATE_BULK:
            {
                final int count = batch.count(i);
                final int at = a.extraIndex(j);
                final List<String> addresses = new ArrayList<>(count);
                if (Answers.isWide(ref.cidr))
                {
                    for (int k = 0; k < count; k++)
                    {
                        addresses.add(AddressText.formatV6(a.extra(at + 2 * k), a.extra(at + 2 * k + 1)));
                    }
                }
                else
                {
                    for (int k = 0; k < count; k++)
                    {
                        addresses.add(Answers.format(ref.cidr, a.extra(at + k)));
                    }
                }
                batch.succeededBulk(i, Collections.unmodifiableList(addresses));
                break;
            }
            default:
                // a wide subnet's address: its high 64 bits are in the extra area
                batch.succeeded(i, Answers.isWide(ref.cidr) ? AddressText.formatV6(a.extra(a.extraIndex(j)),
                    a.value(j)) : Answers.format(ref.cidr, a.value(j)));
        }
    }

    private IpamException failure(final IpamBatch batch, final int i, final SubnetRef ref, final int code)
    {
        final String subnetId = batch.subnetId(i);
        if (code == ErrorCode.INTERNAL.resultCode())
        {
            return new IpamException(ErrorCode.INTERNAL, "the writer failed on operation " + i + " of this batch (" +
                batch.op(i) + "); it was undone and reported");
        }
        switch (batch.op(i))
        {
            case ALLOCATE_SPECIFIC:
            case RELEASE:
            case RELEASE_CHECKED:
                return ErrorMessages.address(code, subnetId, "address " + batch.value(i), edge.config.maxBulk(), null);
            case ALLOCATE_EUI64:
                if (code == ErrorCode.ADDRESS_INVALID.resultCode() &&
                    (!ref.cidr.isV6() || ref.cidr.prefixLength() != 64))
                {
                    return new IpamException(ErrorCode.ADDRESS_INVALID, "EUI-64 needs an IPv6 /64; subnet " + subnetId +
                        " is " + ref.cidr);
                }
                return ErrorMessages.address(code, subnetId, "EUI-64 address of MAC " + batch.value(i),
                    edge.config.maxBulk(), null);
            case ALLOCATE_BULK:
                return ErrorMessages.address(code, subnetId, "bulk of " + batch.count(i), edge.config.maxBulk(), null);
            default:
                return ErrorMessages.address(code, subnetId, "", edge.config.maxBulk(), null);
        }
    }

    /**
     * @return true for the operations whose entry names an address (the others name a subnet only, or a MAC).
     */
    private static boolean namesAddress(final IpamBatch.Op op)
    {
        return op == IpamBatch.Op.ALLOCATE_SPECIFIC || op == IpamBatch.Op.RELEASE || op == IpamBatch.Op.RELEASE_CHECKED;
    }
}
