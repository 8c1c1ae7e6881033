package io.ipam.core.internal;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.addr.AddressText;
import io.ipam.core.addr.IpAddress;
import io.ipam.core.engine.AllocatorEngine;
import io.ipam.core.internal.SubnetHandles.SubnetRef;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;

import static io.ipam.core.internal.Edge.addressValue;
import static io.ipam.core.internal.Edge.nonNull;

/**
 * The asynchronous address calls of a facade: checked and encoded on the caller's thread, sent with
 * {@code CommandTransport.executeAsync}, and completed where the answer is read: on the caller's thread when it found
 * the local writer free and applied the command itself, else on the thread that applied it (a local writer's other
 * caller or its dedicated thread, after the batch hook) or the transport's (a writer elsewhere). A stale cached handle
 * (the subnet was deleted and created again under its id) is retried once with the blocking call on the common pool,
 * never on the thread that answered. Thread-safe.
 */
final class AsyncCalls
{
    private final Edge edge;
    private final Ipam facade;

    /**
     * @param edge   the facade's edge (its scope included).
     * @param facade the facade itself, for a retry with a fresh handle.
     */
    AsyncCalls(final Edge edge, final Ipam facade)
    {
        this.edge = edge;
        this.facade = facade;
    }

    CompletableFuture<String> allocate(final String subnetId, final UUID owner)
    {
        final CompletableFuture<String> f = new CompletableFuture<>();
        try
        {
            edge.checkOpen();
            nonNull(owner, "owner");
            final SubnetRef ref = edge.ref(subnetId);
            final Reply r = edge.proxy.encodeHot(MessageTypes.ALLOCATE, ref.handle, 0, 0, owner, edge.scope, null, 0);
            edge.proxy.transport().executeAsync(r, answer ->
            {
                if (stale(answer, ref, f, () -> facade.allocate(subnetId, owner)))
                {
                    return;
                }
                try
                {
                    f.complete(edge.answers.allocated(answer, ref, subnetId, ""));
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

    CompletableFuture<Boolean> release(final String subnetId, final String address)
    {
        final CompletableFuture<Boolean> f = new CompletableFuture<>();
        try
        {
            edge.checkOpen();
            nonNull(subnetId, "subnet id");
            final IpAddress a = AddressText.parseAddress(address, "address");
            final SubnetRef ref = edge.ref(subnetId);
            final Reply r = edge.proxy.encodeHot(MessageTypes.RELEASE, ref.handle, 0, Answers.isWide(ref.cidr), a.hi(),
                addressValue(subnetId, ref.cidr, a), null, edge.scope, null, 0, false);
            edge.proxy.transport().executeAsync(r, answer ->
            {
                if (stale(answer, ref, f, () -> facade.release(subnetId, address)))
                {
                    return;
                }
                try
                {
                    f.complete(edge.answers.code(answer, subnetId, "address " + a) == AllocatorEngine.RELEASED);
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
     * An answer sent with a stale cached handle: the slot is given back, the handle forgotten, and the call made
     * again, blocking, on the common pool.
     *
     * @return true if the answer was of a stale handle (the future is then completed by the retry).
     */
    private <T> boolean stale(final Reply answer, final SubnetRef ref, final CompletableFuture<T> f,
        final Supplier<T> retry)
    {
        if (answer.code != ErrorCode.SUBNET_NOT_FOUND.resultCode())
        {
            return false;
        }
        edge.answers.release(answer);
        edge.handles.stale(ref);
        ForkJoinPool.commonPool().execute(() ->
        {
            try
            {
                f.complete(retry.get());
            }
            catch (final RuntimeException ex)
            {
                f.completeExceptionally(ex);
            }
        });
        return true;
    }
}
