package io.ipam.core.agent;

import java.util.function.Consumer;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.HotPath;
import io.ipam.core.internal.HotRequest;
import io.ipam.core.internal.HotSlots;
import org.agrona.MutableDirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

/**
 * The single writer: drains the request ring in batches, applies each request to the engine (check and commit
 * in one step on this thread), and answers through the caller's reply slot. With a durable store the replies
 * of a batch are published only after the store's batch hook ran (group commit). Anything a request throws goes
 * to the {@link ErrorHandler} and a counter, the caller gets {@code INTERNAL}, and the agent keeps serving.
 */
public final class AllocatorAgent implements Agent, MessageHandler
{
    /** Most requests taken from the ring per duty cycle. */
    public static final int BATCH_LIMIT = 256;

    private final AllocatorEngine engine;
    private final ManyToOneRingBuffer ring;
    private final HotSlots hotSlots;
    private final Slots.CommandSlot[] commandSlots;
    private final Slots.BatchSlot[] batchSlots;
    private final IpamCounters counters;
    private final ErrorHandler errorHandler;
    private final Runnable afterBatch;
    private final HotRequest scratch = new HotRequest(-1);
    // replies held back until the batch hook ran: slot kind (0 hot, 1 command, 2 batch) and index
    private final int[] pendingKind = new int[BATCH_LIMIT];
    private final int[] pendingIndex = new int[BATCH_LIMIT];
    private final long[] pendingCorrelation = new long[BATCH_LIMIT];
    private int pending;
    private volatile Consumer<HotRequest> faultInjector;

    /**
     * @param engine       the engine this agent owns from now on.
     * @param ring         the request ring.
     * @param hotSlots     reply slots of hot requests.
     * @param commandSlots command slots.
     * @param batchSlots   batch slots.
     * @param counters     counters.
     * @param errorHandler where faults go.
     * @param afterBatch   run after each batch before its replies go out (durable sync), or null.
     */
    public AllocatorAgent(
        final AllocatorEngine engine,
        final ManyToOneRingBuffer ring,
        final HotSlots hotSlots,
        final Slots.CommandSlot[] commandSlots,
        final Slots.BatchSlot[] batchSlots,
        final IpamCounters counters,
        final ErrorHandler errorHandler,
        final Runnable afterBatch)
    {
        this.engine = engine;
        this.ring = ring;
        this.hotSlots = hotSlots;
        this.commandSlots = commandSlots;
        this.batchSlots = batchSlots;
        this.counters = counters;
        this.errorHandler = errorHandler;
        this.afterBatch = afterBatch;
    }

    /**
     * Test seam: called on the writer before each hot request is applied; whatever it throws is handled as a
     * fault of that request.
     *
     * @param injector the injector or null.
     */
    public void faultInjector(final Consumer<HotRequest> injector)
    {
        this.faultInjector = injector;
    }

    @Override
    public int doWork()
    {
        final int work = ring.read(this, BATCH_LIMIT);
        if (work > 0)
        {
            if (afterBatch != null)
            {
                try
                {
                    afterBatch.run();
                }
                catch (final RuntimeException ex)
                {
                    fault(ex);
                }
            }
            publishPending();
        }
        counters.queueDepth.setRelease(ring.size() / RequestDescriptor.HOT_LENGTH);
        return work;
    }

    @Override
    public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final long correlationId = buffer.getLong(index + RequestDescriptor.CORRELATION_ID_OFFSET);
        final int slot = buffer.getInt(index + RequestDescriptor.SLOT_OFFSET);
        if (msgTypeId == RequestDescriptor.COMMAND)
        {
            runCommand(commandSlots[slot], correlationId);
            hold(1, slot, correlationId);
        }
        else if (msgTypeId == RequestDescriptor.BATCH)
        {
            final Slots.BatchSlot batch = batchSlots[slot];
            final int count = buffer.getInt(index + RequestDescriptor.BATCH_COUNT_OFFSET);
            int offset = index + RequestDescriptor.BATCH_HEADER_LENGTH;
            for (int i = 0; i < count; i++)
            {
                decode(buffer.getInt(offset + RequestDescriptor.SLOT_OFFSET), buffer, offset);
                apply();
                batch.results[i] = scratch.result;
                batch.addresses[i] = scratch.replyAddress;
                offset += RequestDescriptor.HOT_LENGTH;
            }
            hold(2, slot, correlationId);
        }
        else
        {
            decode(msgTypeId, buffer, index);
            apply();
            final HotRequest reply = hotSlots.get(slot);
            reply.result = scratch.result;
            reply.replyAddress = scratch.replyAddress;
            reply.replyOwnerMsb = scratch.replyOwnerMsb;
            reply.replyOwnerLsb = scratch.replyOwnerLsb;
            reply.replyTimeMs = scratch.replyTimeMs;
            hold(0, slot, correlationId);
        }
    }

    private void decode(final int type, final MutableDirectBuffer buffer, final int offset)
    {
        scratch.type = type;
        scratch.handle = buffer.getInt(offset + RequestDescriptor.HANDLE_OFFSET);
        scratch.address = buffer.getLong(offset + RequestDescriptor.ADDRESS_OFFSET);
        scratch.ownerMsb = buffer.getLong(offset + RequestDescriptor.OWNER_MSB_OFFSET);
        scratch.ownerLsb = buffer.getLong(offset + RequestDescriptor.OWNER_LSB_OFFSET);
        scratch.timeMs = buffer.getLong(offset + RequestDescriptor.TIME_OFFSET);
    }

    private void apply()
    {
        counters.requests.incrementRelease();
        try
        {
            final Consumer<HotRequest> injector = faultInjector;
            if (injector != null)
            {
                injector.accept(scratch);
            }
            HotPath.apply(engine, scratch);
        }
        catch (final RuntimeException ex)
        {
            fault(ex);
            scratch.result = -ErrorCode.INTERNAL.value();
        }
        final int rc = scratch.result;
        if (rc < 0)
        {
            counters.failed(rc);
        }
        else if (scratch.type <= HotRequest.ALLOCATE_EUI64)
        {
            counters.allocations.incrementRelease();
        }
        else if (rc == AllocatorEngine.RELEASED &&
            (scratch.type == HotRequest.RELEASE || scratch.type == HotRequest.RELEASE_CHECKED))
        {
            counters.releases.incrementRelease();
        }
    }

    private void runCommand(final Slots.CommandSlot command, final long correlationId)
    {
        counters.requests.incrementRelease();
        try
        {
            command.result = command.command.apply(engine);
            command.error = null;
        }
        catch (final IpamException ex)
        {
            command.error = ex;
            counters.failures(ex.code()).incrementRelease();
        }
        catch (final RuntimeException ex)
        {
            fault(ex);
            command.error = new IpamException(ErrorCode.INTERNAL, "the writer failed on this request (" + ex +
                "); it was reported and the writer keeps serving", ex);
        }
    }

    private void fault(final Throwable t)
    {
        counters.writerErrors.incrementRelease();
        try
        {
            errorHandler.onError(t);
        }
        catch (final RuntimeException ignore)
        {
            // a failing error handler must not kill the writer either
        }
    }

    private void hold(final int kind, final int index, final long correlationId)
    {
        if (afterBatch == null)
        {
            publish(kind, index, correlationId);
            return;
        }
        pendingKind[pending] = kind;
        pendingIndex[pending] = index;
        pendingCorrelation[pending] = correlationId;
        pending++;
    }

    private void publishPending()
    {
        for (int i = 0; i < pending; i++)
        {
            publish(pendingKind[i], pendingIndex[i], pendingCorrelation[i]);
        }
        pending = 0;
    }

    private void publish(final int kind, final int index, final long correlationId)
    {
        switch (kind)
        {
            case 0:
                hotSlots.get(index).completed = correlationId;
                break;
            case 1:
                commandSlots[index].completed = correlationId;
                break;
            default:
                batchSlots[index].completed = correlationId;
        }
    }

    @Override
    public String roleName()
    {
        return "ipam-allocator";
    }
}
