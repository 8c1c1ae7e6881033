package io.ipam.core.writer;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.engine.EngineResult;
import io.ipam.core.engine.Lifecycle;
import io.ipam.core.engine.RequestKeys;
import io.ipam.core.protocol.HotCommandFlyweight;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import io.ipam.core.protocol.ReplyCodec;
import io.ipam.core.protocol.Wire;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Requests made under a request key (SPEC 9): the same key and request again is answered with the kept first answer
 * and allocates nothing; the same key on another request is {@code MALFORMED}. A request is known by its
 * fingerprint, a 64-bit FNV-1a hash of its type, subnets (by id: handles are numbered again when a store is reopened
 * or a snapshot restored), owner, address, count or items, and lease; the header (time, correlation) is left out.
 * Fingerprints and kept answers are part of the engine's state (snapshots and stores carry them): their encodings
 * never change (a replica or a replay of an old log must end in the same bytes). Kept answers are bounded in bytes as
 * well as in number ({@link #begin}). Writer's thread only.
 */
final class KeyedRequests implements ReplyCodec.SubnetIds
{
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final AllocatorEngine engine;
    private final Lifecycle lifecycle;
    private final Wire keptIn = new Wire();
    private final Wire keptOut = new Wire();
    private final ExpandableArrayBuffer kept = new ExpandableArrayBuffer(64);
    private final UnsafeBuffer keptView = new UnsafeBuffer(new byte[0]);
    private final EngineResult first = new EngineResult();

    KeyedRequests(final AllocatorEngine engine)
    {
        this.engine = engine;
        this.lifecycle = engine.lifecycle();
    }

    @Override
    public String idOf(final int handle)
    {
        return engine.subnetId(handle);
    }

    @Override
    public int handleOf(final String id)
    {
        return engine.handle(id);
    }

    /**
     * @return the hash with eight more bytes (a long, little end first) mixed in.
     */
    static long mix(final long h, final long v)
    {
        long x = h;
        for (int i = 0; i < 8; i++)
        {
            x = (x ^ ((v >>> (i * 8)) & 0xFF)) * FNV_PRIME;
        }
        return x;
    }

    /**
     * @return the hash with a subnet mixed in: its id (length, then characters), or the handle of an unknown one.
     */
    long mixSubnet(final long h, final int handle)
    {
        final String id = engine.subnetId(handle);
        if (id == null)
        {
            return mix(h, handle);
        }
        long x = mix(h, id.length());
        for (int i = 0; i < id.length(); i++)
        {
            x = (x ^ id.charAt(i)) * FNV_PRIME;
        }
        return x;
    }

    /**
     * @return the start of a request's fingerprint: its type and lease.
     */
    static long start(final int type, final long leaseMs)
    {
        return mix(mix(FNV_OFFSET, type), leaseMs);
    }

    /**
     * @return the fingerprint of a hot allocation command.
     */
    long hot(final int type, final long leaseMs, final HotCommandFlyweight hot)
    {
        long h = start(type, leaseMs);
        h = mixSubnet(h, hot.handle());
        h = mix(h, hot.count());
        h = mix(h, hot.address());
        h = mix(h, hot.ownerMsb());
        h = mix(h, hot.ownerLsb());
        // a wide subnet's address high bits (a request before them has none, and keeps its fingerprint)
        return hot.hasAddressHigh() ? mix(h, hot.addressHigh()) : h;
    }

    /**
     * @return a fingerprint with a router's mark mixed in (SPEC 2: the mark is part of what makes a request; a
     * request without it keeps the fingerprint it always had).
     */
    static long mixRouter(final long fingerprint)
    {
        return mix(fingerprint, 0x526F75746572L); // "Router"
    }

    /**
     * The key a tenant used before, checked against this request.
     *
     * @return the key with its kept answer, or null for a key not seen (or forgotten).
     * @throws IpamException {@code MALFORMED} when the key was used for a different request.
     */
    RequestKeys.Key find(final String tenant, final String key, final long fingerprint)
    {
        final RequestKeys.Key seen = lifecycle.findKey(tenant, key);
        if (seen != null && seen.fingerprint != fingerprint)
        {
            throw new IpamException(ErrorCode.MALFORMED, "request key " + key + " was used for a different request" +
                (tenant == null ? "" : " of tenant " + tenant));
        }
        return seen;
    }

    /**
     * Answer with a kept first answer (a port answer with the handles its subnets have now).
     */
    void answer(final RequestKeys.Key seen, final int type, final Reply reply, final Wire out)
    {
        reply.code = seen.code();
        reply.value = seen.value();
        final byte[] payload = seen.payload();
        if (type == MessageTypes.ALLOCATE_PORT)
        {
            keptView.wrap(payload);
            ReplyCodec.portAnswerFromKept(keptIn.readFrom(keptView, 0, payload.length), out.writeTo(reply.payload, 0),
                this);
            reply.payloadLength = out.position();
            // the allocations' time and lease end, read from the first one while it is still held (a key keeps the
            // answer's code and payload, and 0 as a port answer's value, as it did before answers carried them)
            ReplyCodec.getPortItems(keptIn.readFrom(reply.payload, 0, reply.payloadLength),
                (i, handle, v6, hi, value) ->
            {
                if (i == 0 && engine.peek(handle, hi, value, first) == AllocatorEngine.FOUND)
                {
                    reply.timeMs = first.timeMs();
                    reply.value = first.expiresAt();
                }
            });
        }
        else
        {
            reply.payload.putBytes(0, payload);
            reply.payloadLength = payload.length;
        }
    }

    /**
     * The payload a keyed request's answer may keep at most, before the request is applied: a bulk's addresses, a
     * port request's items with subnet ids (at most 64 characters), nothing for a single allocation.
     *
     * @param type  the inner type.
     * @param count a bulk's count, or a port request's items.
     * @return the bound in bytes.
     */
    static long answerBytes(final int type, final int count)
    {
        if (type == MessageTypes.ALLOCATE_PORT)
        {
            return 4L + 85L * Math.max(0, count);
        }
        return type == MessageTypes.ALLOCATE_BULK ? 4L + 8L * Math.max(0, count) : 0;
    }

    /**
     * Start a keyed request not seen before.
     *
     * @param answerBytes the most payload bytes its answer may keep ({@link #answerBytes}).
     * @return the key, to make the request's allocations under.
     * @throws IpamException {@code LIMIT_EXCEEDED} when as many keys as allowed are remembered, or when remembering
     *                       this one could pass the bound on the bytes kept (SPEC 10); nothing is applied then.
     */
    RequestKeys.Key begin(final String tenant, final String key, final long fingerprint, final long answerBytes)
    {
        final RequestKeys keys = lifecycle.keys();
        if (!keys.hasRoom())
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "the allocator remembers its limit of " +
                keys.size() + " request keys");
        }
        if (!keys.hasRoomFor(tenant, key, answerBytes))
        {
            throw new IpamException(ErrorCode.LIMIT_EXCEEDED, "the request keys remembered hold " + keys.keptBytes() +
                " bytes of kept answers; remembering one more of up to " + answerBytes + " bytes would pass the " +
                "limit of " + keys.byteLimit() + " (maxRequestKeyBytes); retry without a key, or after keys expire");
        }
        return lifecycle.beginKey(tenant, key, fingerprint);
    }

    /**
     * The request was answered: a success is remembered with its answer (a port answer with subnet ids), a failure
     * forgets the key.
     */
    void finish(final RequestKeys.Key k, final int type, final Reply reply)
    {
        if (reply.code < 0)
        {
            lifecycle.abortKey(k);
            return;
        }
        final byte[] payload;
        if (type == MessageTypes.ALLOCATE_PORT)
        {
            final Wire w = keptOut.writeTo(kept, 0);
            ReplyCodec.portAnswerToKept(keptIn.readFrom(reply.payload, 0, reply.payloadLength), w, this);
            payload = new byte[w.position()];
            kept.getBytes(0, payload);
            lifecycle.commitKey(k, reply.code, 0, payload);
            return;
        }
        payload = new byte[reply.payloadLength];
        reply.payload.getBytes(0, payload);
        lifecycle.commitKey(k, reply.code, reply.value, payload);
    }

    /**
     * The request faulted: forget its key.
     */
    void abort(final RequestKeys.Key k)
    {
        lifecycle.abortKey(k);
    }
}
