package io.ipam.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.ipam.core.protocol.Reply;
import org.agrona.MutableDirectBuffer;

/**
 * The service's bounded memory of its clients (SPEC 10: state per remote client is bounded and expires by log time).
 * A client is known by its principal's namespace (a tenant, or {@code *}) and client id, never by what its messages
 * say. Each incarnation of a client starts with HELLO and gets an epoch (1, 2, 3, ... from a replicated counter);
 * its commands are numbered 1, 2, 3, ... within the epoch. Per client the table keeps the answer to every command
 * above the client's acknowledged mark, so a command sent again is answered from here and never applied twice.
 * <p>
 * Bounds, all counted from the log's contents (never from how big an array happens to be, so a member restored from
 * a snapshot decides as one that ran the whole log): at most {@code maxClients} clients; at most {@code maxSlots}
 * answer slots in all, a client being charged the span from its mark to its highest command (at least
 * {@link #MIN_RING}, at most {@link ClusterProtocol#WINDOW}); at most {@code maxKeptBytes} of kept payloads in all,
 * and a client holding a quarter of that has its new commands refused until it acknowledges. A HELLO past the client
 * cap, or answers past a budget, drop the client seen longest ago (log time; ties: the lower epoch), never the one
 * being answered; a client silent for {@link #FORGET_AFTER_MS} of log time is dropped. A dropped client's later
 * commands are answered with an error and never applied (its epoch is gone). The caps must be the same on every
 * member, like the engine's limits. Part of every snapshot. Service thread only.
 */
final class ClientTable
{
    /** A client silent this long (log time) is forgotten. */
    static final long FORGET_AFTER_MS = 3_600_000L;
    /** Default cap on clients remembered. */
    static final int DEFAULT_MAX_CLIENTS = 4096;
    /** Default cap on answer slots for all clients together (each slot is 48 bytes plus its payload). */
    static final long DEFAULT_MAX_SLOTS = 1 << 20;
    /** Default cap on the payload bytes kept for all clients together. */
    static final long DEFAULT_MAX_KEPT_BYTES = 64L << 20;
    /** Smallest ring of a client. */
    static final int MIN_RING = 16;
    private static final long SWEEP_EVERY_MS = 60_000L;

    /** A client's identity: its principal's namespace and its client id. */
    record Key(String namespace, long clientId)
    {
    }

    private final Map<Key, Client> clients = new HashMap<>();
    private final int maxClients;
    private final long maxSlots;
    private final long maxKeptBytes;
    private long slots;
    private long keptBytes;
    private long nextEpoch = 1;
    private long lastSweepMs;
    private long evicted;
    private long expired;

    /**
     * One incarnation of a client: its epoch, its mark and the answers above it, in a ring sized to what is
     * unacknowledged.
     */
    static final class Client
    {
        final Key key;
        final long epoch;
        final long helloSession;
        long lastSeenMs;
        /** Every command numbered at or below this was answered and the answer read. */
        long acked;
        /** The highest command number applied. */
        long highest;
        /** Slots charged to this client: the span from its mark to its highest command, at least MIN_RING. */
        long charged;
        /** Payload bytes of its kept answers. */
        long keptBytes;
        long[] seq;
        int[] code;
        long[] value;
        long[] ownerMsb;
        long[] ownerLsb;
        long[] timeMs;
        byte[][] payload;

        Client(final Key key, final long epoch, final long helloSession, final int ring)
        {
            this.key = key;
            this.epoch = epoch;
            this.helloSession = helloSession;
            allocate(ring);
        }

        private void allocate(final int ring)
        {
            seq = new long[ring];
            code = new int[ring];
            value = new long[ring];
            ownerMsb = new long[ring];
            ownerLsb = new long[ring];
            timeMs = new long[ring];
            payload = new byte[ring][];
        }

        int ring()
        {
            return seq.length;
        }

        private int index(final long sequence)
        {
            return (int)(sequence & (seq.length - 1));
        }

        /**
         * @return true if the command was applied before (at or below the mark, or its answer is kept).
         */
        boolean seen(final long sequence)
        {
            return sequence <= acked || hasAnswer(sequence);
        }

        /**
         * @return true if its answer is kept.
         */
        boolean hasAnswer(final long sequence)
        {
            return sequence > acked && sequence <= highest && seq[index(sequence)] == sequence;
        }

        /**
         * @return true if the command is within the window above the mark.
         */
        boolean fits(final long sequence)
        {
            return sequence > acked && sequence - acked <= ClusterProtocol.WINDOW;
        }

        int answerLength(final long sequence)
        {
            final byte[] p = payload[index(sequence)];
            return RepliesFlyweight.ANSWER_HEADER_LENGTH + (p == null ? 0 : p.length);
        }

        /**
         * Encode the kept answer to a sequence (as {@link ClusterProtocol}'s answer layout).
         *
         * @return the offset after it.
         */
        int encodeAnswer(final long sequence, final MutableDirectBuffer out, final int offset)
        {
            final int i = index(sequence);
            final byte[] p = payload[i];
            final int length = p == null ? 0 : p.length;
            out.putLong(offset, sequence);
            out.putInt(offset + 8, code[i]);
            out.putInt(offset + 12, length);
            out.putLong(offset + 16, value[i]);
            out.putLong(offset + 24, ownerMsb[i]);
            out.putLong(offset + 32, ownerLsb[i]);
            out.putLong(offset + 40, timeMs[i]);
            if (length > 0)
            {
                out.putBytes(offset + RepliesFlyweight.ANSWER_HEADER_LENGTH, p);
            }
            return offset + RepliesFlyweight.ANSWER_HEADER_LENGTH + length;
        }
    }

    ClientTable()
    {
        this(DEFAULT_MAX_CLIENTS, DEFAULT_MAX_SLOTS, DEFAULT_MAX_KEPT_BYTES);
    }

    /**
     * @param maxClients   most clients remembered (at least 1).
     * @param maxSlots     most answer slots for all clients together (at least 4 windows).
     * @param maxKeptBytes most payload bytes kept for all clients together (at least 4 of the largest answers).
     */
    ClientTable(final int maxClients, final long maxSlots, final long maxKeptBytes)
    {
        if (maxClients < 1 || maxSlots < 4L * ClusterProtocol.WINDOW ||
            maxKeptBytes < 4L * ClusterProtocol.MAX_ANSWER_BYTES)
        {
            throw new IllegalArgumentException("maxClients " + maxClients + ", maxSlots " + maxSlots +
                ", maxKeptBytes " + maxKeptBytes + ": too small");
        }
        this.maxClients = maxClients;
        this.maxSlots = maxSlots;
        this.maxKeptBytes = maxKeptBytes;
    }

    /**
     * A HELLO: a new incarnation of the client with a new epoch, replacing what was kept for its key; the same one
     * again if this session already said HELLO for it (a HELLO sent again because the WELCOME was late).
     *
     * @param key     the session's principal.
     * @param session the session's id.
     * @param nowMs   log time.
     * @return the client.
     */
    Client hello(final Key key, final long session, final long nowMs)
    {
        sweep(nowMs);
        final Client existing = clients.get(key);
        if (existing != null && existing.helloSession == session)
        {
            existing.lastSeenMs = nowMs;
            return existing;
        }
        if (existing != null)
        {
            drop(existing);
        }
        while (!clients.isEmpty() && (clients.size() >= maxClients || slots + MIN_RING > maxSlots))
        {
            drop(oldest(null));
            evicted++;
        }
        final Client c = new Client(key, nextEpoch++, session, MIN_RING);
        c.lastSeenMs = nowMs;
        clients.put(key, c);
        charge(c);
        return c;
    }

    /**
     * @param key   the session's principal.
     * @param epoch the epoch a batch names.
     * @param nowMs log time.
     * @return the client if it is known with that epoch (its last-seen time set), else null.
     */
    Client find(final Key key, final long epoch, final long nowMs)
    {
        sweep(nowMs);
        final Client c = clients.get(key);
        if (c == null || c.epoch != epoch)
        {
            return null;
        }
        c.lastSeenMs = nowMs;
        return c;
    }

    /**
     * @param epoch an epoch a batch names.
     * @return true if the table gave it out (it may have been dropped since); false for a forged one.
     */
    boolean issued(final long epoch)
    {
        return epoch >= 1 && epoch < nextEpoch;
    }

    /**
     * Move the client's mark: answers at or below it are never asked for again. A mark above the highest command
     * applied is taken as the highest (a client cannot acknowledge what it was never answered).
     */
    void ack(final Client c, final long mark)
    {
        final long upTo = Math.min(mark, c.highest);
        if (upTo <= c.acked)
        {
            return;
        }
        // at most a ring's worth of slots hold answers above the old mark
        final long from = Math.max(c.acked + 1, upTo - c.ring() + 1);
        for (long s = from; s <= upTo && s > 0; s++)
        {
            final int i = c.index(s);
            if (c.seq[i] == s && c.payload[i] != null)
            {
                c.keptBytes -= c.payload[i].length;
                keptBytes -= c.payload[i].length;
                c.payload[i] = null;
            }
        }
        c.acked = upTo;
        charge(c);
        shrink(c);
    }

    /**
     * @return false if the client holds a quarter of the kept-bytes budget in unacknowledged answers: its new
     *     commands are refused until it acknowledges some.
     */
    boolean admits(final Client c)
    {
        return c.keptBytes < maxKeptBytes / 4;
    }

    /**
     * Keep the answer to a command just applied (it fits: checked by the caller).
     */
    void remember(final Client c, final long sequence, final Reply r)
    {
        grow(c, sequence);
        final int i = c.index(sequence);
        if (c.seq[i] == sequence && c.payload[i] != null)
        {
            c.keptBytes -= c.payload[i].length;
            keptBytes -= c.payload[i].length;
        }
        c.seq[i] = sequence;
        c.code[i] = r.code;
        c.value[i] = r.value;
        c.ownerMsb[i] = r.ownerMsb;
        c.ownerLsb[i] = r.ownerLsb;
        c.timeMs[i] = r.timeMs;
        if (r.payloadLength == 0)
        {
            c.payload[i] = null;
        }
        else
        {
            final byte[] p = new byte[r.payloadLength];
            r.payload.getBytes(0, p);
            c.payload[i] = p;
            c.keptBytes += p.length;
            keptBytes += p.length;
        }
        if (sequence > c.highest)
        {
            c.highest = sequence;
        }
        charge(c);
        while ((slots > maxSlots || keptBytes > maxKeptBytes) && clients.size() > 1)
        {
            drop(oldest(c));
            evicted++;
        }
    }

    /**
     * Charge the client its span (from the log's contents only).
     */
    private void charge(final Client c)
    {
        final long now = Math.max(MIN_RING, c.highest - c.acked);
        slots += now - c.charged;
        c.charged = now;
    }

    /**
     * Make the ring hold every sequence from the mark to this one, within the slot budget (others are dropped,
     * oldest first, never this client).
     */
    private void grow(final Client c, final long sequence)
    {
        final long span = sequence - c.acked;
        if (span <= c.ring())
        {
            return;
        }
        int ring = c.ring();
        while (ring < span)
        {
            ring <<= 1;
        }
        resize(c, ring);
    }

    private void shrink(final Client c)
    {
        final long span = Math.max(c.highest - c.acked, 1);
        int ring = c.ring();
        while (ring > MIN_RING && ring / 4 >= span)
        {
            ring >>= 1;
        }
        if (ring != c.ring())
        {
            resize(c, ring);
        }
    }

    private void resize(final Client c, final int ring)
    {
        final long[] seq = c.seq;
        final int[] code = c.code;
        final long[] value = c.value;
        final long[] msb = c.ownerMsb;
        final long[] lsb = c.ownerLsb;
        final long[] time = c.timeMs;
        final byte[][] payload = c.payload;
        c.allocate(ring);
        for (int j = 0; j < seq.length; j++)
        {
            final long s = seq[j];
            if (s > c.acked && s <= c.highest)
            {
                final int i = c.index(s);
                c.seq[i] = s;
                c.code[i] = code[j];
                c.value[i] = value[j];
                c.ownerMsb[i] = msb[j];
                c.ownerLsb[i] = lsb[j];
                c.timeMs[i] = time[j];
                c.payload[i] = payload[j];
            }
        }
    }

    /**
     * The client seen longest ago (log time; ties: the lower epoch), other than {@code keep}.
     */
    private Client oldest(final Client keep)
    {
        Client oldest = null;
        for (final Client c : clients.values())
        {
            if (c != keep && (oldest == null || c.lastSeenMs < oldest.lastSeenMs ||
                c.lastSeenMs == oldest.lastSeenMs && c.epoch < oldest.epoch))
            {
                oldest = c;
            }
        }
        return oldest;
    }

    private void drop(final Client c)
    {
        clients.remove(c.key);
        slots -= c.charged;
        keptBytes -= c.keptBytes;
    }

    private void sweep(final long nowMs)
    {
        if (nowMs - lastSweepMs < SWEEP_EVERY_MS)
        {
            return;
        }
        lastSweepMs = nowMs;
        final List<Client> silent = new ArrayList<>();
        for (final Client c : clients.values())
        {
            if (nowMs - c.lastSeenMs > FORGET_AFTER_MS)
            {
                silent.add(c);
            }
        }
        for (final Client c : silent)
        {
            drop(c);
            expired++;
        }
    }

    int size()
    {
        return clients.size();
    }

    long slots()
    {
        return slots;
    }

    long keptBytes()
    {
        return keptBytes;
    }

    long evicted()
    {
        return evicted;
    }

    long expired()
    {
        return expired;
    }

    /**
     * Write the table (snapshot): the counters, then every client in epoch order with its kept answers.
     */
    void writeTo(final DataOutputStream out) throws IOException
    {
        final List<Client> all = new ArrayList<>(clients.values());
        all.sort((a, b) -> Long.compare(a.epoch, b.epoch));
        out.writeLong(nextEpoch);
        out.writeLong(lastSweepMs);
        out.writeLong(evicted);
        out.writeLong(expired);
        out.writeInt(all.size());
        for (final Client c : all)
        {
            out.writeUTF(c.key.namespace());
            out.writeLong(c.key.clientId());
            out.writeLong(c.epoch);
            out.writeLong(c.helloSession);
            out.writeLong(c.lastSeenMs);
            out.writeLong(c.acked);
            out.writeLong(c.highest);
            int kept = 0;
            for (long s = c.acked + 1; s <= c.highest; s++)
            {
                kept += c.hasAnswer(s) ? 1 : 0;
            }
            out.writeInt(kept);
            for (long s = c.acked + 1; s <= c.highest; s++)
            {
                if (c.hasAnswer(s))
                {
                    final int i = c.index(s);
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
     * Replace the contents with what {@link #writeTo} wrote; every count and length is checked before it is used.
     */
    void readFrom(final DataInputStream in) throws IOException
    {
        clients.clear();
        slots = 0;
        keptBytes = 0;
        nextEpoch = in.readLong();
        lastSweepMs = in.readLong();
        evicted = in.readLong();
        expired = in.readLong();
        final int n = in.readInt();
        if (n < 0 || n > maxClients)
        {
            throw new IOException(n + " clients in the snapshot, more than the " + maxClients + " this member keeps");
        }
        final Reply r = new Reply(0);
        for (int k = 0; k < n; k++)
        {
            final Key key = new Key(in.readUTF(), in.readLong());
            final long epoch = in.readLong();
            if (epoch < 1 || epoch >= nextEpoch)
            {
                throw new IOException("client epoch " + epoch + " was never given out");
            }
            final Client c = new Client(key, epoch, in.readLong(), MIN_RING);
            c.lastSeenMs = in.readLong();
            c.acked = in.readLong();
            final long highest = in.readLong();
            final int kept = in.readInt();
            if (highest < c.acked || highest - c.acked > ClusterProtocol.WINDOW || kept < 0 ||
                kept > highest - c.acked)
            {
                throw new IOException("client " + key + " keeps " + kept + " answers between " + c.acked + " and " +
                    highest);
            }
            c.highest = highest;
            for (int j = 0; j < kept; j++)
            {
                final long s = in.readLong();
                if (s <= c.acked || s > highest)
                {
                    throw new IOException("client " + key + " keeps an answer to " + s + " outside its window");
                }
                r.code = in.readInt();
                r.value = in.readLong();
                r.ownerMsb = in.readLong();
                r.ownerLsb = in.readLong();
                r.timeMs = in.readLong();
                final int length = in.readInt();
                if (length < 0 || length > ClusterProtocol.MAX_ANSWER_BYTES)
                {
                    throw new IOException("an answer of " + length + " bytes");
                }
                final byte[] p = new byte[length];
                in.readFully(p);
                r.payload.putBytes(0, p);
                r.payloadLength = length;
                restore(c, s, r);
            }
            clients.put(key, c);
            charge(c);
        }
        if (slots > maxSlots || keptBytes > maxKeptBytes)
        {
            throw new IOException("the snapshot's clients hold " + slots + " slots and " + keptBytes + " bytes, more " +
                "than this member keeps (" + maxSlots + ", " + maxKeptBytes + "): every member needs the same caps");
        }
    }

    private void restore(final Client c, final long sequence, final Reply r)
    {
        grow(c, sequence);
        final int i = c.index(sequence);
        c.seq[i] = sequence;
        c.code[i] = r.code;
        c.value[i] = r.value;
        c.ownerMsb[i] = r.ownerMsb;
        c.ownerLsb[i] = r.ownerLsb;
        c.timeMs[i] = r.timeMs;
        c.payload[i] = null;
        if (r.payloadLength > 0)
        {
            final byte[] p = new byte[r.payloadLength];
            r.payload.getBytes(0, p);
            c.payload[i] = p;
            c.keptBytes += p.length;
            keptBytes += p.length;
        }
    }
}
