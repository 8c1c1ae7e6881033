package io.ipam.cluster;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.ipam.core.Change;
import io.ipam.core.ErrorCode;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.Wire;
import org.agrona.MutableDirectBuffer;

/**
 * SPEC 10 for a cluster's answers: an answer larger than {@link ClusterProtocol#MAX_ANSWER_BYTES} is paged where the
 * API lets it be ({@code changes(after, max)} answers at most {@code max}: as many whole changes as fit), refused with
 * {@code LIMIT_EXCEEDED} otherwise; a {@code reconcile} or {@code reconcileSubnet} whose report would not fit is
 * refused before anything is changed ({@link #dryRunOffset}). Decided from the answer alone, which is replicated
 * state, so every member decides the same. Service thread only.
 */
final class AnswerLimit
{
    /** Bytes of a change before its three strings: sequence, time, kind, the owner flag. */
    private static final int CHANGE_FIXED = 8 + 8 + 1 + 1;
    private static final int UUID_BYTES = 16;

    private final Wire wire = new Wire();
    private final int maxAnswerBytes;
    private long paged;
    private long refused;

    AnswerLimit()
    {
        this(ClusterProtocol.MAX_ANSWER_BYTES);
    }

    /**
     * @param maxAnswerBytes the largest payload (tests use a smaller one).
     */
    AnswerLimit(final int maxAnswerBytes)
    {
        this.maxAnswerBytes = maxAnswerBytes;
    }

    /**
     * @param r an answer.
     * @return true if it fits as it is.
     */
    boolean fits(final Reply r)
    {
        return r.payloadLength <= maxAnswerBytes;
    }

    /**
     * Make an applied command's answer fit: page it, or replace it with LIMIT_EXCEEDED.
     *
     * @param type the command's type.
     * @param r    its answer.
     */
    void fit(final int type, final Reply r)
    {
        if (fits(r))
        {
            return;
        }
        final int bytes = r.payloadLength;
        if (type == MessageTypes.CHANGES && r.code >= 0)
        {
            page(r);
            paged++;
            return;
        }
        refused++;
        r.error(ErrorCode.LIMIT_EXCEEDED, "the answer to " + MessageTypes.name(type) + " is " + bytes +
            " bytes, more than the " + maxAnswerBytes + " a cluster answer carries" + (MessageTypes.isMutation(type) ?
            " (the command was applied; read its effect with smaller queries)" : "; ask for less"), wire);
    }

    /**
     * Keep the first changes that fit.
     */
    private void page(final Reply r)
    {
        final List<Change> all = ReplyCodec.getChanges(wire.readFrom(r.payload, 0, r.payloadLength));
        long bytes = 4;
        int keep = 0;
        while (keep < all.size())
        {
            bytes += size(all.get(keep));
            if (bytes > maxAnswerBytes)
            {
                break;
            }
            keep++;
        }
        ReplyCodec.putChanges(wire.writeTo(r.payload, 0), all.subList(0, keep));
        r.payloadLength = wire.position();
    }

    private static long size(final Change c)
    {
        return CHANGE_FIXED + string(c.tenant().orElse(null)) + string(c.subnetId().orElse(null)) +
            string(c.address().orElse(null)) + (c.owner().isPresent() ? UUID_BYTES : 0);
    }

    private static int string(final String s)
    {
        return 4 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    /**
     * Where a reconcile's dry-run flag is: after the header, its strings (RECONCILE: the scope; RECONCILE_SUBNET: the
     * scope and the subnet id) and the grace (8 bytes). Overflow-safe: each string length is checked against the
     * bytes left before it is skipped.
     *
     * @param type    {@code RECONCILE} or {@code RECONCILE_SUBNET}.
     * @param command the command's bytes.
     * @param length  its length.
     * @return the flag's offset, or -1 if the body is too short to tell or the type has no flag (the adapter then
     *     answers MALFORMED or applies it as it is).
     */
    static int dryRunOffset(final int type, final MutableDirectBuffer command, final int length)
    {
        final int strings = type == MessageTypes.RECONCILE ? 1 : type == MessageTypes.RECONCILE_SUBNET ? 2 : 0;
        if (strings == 0)
        {
            return -1;
        }
        int at = CommandHeader.LENGTH;
        for (int i = 0; i < strings; i++)
        {
            if (length - at < 4)
            {
                return -1;
            }
            final int bytes = command.getInt(at);
            at += 4;
            if (bytes < -1 || bytes > length - at)
            {
                return -1;
            }
            at += Math.max(0, bytes);
        }
        return length - at > 8 ? at + 8 : -1;
    }

    /**
     * Refuse a reconcile whose dry run answered more than fits: nothing was changed.
     *
     * @param type   {@code RECONCILE} or {@code RECONCILE_SUBNET}.
     * @param dryRun the dry run's answer, replaced by the refusal.
     */
    void refuseReconcile(final int type, final Reply dryRun)
    {
        refused++;
        dryRun.error(ErrorCode.LIMIT_EXCEEDED, MessageTypes.name(type) + " would answer a report of " +
            dryRun.payloadLength + " bytes, more than the " + maxAnswerBytes + " a cluster answer carries; nothing " +
            "was changed: reconcile with a longer grace" + (type == MessageTypes.RECONCILE ? ", or per tenant" : ""),
            wire);
    }

    long paged()
    {
        return paged;
    }

    long refused()
    {
        return refused;
    }
}
