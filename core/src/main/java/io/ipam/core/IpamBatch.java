package io.ipam.core;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Address calls made as one request ({@link Ipam#apply(IpamBatch)}): the in-process allocators send them as one
 * {@code BATCH} command, applied in order under one hold of the writer with one command time; the gRPC client sends
 * one {@code Batch} call. Each operation succeeds or fails on its own, with the result or the {@link IpamException}
 * its single call would have had; a later operation sees the effect of an earlier one. It is not all or nothing (use
 * {@link Ipam#allocatePort} for that). Together the operations ask for at most {@link IpamConfig#maxBulk()} addresses
 * (a bulk of n counts n), else the whole batch is {@code BULK_TOO_LARGE} before anything is applied.
 * <p>
 * Reusable and not thread-safe: add operations, apply, read each result by index, {@link #clear()}, fill again; the
 * arrays are kept. Inputs are checked when the batch is applied (a bad one fails that operation alone). An
 * allocator that applies a batch records each result with {@link #succeeded}, {@link #succeededBulk},
 * {@link #released(int, boolean)} or {@link #failed}.
 */
public final class IpamBatch
{
    /**
     * What an operation does; each is the call of {@link Ipam} of the same name.
     */
    public enum Op
    {
        /** {@link Ipam#allocate(String, UUID)}. */
        ALLOCATE,
        /** {@link Ipam#allocateNext(String, UUID)}. */
        ALLOCATE_NEXT,
        /** {@link Ipam#allocate(String, String, UUID)}. */
        ALLOCATE_SPECIFIC,
        /** {@link Ipam#allocateEui64(String, String, UUID)}. */
        ALLOCATE_EUI64,
        /** {@link Ipam#allocateBulk(String, UUID, int)}. */
        ALLOCATE_BULK,
        /** {@link Ipam#release(String, String)}. */
        RELEASE,
        /** {@link Ipam#release(String, String, UUID)}. */
        RELEASE_CHECKED,
        /** An operation the sender could not read: answered with the error it was added with, never sent. */
        INVALID
    }

    private static final Op[] OPS = Op.values();

    private int size;
    private byte[] ops = new byte[16];
    private String[] subnetIds = new String[16];
    private String[] values = new String[16];
    private UUID[] owners = new UUID[16];
    private int[] counts = new int[16];

    private IpamException[] errors = new IpamException[16];
    private String[] addresses = new String[16];
    private List<?>[] bulks = new List<?>[16];
    private boolean[] releasedFlags = new boolean[16];

    /**
     * @return the number of operations.
     */
    public int size()
    {
        return size;
    }

    /**
     * Forget every operation and result (the arrays are kept for the next use).
     *
     * @return this.
     */
    public IpamBatch clear()
    {
        Arrays.fill(subnetIds, 0, size, null);
        Arrays.fill(values, 0, size, null);
        Arrays.fill(owners, 0, size, null);
        Arrays.fill(errors, 0, size, null);
        Arrays.fill(addresses, 0, size, null);
        Arrays.fill(bulks, 0, size, null);
        Arrays.fill(releasedFlags, 0, size, false);
        size = 0;
        return this;
    }

    private IpamBatch add(final Op op, final String subnetId, final String value, final UUID owner, final int count)
    {
        if (size == ops.length)
        {
            final int n = size * 2;
            ops = Arrays.copyOf(ops, n);
            subnetIds = Arrays.copyOf(subnetIds, n);
            values = Arrays.copyOf(values, n);
            owners = Arrays.copyOf(owners, n);
            counts = Arrays.copyOf(counts, n);
            errors = Arrays.copyOf(errors, n);
            addresses = Arrays.copyOf(addresses, n);
            bulks = Arrays.copyOf(bulks, n);
            releasedFlags = Arrays.copyOf(releasedFlags, n);
        }
        ops[size] = (byte)op.ordinal();
        subnetIds[size] = subnetId;
        values[size] = value;
        owners[size] = owner;
        counts[size] = count; // results at size are clear: never set, or cleared by clear()
        size++;
        return this;
    }

    /**
     * @param subnetId subnet.
     * @param owner    owner.
     * @return this; the result is {@link #address(int)}.
     */
    public IpamBatch allocate(final String subnetId, final UUID owner)
    {
        return add(Op.ALLOCATE, subnetId, null, owner, 0);
    }

    /**
     * @param subnetId subnet.
     * @param owner    owner.
     * @return this; the result is {@link #address(int)}.
     */
    public IpamBatch allocateNext(final String subnetId, final UUID owner)
    {
        return add(Op.ALLOCATE_NEXT, subnetId, null, owner, 0);
    }

    /**
     * @param subnetId subnet.
     * @param address  the address wanted.
     * @param owner    owner.
     * @return this; the result is {@link #address(int)}.
     */
    public IpamBatch allocate(final String subnetId, final String address, final UUID owner)
    {
        return add(Op.ALLOCATE_SPECIFIC, subnetId, address, owner, 0);
    }

    /**
     * @param subnetId an IPv6 /64.
     * @param mac      48-bit MAC.
     * @param owner    owner.
     * @return this; the result is {@link #address(int)}.
     */
    public IpamBatch allocateEui64(final String subnetId, final String mac, final UUID owner)
    {
        return add(Op.ALLOCATE_EUI64, subnetId, mac, owner, 0);
    }

    /**
     * @param subnetId subnet.
     * @param owner    owner.
     * @param count    1 .. maxBulk.
     * @return this; the result is {@link #addresses(int)}.
     */
    public IpamBatch allocateBulk(final String subnetId, final UUID owner, final int count)
    {
        return add(Op.ALLOCATE_BULK, subnetId, null, owner, count);
    }

    /**
     * @param subnetId subnet.
     * @param address  address.
     * @return this; the result is {@link #released(int)}.
     */
    public IpamBatch release(final String subnetId, final String address)
    {
        return add(Op.RELEASE, subnetId, address, null, 0);
    }

    /**
     * @param subnetId subnet.
     * @param address  address.
     * @param owner    the owner it must have.
     * @return this; the result is {@link #released(int)}.
     */
    public IpamBatch release(final String subnetId, final String address, final UUID owner)
    {
        return add(Op.RELEASE_CHECKED, subnetId, address, owner, 0);
    }

    /**
     * An operation the caller could not read (a message it decoded, say): it keeps its place in the results and is
     * answered with this error without being sent.
     *
     * @param error the error.
     * @return this.
     */
    public IpamBatch invalid(final IpamException error)
    {
        add(Op.INVALID, null, null, null, 0);
        errors[size - 1] = error == null ? new IpamException(ErrorCode.MALFORMED, "operation is null") : error;
        return this;
    }

    // ----- what was asked ---------------------------------------------------------------------------------------

    /**
     * @param i an operation's index.
     * @return what it does.
     */
    public Op op(final int i)
    {
        return OPS[ops[check(i)]];
    }

    /**
     * @param i an operation's index.
     * @return its subnet id (null for an {@link Op#INVALID} one).
     */
    public String subnetId(final int i)
    {
        return subnetIds[check(i)];
    }

    /**
     * @param i an operation's index.
     * @return its address (specific, release) or MAC (EUI-64), else null.
     */
    public String value(final int i)
    {
        return values[check(i)];
    }

    /**
     * @param i an operation's index.
     * @return its owner, or null for a release without one.
     */
    public UUID owner(final int i)
    {
        return owners[check(i)];
    }

    /**
     * @param i an operation's index.
     * @return its count (bulk), else 0.
     */
    public int count(final int i)
    {
        return counts[check(i)];
    }

    /**
     * @return the addresses the batch asks for: a bulk of n counts n (at least 1), every other operation 1.
     */
    public long addressesAsked()
    {
        long n = 0;
        for (int i = 0; i < size; i++)
        {
            n += ops[i] == Op.ALLOCATE_BULK.ordinal() ? Math.max(1, counts[i]) : 1;
        }
        return n;
    }

    // ----- results ----------------------------------------------------------------------------------------------

    /**
     * @param i an operation's index.
     * @return true if it succeeded (a release of a free address succeeds, with {@link #released(int)} false).
     */
    public boolean ok(final int i)
    {
        return errors[check(i)] == null;
    }

    /**
     * @param i an operation's index.
     * @return the failure of the operation, or null if it succeeded.
     */
    public IpamException error(final int i)
    {
        return errors[check(i)];
    }

    /**
     * @param i an allocation's index.
     * @return the address allocated, or null if the operation failed or is no single allocation.
     */
    public String address(final int i)
    {
        return addresses[check(i)];
    }

    /**
     * @param i a bulk allocation's index.
     * @return the addresses allocated, in the order taken, or null if it failed or is no bulk.
     */
    @SuppressWarnings("unchecked")
    public List<String> addresses(final int i)
    {
        return (List<String>)bulks[check(i)];
    }

    /**
     * @param i a release's index.
     * @return true if the address was allocated and is now free.
     */
    public boolean released(final int i)
    {
        return releasedFlags[check(i)];
    }

    // ----- for the allocator that applies it --------------------------------------------------------------------

    /**
     * @param i       an allocation's index.
     * @param address the address allocated.
     */
    public void succeeded(final int i, final String address)
    {
        errors[check(i)] = null;
        addresses[i] = address;
    }

    /**
     * @param i         a bulk allocation's index.
     * @param allocated the addresses allocated.
     */
    public void succeededBulk(final int i, final List<String> allocated)
    {
        errors[check(i)] = null;
        bulks[i] = allocated;
    }

    /**
     * @param i        a release's index.
     * @param released true if the address was allocated and is now free.
     */
    public void released(final int i, final boolean released)
    {
        errors[check(i)] = null;
        releasedFlags[i] = released;
    }

    /**
     * @param i     an operation's index.
     * @param error why it failed.
     */
    public void failed(final int i, final IpamException error)
    {
        errors[check(i)] = error;
        addresses[i] = null;
        bulks[i] = null;
        releasedFlags[i] = false;
    }

    private int check(final int i)
    {
        if (i < 0 || i >= size)
        {
            throw new IndexOutOfBoundsException("operation " + i + " of " + size);
        }
        return i;
    }
}
