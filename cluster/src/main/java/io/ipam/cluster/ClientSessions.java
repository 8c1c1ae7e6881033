package io.ipam.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.ipam.core.protocol.Reply;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The service's memory of what each client sent: per client id, the acknowledged mark (every sequence at or below
 * it was answered and read) and the answers to the commands above it, so that a command sent again (after a leader
 * change, or when an answer was lost) is answered from here and never applied twice. Part of the replicated state:
 * it changes only when the log is applied, is written into every snapshot, and forgets a client only by log time.
 * Service thread only.
 */
final class ClientSessions
{
    /** A client silent this long (log time) is forgotten; a command it sends later is applied as new. */
    static final long FORGET_AFTER_MS = 3_600_000L;

    private static final int MASK = ClusterProtocol.WINDOW - 1;

    private final Long2ObjectHashMap<Client> clients = new Long2ObjectHashMap<>();
    private long lastSweepMs;

    /** One client's window of answers, indexed by sequence modulo the window. */
    static final class Client
    {
        final long id;
        long acked;
        long lastSeenMs;
        final long[] seq = new long[ClusterProtocol.WINDOW];
        final int[] code = new int[ClusterProtocol.WINDOW];
        final long[] value = new long[ClusterProtocol.WINDOW];
        final long[] ownerMsb = new long[ClusterProtocol.WINDOW];
        final long[] ownerLsb = new long[ClusterProtocol.WINDOW];
        final long[] timeMs = new long[ClusterProtocol.WINDOW];
        final byte[][] payload = new byte[ClusterProtocol.WINDOW][];

        Client(final long id)
        {
            this.id = id;
        }

        /**
         * @param sequence a command's sequence.
         * @return true if it was applied before (its answer is kept when above the mark).
         */
        boolean seen(final long sequence)
        {
            return sequence <= acked || seq[(int)(sequence & MASK)] == sequence;
        }

        /**
         * @param sequence a command's sequence above the mark.
         * @return true if it fits in the window above the mark.
         */
        boolean fits(final long sequence)
        {
            return sequence - acked <= ClusterProtocol.WINDOW;
        }

        /**
         * @param sequence a command's sequence.
         * @return true if its answer is kept.
         */
        boolean hasAnswer(final long sequence)
        {
            return sequence > acked && seq[(int)(sequence & MASK)] == sequence;
        }

        void remember(final long sequence, final Reply r)
        {
            final int i = (int)(sequence & MASK);
            seq[i] = sequence;
            code[i] = r.code;
            value[i] = r.value;
            ownerMsb[i] = r.ownerMsb;
            ownerLsb[i] = r.ownerLsb;
            timeMs[i] = r.timeMs;
            if (r.payloadLength == 0)
            {
                payload[i] = null;
            }
            else
            {
                final byte[] p = new byte[r.payloadLength];
                r.payload.getBytes(0, p);
                payload[i] = p;
            }
        }

        void ack(final long upTo)
        {
            if (upTo > acked)
            {
                // answers at or below the mark are never asked for again: drop their payloads
                final long from = Math.max(acked + 1, upTo - ClusterProtocol.WINDOW + 1);
                for (long s = from; s <= upTo; s++)
                {
                    final int i = (int)(s & MASK);
                    if (seq[i] == s)
                    {
                        payload[i] = null;
                    }
                }
                acked = upTo;
            }
        }

        /**
         * Encode the kept answer to a sequence.
         *
         * @return the new offset.
         */
        int encodeAnswer(final long sequence, final MutableDirectBuffer out, final int offset)
        {
            final int i = (int)(sequence & MASK);
            final byte[] p = payload[i];
            final int length = p == null ? 0 : p.length;
            final int at = RepliesFlyweight.putAnswer(out, offset, sequence, code[i], length, value[i], ownerMsb[i],
                ownerLsb[i], timeMs[i]);
            if (length > 0)
            {
                out.putBytes(at, p);
            }
            return at + length;
        }

        int answerLength(final long sequence)
        {
            final byte[] p = payload[(int)(sequence & MASK)];
            return RepliesFlyweight.answerLength(p == null ? 0 : p.length);
        }
    }

    /**
     * The client's record, made on first sight; sweeps out clients silent for {@link #FORGET_AFTER_MS}.
     *
     * @param clientId the client.
     * @param nowMs    log time.
     * @return its record.
     */
    Client client(final long clientId, final long nowMs)
    {
        if (nowMs - lastSweepMs > 60_000L)
        {
            lastSweepMs = nowMs;
            clients.values().removeIf(c -> nowMs - c.lastSeenMs > FORGET_AFTER_MS);
        }
        Client c = clients.get(clientId);
        if (c == null)
        {
            c = new Client(clientId);
            clients.put(clientId, c);
        }
        c.lastSeenMs = nowMs;
        return c;
    }

    int size()
    {
        return clients.size();
    }

    /**
     * Write every client's mark and kept answers (snapshot).
     */
    void writeTo(final DataOutputStream out) throws IOException
    {
        final List<Client> all = new ArrayList<>(clients.values());
        all.sort((a, b) -> Long.compare(a.id, b.id)); // the same bytes on every replica
        out.writeLong(lastSweepMs);
        out.writeInt(all.size());
        for (final Client c : all)
        {
            out.writeLong(c.id);
            out.writeLong(c.acked);
            out.writeLong(c.lastSeenMs);
            int kept = 0;
            for (long s = c.acked + 1; s <= c.acked + ClusterProtocol.WINDOW; s++)
            {
                if (c.hasAnswer(s))
                {
                    kept++;
                }
            }
            out.writeInt(kept);
            for (long s = c.acked + 1; s <= c.acked + ClusterProtocol.WINDOW; s++)
            {
                if (c.hasAnswer(s))
                {
                    final int i = (int)(s & MASK);
                    out.writeLong(s);
                    out.writeInt(c.code[i]);
                    out.writeLong(c.value[i]);
                    out.writeLong(c.ownerMsb[i]);
                    out.writeLong(c.ownerLsb[i]);
                    out.writeLong(c.timeMs[i]);
                    final byte[] p = c.payload[i];
                    out.writeInt(p == null ? 0 : p.length);
                    if (p != null)
                    {
                        out.write(p);
                    }
                }
            }
        }
    }

    /**
     * Replace the contents with what {@link #writeTo} wrote.
     */
    void readFrom(final DataInputStream in) throws IOException
    {
        clients.clear();
        lastSweepMs = in.readLong();
        final int n = in.readInt();
        for (int k = 0; k < n; k++)
        {
            final Client c = new Client(in.readLong());
            c.acked = in.readLong();
            c.lastSeenMs = in.readLong();
            final int kept = in.readInt();
            if (kept < 0 || kept > ClusterProtocol.WINDOW)
            {
                throw new IOException("client " + c.id + " keeps " + kept + " answers, more than the window");
            }
            for (int j = 0; j < kept; j++)
            {
                final long s = in.readLong();
                final int i = (int)(s & MASK);
                c.seq[i] = s;
                c.code[i] = in.readInt();
                c.value[i] = in.readLong();
                c.ownerMsb[i] = in.readLong();
                c.ownerLsb[i] = in.readLong();
                c.timeMs[i] = in.readLong();
                final int length = in.readInt();
                if (length < 0 || length > (64 << 20))
                {
                    throw new IOException("an answer of " + length + " bytes");
                }
                if (length > 0)
                {
                    final byte[] p = new byte[length];
                    in.readFully(p);
                    c.payload[i] = p;
                }
            }
            clients.put(c.id, c);
        }
    }
}
