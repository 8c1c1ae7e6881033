package io.ipam.server;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ipam.core.Ipam;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;

/**
 * One {@code BatchStream}: at most {@link #STREAM_WINDOW} batches in progress, answers in order, and the next batch
 * is read only when an answer has gone out and the client is reading (so a client that sends without reading cannot
 * make the server buffer answers). Thread-safe: gRPC's callbacks and the batches' completions meet under its lock.
 */
final class BatchStreamHandler implements StreamObserver<BatchRequest>
{
    /** Batches a BatchStream works on at once before it reads the next one. */
    static final int STREAM_WINDOW = 4;

    private final ServerCallStreamObserver<BatchResponse> call;
    private final Ipam ipam;
    private final Batches batches;
    private final ArrayDeque<CompletableFuture<BatchResponse>> pending = new ArrayDeque<>();
    private int owedRequests;
    private boolean inputDone;
    private boolean finished;

    BatchStreamHandler(final ServerCallStreamObserver<BatchResponse> call, final Ipam ipam, final Batches batches)
    {
        this.call = call;
        this.ipam = ipam;
        this.batches = batches;
        call.disableAutoRequest();
        call.setOnReadyHandler(this::onReady);
        call.setOnCancelHandler(this::onCancelled);
        call.request(STREAM_WINDOW);
    }

    @Override
    public void onNext(final BatchRequest request)
    {
        CompletableFuture<BatchResponse> future;
        try
        {
            future = batches.run(ipam, request);
        }
        catch (final RuntimeException ex)
        {
            future = CompletableFuture.failedFuture(ex);
        }
        synchronized (this)
        {
            pending.addLast(future);
        }
        future.whenComplete((r, t) -> drain());
    }

    private void drain()
    {
        synchronized (this)
        {
            while (!finished && !pending.isEmpty() && pending.peekFirst().isDone())
            {
                final CompletableFuture<BatchResponse> head = pending.pollFirst();
                try
                {
                    call.onNext(head.join());
                }
                catch (final CompletionException ex)
                {
                    finished = true;
                    call.onError(Responses.status(ex));
                    return;
                }
                owedRequests++;
            }
            if (!finished && inputDone && pending.isEmpty())
            {
                finished = true;
                call.onCompleted();
                return;
            }
        }
        onReady();
    }

    private void onReady()
    {
        int n;
        synchronized (this)
        {
            if (finished || !call.isReady())
            {
                return;
            }
            n = owedRequests;
            owedRequests = 0;
        }
        if (n > 0)
        {
            call.request(n);
        }
    }

    private synchronized void onCancelled()
    {
        finished = true;
        pending.clear();
    }

    @Override
    public void onError(final Throwable t)
    {
        onCancelled();
    }

    @Override
    public void onCompleted()
    {
        synchronized (this)
        {
            inputDone = true;
        }
        drain();
    }
}
