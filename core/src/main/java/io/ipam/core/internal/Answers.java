package io.ipam.core.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import io.ipam.core.AddressRequest;
import io.ipam.core.Allocation;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.ReconcileReport;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.Cidr;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.SubnetHandles.SubnetRef;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.Wire;

/**
 * Reads answers on the caller's thread: the values an answer carries (through {@link ReplyCodec}, the one place an
 * answer's layout is known), or the {@link IpamException} its code stands for, with a message naming the caller's
 * input. Strings for answers are made here, never inside the writer; an address is formatted with the CIDR the
 * request was sent with. Every method that takes a slot gives it back. Thread-safe.
 */
final class Answers
{
    private final CommandProxy proxy;
    private final CommandTransport transport;
    private final int maxBulk;

    Answers(final CommandProxy proxy, final int maxBulk)
    {
        this.proxy = proxy;
        this.transport = proxy.transport();
        this.maxBulk = maxBulk;
    }

    void release(final Reply r)
    {
        transport.release(r);
    }

    /**
     * @return the message an error answer carries, or null.
     */
    String message(final Reply r)
    {
        return r.payloadLength == 0 ? null : ReplyCodec.getError(proxy.wire().readFrom(r.payload, 0, r.payloadLength));
    }

    /**
     * @return the payload of a variable answer, or the exception its code stands for (the slot is not released).
     */
    Wire payload(final Reply r)
    {
        if (r.code < 0)
        {
            final String m = message(r);
            throw new IpamException(ErrorCode.ofResultCode(r.code), m != null ? m : "request failed");
        }
        return proxy.wire().readFrom(r.payload, 0, r.payloadLength);
    }

    /**
     * Read a variable answer with a decoder; the slot is given back either way.
     */
    <T> T read(final Reply r, final Function<Wire, T> decode)
    {
        try
        {
            return decode.apply(payload(r));
        }
        finally
        {
            transport.release(r);
        }
    }

    /**
     * The exception an address request's failure stands for: the writer's own message for the codes that carry one,
     * else a message naming the caller's subnet and input.
     */
    IpamException addressFailure(final Reply r, final String subnetId, final String what)
    {
        final int code = r.code;
        // a remote writer (a cluster member) words its own refusals: a client it forgot, an answer too large for
        // its transport, a tenant credential's limits; a local one sends these codes without a message
        final String message = code == ErrorCode.INTERNAL.resultCode() || code == ErrorCode.CLOSED.resultCode() ||
            code == ErrorCode.STORE_IO.resultCode() || code == ErrorCode.LIMIT_EXCEEDED.resultCode() ||
            code == ErrorCode.OVERLOADED.resultCode() || code == ErrorCode.FORBIDDEN.resultCode() ||
            code == ErrorCode.MALFORMED.resultCode() ? message(r) : null;
        if (message != null)
        {
            return new IpamException(ErrorCode.ofResultCode(code), message);
        }
        if (code == ErrorCode.CLOSED.resultCode())
        {
            return new IpamException(ErrorCode.CLOSED, "ipam closed before the request was served");
        }
        return ErrorMessages.address(code, subnetId, what, maxBulk, null);
    }

    /**
     * @return the result code of an address request that did not fail; the slot is given back either way.
     */
    int code(final Reply r, final String subnetId, final String what)
    {
        try
        {
            if (r.code < 0)
            {
                throw addressFailure(r, subnetId, what);
            }
            return r.code;
        }
        finally
        {
            transport.release(r);
        }
    }

    /**
     * {@link #code(Reply, String, String)} for a request about one address: the text naming it is made only when
     * the request failed (a release makes no string when it succeeds).
     */
    int code(final Reply r, final String subnetId, final IpAddress address)
    {
        return code(r, subnetId, address.isV6(), address.hi(), address.lo());
    }

    /**
     * {@link #code(Reply, String, IpAddress)} for an address given as its family and 64-bit halves (the text is made
     * only when the request failed).
     */
    int code(final Reply r, final String subnetId, final boolean v6, final long hi, final long lo)
    {
        try
        {
            if (r.code < 0)
            {
                throw addressFailure(r, subnetId, "address " + new IpAddress(v6, hi, lo));
            }
            return r.code;
        }
        finally
        {
            transport.release(r);
        }
    }

    static String format(final Cidr cidr, final long value)
    {
        return cidr.isV6() ? AddressText.formatV6(cidr.address().hi(), value) : AddressText.formatV4(value);
    }

    static String format(final boolean v6, final long hi, final long value)
    {
        return v6 ? AddressText.formatV6(hi, value) : AddressText.formatV4(value);
    }

    /**
     * The answer to a single allocation: the address formatted with the CIDR of the subnet it was sent to.
     */
    String allocated(final Reply r, final SubnetRef ref, final String subnetId, final String what)
    {
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw addressFailure(r, subnetId, what);
            }
            if (isWide(ref.cidr))
            {
                // a wide subnet's (IPv6 /1 to /63) address carries its high bits in the payload
                return AddressText.formatV6(ReplyCodec.getAddressHigh(proxy.wire().readFrom(r.payload, 0,
                    r.payloadLength)), r.value);
            }
            return format(ref.cidr, r.value);
        }
        finally
        {
            transport.release(r);
        }
    }

    /**
     * The answer to a bulk allocation.
     */
    List<String> bulk(final Reply r, final SubnetRef ref, final String subnetId, final int count)
    {
        try
        {
            if (r.code != AllocatorEngine.OK)
            {
                throw addressFailure(r, subnetId, "bulk of " + count);
            }
            final Wire in = proxy.wire().readFrom(r.payload, 0, r.payloadLength);
            if (isWide(ref.cidr))
            {
                final long[] pairs = ReplyCodec.getWideAddresses(in);
                final List<String> result = new ArrayList<>(pairs.length / 2);
                for (int i = 0; i < pairs.length; i += 2)
                {
                    result.add(AddressText.formatV6(pairs[i], pairs[i + 1]));
                }
                return Collections.unmodifiableList(result);
            }
            final long[] values = ReplyCodec.getAddresses(in);
            final List<String> result = new ArrayList<>(values.length);
            for (final long value : values)
            {
                result.add(format(ref.cidr, value));
            }
            return Collections.unmodifiableList(result);
        }
        finally
        {
            transport.release(r);
        }
    }

    /**
     * The answer to a port request: one allocation per item, in item order, with the allocation time and lease end
     * the answer carries (the command's time where an answer kept under a request key no longer knows it); or the
     * failing item named.
     */
    List<Allocation> port(final Reply r, final UUID owner, final List<AddressRequest> items, final SubnetRef[][] refs,
        final long commandTimeMs, final boolean router)
    {
        try
        {
            final Wire in = proxy.wire().readFrom(r.payload, 0, r.payloadLength);
            if (r.code != AllocatorEngine.OK)
            {
                if (r.code == ErrorCode.INTERNAL.resultCode() || r.code == ErrorCode.CLOSED.resultCode() ||
                    r.code == ErrorCode.STORE_IO.resultCode() || r.code == ErrorCode.MALFORMED.resultCode())
                {
                    throw addressFailure(r, "", "port request");
                }
                final int failed = ReplyCodec.getPortFailedItem(in);
                final int failedHandle = ReplyCodec.getPortFailedHandle(in);
                final AddressRequest item = items.get(failed);
                final IpamException cause = ErrorMessages.address(r.code, idOf(refs[failed], failedHandle),
                    item.kind() == AddressRequest.Kind.SPECIFIC ? "address " + item.value() :
                    item.kind() == AddressRequest.Kind.EUI64 ? "MAC " + item.value() : "", maxBulk, null);
                throw new IpamException(cause.code(), "port request item " + failed + " (" + item + ") failed, " +
                    "nothing was allocated: " + cause.getMessage());
            }
            final Instant time = Instant.ofEpochMilli(r.timeMs != 0 ? r.timeMs : commandTimeMs);
            final Instant expiresAt = r.value == 0 ? null : Instant.ofEpochMilli(r.value);
            final List<Allocation> result = new ArrayList<>(items.size());
            ReplyCodec.getPortItems(in, (i, handle, v6, hi, value) -> result.add(new Allocation(idOf(refs[i], handle),
                format(v6, hi, value), owner, time, expiresAt, router)));
            return Collections.unmodifiableList(result);
        }
        finally
        {
            transport.release(r);
        }
    }

    private static String idOf(final SubnetRef[] refs, final int handle)
    {
        for (final SubnetRef ref : refs)
        {
            if (ref.handle == handle)
            {
                return ref.id;
            }
        }
        return refs[0].id;
    }

    /**
     * The allocations of an owner, ascending by subnet id, then address value.
     */
    List<Allocation> allocations(final Reply r, final UUID owner)
    {
        final List<Object[]> raw = new ArrayList<>();
        try
        {
            if (r.code < 0)
            {
                throw addressFailure(r, "", "allocations of owner " + owner);
            }
            final Wire in = proxy.wire().readFrom(r.payload, 0, r.payloadLength);
            ReplyCodec.getOwnedAllocations(in, (id, v6, hi, value, time, expires) -> raw.add(new Object[] {id,
                format(v6, hi, value), value, Instant.ofEpochMilli(time),
                expires == 0 ? null : Instant.ofEpochMilli(expires), hi, false}));
            for (final int i : ReplyCodec.getRouterMarks(in))
            {
                raw.get(i)[6] = true;
            }
        }
        finally
        {
            transport.release(r);
        }
        raw.sort(Comparator.<Object[], String>comparing(x -> (String)x[0])
            .thenComparing((x, y) -> Long.compareUnsigned((Long)x[5], (Long)y[5]))
            .thenComparing((x, y) -> Long.compareUnsigned((Long)x[2], (Long)y[2])));
        final List<Allocation> result = new ArrayList<>(raw.size());
        for (final Object[] x : raw)
        {
            result.add(new Allocation((String)x[0], (String)x[1], owner, (Instant)x[3], (Instant)x[4],
                (Boolean)x[6]));
        }
        return Collections.unmodifiableList(result);
    }

    /**
     * The allocations a reconcile released (or would release).
     */
    List<Allocation> reconciled(final Reply r)
    {
        return read(r, in ->
        {
            final List<Allocation> released = reclaimedList(in);
            markRouters(released, ReplyCodec.getRouterMarks(in));
            return released;
        });
    }

    /**
     * The report of a reconcileSubnet: released, allocated and re-owned, each a list as a reconcile's.
     */
    ReconcileReport reconciledSubnet(final Reply r, final boolean dryRun)
    {
        return read(r, in ->
        {
            final List<List<Allocation>> groups = new ArrayList<>(3);
            for (int g = 0; g < 3; g++)
            {
                final List<Allocation> list = reclaimedList(in);
                final int n = in.getCount(4);
                final int[] marks = new int[n];
                for (int i = 0; i < n; i++)
                {
                    marks[i] = in.getInt();
                }
                markRouters(list, marks);
                groups.add(list);
            }
            return new ReconcileReport(groups.get(0), groups.get(1), groups.get(2), dryRun);
        });
    }

    private static List<Allocation> reclaimedList(final Wire in)
    {
        final List<Allocation> list = new ArrayList<>();
        ReplyCodec.getReclaimed(in, (id, v6, hi, value, msb, lsb, time) -> list.add(new Allocation(id,
            format(v6, hi, value), new UUID(msb, lsb), Instant.ofEpochMilli(time), null)));
        return list;
    }

    /**
     * Replace the allocations at the marked indexes by the same with the router mark.
     */
    private static void markRouters(final List<Allocation> list, final int[] marks)
    {
        for (final int i : marks)
        {
            final Allocation a = list.get(i);
            list.set(i, new Allocation(a.subnetId(), a.address(), a.owner(), a.time(), a.expiresAt().orElse(null),
                true));
        }
    }

    /**
     * @return true for a subnet whose addresses vary in their high 64 bits (IPv6 /1 to /63).
     */
    static boolean isWide(final Cidr cidr)
    {
        return cidr.isV6() && cidr.prefixLength() < 64;
    }
}
