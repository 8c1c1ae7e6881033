package io.ipam.core.writer;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocationTerms;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.protocol.BatchAnswerFlyweight;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The adapter's part of a {@link MessageTypes#BATCH}: the whole batch checked first (its layout, its addresses against
 * {@code maxBulk}), then each entry applied as the hot command it holds, with the batch's time, its answer written
 * into the {@link BatchAnswerFlyweight}. The writer wraps each entry in an {@link EntryScope} (its own undo and
 * change-feed mark); without one (a replay) a fault is not caught here. Writer's thread only.
 */
final class BatchCommands
{
    /**
     * What the writer does around each entry of a batch.
     */
    interface EntryScope
    {
        /**
         * An entry starts: its undo journal and change-feed mark.
         *
         * @return false if the writer stopped after a fault it could not undo (the entry is then not applied).
         */
        boolean begin();

        /**
         * The entry stands: its changes go to the change feed's sink.
         *
         * @param type its type.
         * @param code its answer's code.
         */
        void commit(int type, int code);

        /**
         * The entry threw: it is undone and reported.
         *
         * @param type its type.
         * @param t    what it threw.
         * @return the entry's code: the store's refusal, or {@code INTERNAL}.
         */
        int fault(int type, Throwable t);
    }

    private final AllocatorEngine engine;
    private final BatchCommandFlyweight batch = new BatchCommandFlyweight();
    private final HotCommandFlyweight hot = new HotCommandFlyweight();
    private final EngineResult result = new EngineResult();
    private long[] bulk = new long[64];
    private long[] bulkHi = new long[0];
    private EntryScope scope;

    BatchCommands(final AllocatorEngine engine)
    {
        this.engine = engine;
    }

    /**
     * @param scope what the writer does around each entry, or null (a fault then leaves through {@link #apply}).
     */
    void scope(final EntryScope scope)
    {
        this.scope = scope;
    }

    /**
     * Apply a batch and write its answer.
     *
     * @throws IpamException {@code MALFORMED} or {@code BULK_TOO_LARGE} for the whole batch, before anything is
     *                       applied.
     */
    void apply(final DirectBuffer buffer, final int offset, final int length, final long time, final Reply reply)
    {
        final BatchCommandFlyweight b = batch.wrap(buffer, offset, length);
        final int n = b.count();
        final long addresses = b.totalAddresses();
        if (addresses > engine.maxBulk())
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a batch asking for " + addresses +
                " addresses is over the limit of " + engine.maxBulk());
        }
        final long longs = b.answerLongs(); // at most 2 per address asked + 3 per entry
        if (BatchAnswerFlyweight.ENTRIES_OFFSET + (long)n * BatchAnswerFlyweight.ENTRY_LENGTH + longs * 8 >
            Integer.MAX_VALUE - 8)
        {
            throw new IpamException(ErrorCode.BULK_TOO_LARGE, "a batch of " + n + " entries asking for " + addresses +
                " addresses would have an answer larger than a buffer holds");
        }
        final int extra = (int)longs;
        final MutableDirectBuffer out = reply.payload;
        BatchAnswerFlyweight.begin(out, n, extra);
        int answered = 0;
        for (int i = 0; i < n; i++)
        {
            final int type = b.type(i);
            int code;
            if (type == BatchCommandFlyweight.SKIPPED)
            {
                code = b.skippedCode(i);
                BatchAnswerFlyweight.answer(out, i, code, BatchAnswerFlyweight.NO_EXTRA, 0);
                continue; // applied nothing: not counted as answered
            }
            if (scope == null)
            {
                code = entry(i, type, time, out, n);
            }
            else if (!scope.begin())
            {
                code = ErrorCode.INTERNAL.resultCode();
                BatchAnswerFlyweight.answer(out, i, code, BatchAnswerFlyweight.NO_EXTRA, 0);
                b.skip(i, code);
            }
            else
            {
                final int extraMark = BatchAnswerFlyweight.extraCount(out);
                try
                {
                    code = entry(i, type, time, out, n);
                    scope.commit(type, code);
                }
                catch (final Throwable t)
                {
                    code = scope.fault(type, t);
                    BatchAnswerFlyweight.truncateExtra(out, extraMark);
                    BatchAnswerFlyweight.answer(out, i, code, BatchAnswerFlyweight.NO_EXTRA, 0);
                    b.skip(i, code); // logged as not applied, with its answer: a replay answers it the same
                }
            }
            if (code >= 0)
            {
                answered++;
            }
        }
        reply.code = answered;
        reply.value = n;
        reply.payloadLength = BatchAnswerFlyweight.written(out, n);
    }

    /**
     * One entry, as its hot command would be applied. An entry naming a wide subnet (IPv6 /1 to /63) must be marked
     * {@link BatchCommandFlyweight#FLAG_WIDE}; its address's high word is the entry's when given, else the subnet's
     * own, and its answer's extra area carries the high words of what it allocated.
     *
     * @return its code.
     */
    private int entry(final int i, final int type, final long time, final MutableDirectBuffer out, final int n)
    {
        final HotCommandFlyweight h = batch.wrapEntry(i, hot);
        final int handle = h.handle();
        final boolean wide = engine.isWide(handle);
        if (wide && !batch.wide(i))
        {
            // a wide subnet's addresses vary in their high word: only an entry marked wide is answered with it. Every
            // batch written before the mark existed was answered so: its replay is too.
            final int rc = ErrorCode.MALFORMED.resultCode();
            BatchAnswerFlyweight.answer(out, i, rc, BatchAnswerFlyweight.NO_EXTRA, 0);
            return rc;
        }
        if (!wide && batch.addressHighGiven(i))
        {
            // a narrow subnet's high word must be its own
            final int rc = engine.subnetId(handle) == null ? ErrorCode.SUBNET_NOT_FOUND.resultCode() :
                batch.addressHigh(i) != engine.subnetHigh(handle) ? ErrorCode.ADDRESS_INVALID.resultCode() : 0;
            if (rc < 0)
            {
                BatchAnswerFlyweight.answer(out, i, rc, BatchAnswerFlyweight.NO_EXTRA, 0);
                return rc;
            }
        }
        // a wide subnet's address given with its high word; otherwise the high word is the subnet's own
        final boolean high = wide && batch.addressHighGiven(i);
        final long hi = batch.addressHigh(i);
        final AllocationTerms none = AllocationTerms.NONE;
        int extra = BatchAnswerFlyweight.NO_EXTRA;
        final int rc;
        switch (type)
        {
            case MessageTypes.ALLOCATE:
                rc = engine.allocate(handle, h.ownerMsb(), h.ownerLsb(), time, none, result);
                break;
            case MessageTypes.ALLOCATE_NEXT:
                rc = engine.allocateNext(handle, h.ownerMsb(), h.ownerLsb(), time, none, result);
                break;
            case MessageTypes.ALLOCATE_SPECIFIC:
                rc = high ?
                    engine.allocateSpecific(handle, hi, h.address(), h.ownerMsb(), h.ownerLsb(), time, none, result) :
                    engine.allocateSpecific(handle, h.address(), h.ownerMsb(), h.ownerLsb(), time, none, result);
                break;
            case MessageTypes.ALLOCATE_EUI64:
                rc = engine.allocateEui64(handle, h.address(), h.ownerMsb(), h.ownerLsb(), time, none, result);
                break;
            case MessageTypes.RELEASE:
                rc = high ? engine.release(handle, hi, h.address(), false, 0, 0) : engine.release(handle, h.address());
                break;
            case MessageTypes.RELEASE_CHECKED:
                rc = high ? engine.release(handle, hi, h.address(), true, h.ownerMsb(), h.ownerLsb()) :
                    engine.release(handle, h.address(), h.ownerMsb(), h.ownerLsb());
                break;
            case MessageTypes.OWNER_OF:
                rc = high ? engine.ownerOf(handle, hi, h.address(), result) :
                    engine.ownerOf(handle, h.address(), result);
                if (rc == AllocatorEngine.FOUND)
                {
                    extra = BatchAnswerFlyweight.extra(out, n, result.ownerMsb());
                    BatchAnswerFlyweight.extra(out, n, result.ownerLsb());
                    BatchAnswerFlyweight.extra(out, n, result.timeMs());
                }
                break;
            default: // ALLOCATE_BULK
                final int first = BatchAnswerFlyweight.extraCount(out);   // where the bulk's addresses go
                rc = bulk(h, handle, wide, time, out, n);
                extra = rc == AllocatorEngine.OK ? first : BatchAnswerFlyweight.NO_EXTRA;
        }
        long value = 0;
        if (rc == AllocatorEngine.OK && type <= MessageTypes.ALLOCATE_EUI64)
        {
            value = result.address();
            if (wide)
            {
                extra = BatchAnswerFlyweight.extra(out, n, result.addressHi());
            }
        }
        BatchAnswerFlyweight.answer(out, i, rc, extra, value);
        return rc;
    }

    /**
     * A bulk entry: its addresses appended to the answer's extra area (a wide subnet's as (high, low) pairs).
     *
     * @return its code.
     */
    private int bulk(final HotCommandFlyweight h, final int handle, final boolean wide, final long time,
        final MutableDirectBuffer out, final int n)
    {
        final int count = h.count();
        if (count > 0 && count <= engine.maxBulk())
        {
            if (bulk.length < count)
            {
                bulk = new long[Math.max(count, bulk.length * 2)];
            }
            if (wide && bulkHi.length < count)
            {
                bulkHi = new long[bulk.length];
            }
        }
        final int rc = wide ?
            engine.allocateBulk(handle, count, h.ownerMsb(), h.ownerLsb(), time, AllocationTerms.NONE, bulk, bulkHi) :
            engine.allocateBulk(handle, count, h.ownerMsb(), h.ownerLsb(), time, AllocationTerms.NONE, bulk);
        if (rc == AllocatorEngine.OK)
        {
            for (int k = 0; k < count; k++)
            {
                if (wide)
                {
                    BatchAnswerFlyweight.extra(out, n, bulkHi[k]);
                }
                BatchAnswerFlyweight.extra(out, n, bulk[k]);
            }
        }
        return rc;
    }
}
