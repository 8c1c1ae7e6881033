package io.ipam.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.ipam.client.StatusCodes;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import io.ipam.proto.v1.AllocateRequest;
import io.ipam.proto.v1.BatchOp;
import io.ipam.proto.v1.BatchRequest;
import io.ipam.proto.v1.BatchResponse;
import io.ipam.proto.v1.CreateSubnetRequest;
import io.ipam.proto.v1.DeleteSubnetRequest;
import io.ipam.proto.v1.IpamServiceGrpc;
import io.ipam.proto.v1.ReleaseRequest;
import org.HdrHistogram.Histogram;

/**
 * {@code ipam bench --server}: drives a running server from N connections on loopback, closed loop (each client
 * waits for its answer), in two modes: unary (one Allocate, then one Release of what it got: a pair) and batch
 * (one Batch of B allocations, then one Batch releasing them: B pairs). Reports pairs per second and the
 * latency of one pair (unary) or of one allocate+release round of B (batch), from an HdrHistogram. Works in its
 * own fresh subnet, deleted at the end. A warm-up of 2-5 s comes first, since this client starts in a fresh JVM.
 */
final class ServerBench
{
    private static final Metadata.Key<String> AUTHORIZATION =
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private ServerBench()
    {
    }

    /** One measured run. */
    static final class Result
    {
        final String mode;
        final int clients;
        final int batch;
        final double pairsPerSecond;
        final Histogram latencyUs;
        final long errors;

        Result(final String mode, final int clients, final int batch, final double pairsPerSecond,
            final Histogram latencyUs, final long errors)
        {
            this.mode = mode;
            this.clients = clients;
            this.batch = batch;
            this.pairsPerSecond = pairsPerSecond;
            this.latencyUs = latencyUs;
            this.errors = errors;
        }
    }

    static IpamServiceGrpc.IpamServiceBlockingStub stub(final ManagedChannel channel, final String token)
    {
        final IpamServiceGrpc.IpamServiceBlockingStub stub = IpamServiceGrpc.newBlockingStub(channel);
        if (token == null)
        {
            return stub;
        }
        final Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static ManagedChannel channel(final ServerOption server)
    {
        final ChannelCredentials credentials;
        if (server.tlsCa() == null)
        {
            credentials = InsecureChannelCredentials.create();
        }
        else
        {
            try
            {
                credentials = TlsChannelCredentials.newBuilder().trustManager(server.tlsCa().toFile()).build();
            }
            catch (final IOException | RuntimeException ex)
            {
                throw new IpamException(ErrorCode.STORE_IO, "cannot read --tls-ca: " + ex.getMessage());
            }
        }
        return Grpc.newChannelBuilder(server.target(), credentials).maxInboundMessageSize(64 << 20).build();
    }

    /**
     * Run unary and batch modes at each client count.
     */
    static List<Result> run(final PrintWriter out, final ServerOption target, final String token,
        final int[] clientCounts, final int batch, final long runMs) throws Exception
    {
        final List<Result> results = new ArrayList<>();
        final ManagedChannel admin = channel(target);
        final String subnet = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        try
        {
            try
            {
                stub(admin, token).createSubnet(CreateSubnetRequest.newBuilder().setId(subnet).setCidr("10.250.0.0/16")
                    .build());
            }
            catch (final StatusRuntimeException ex)
            {
                throw StatusCodes.toIpamException(ex);
            }
            // this client runs in a fresh JVM: without a real warm-up its first client count was measured in the
            // interpreter (p50 of one pair 2-7 ms against 0.2 ms from a warm client, issue 25)
            final long warmMs = Math.max(2000, Math.min(5000, runMs * 2));
            out.printf(Locale.ROOT, "warming up (client and server compile their hot paths): %.1f s%n", warmMs / 1e3);
            out.flush();
            int most = 1;
            for (final int n : clientCounts)
            {
                most = Math.max(most, n);
            }
            measure(target, token, subnet, most, 0, warmMs);
            measure(target, token, subnet, 1, batch, warmMs / 2);
            for (final int n : clientCounts)
            {
                measure(target, token, subnet, n, 0, Math.min(500, runMs / 4));       // warm-up
                results.add(measure(target, token, subnet, n, 0, runMs));
                print(out, results.get(results.size() - 1));
            }
            for (final int n : clientCounts)
            {
                measure(target, token, subnet, n, batch, Math.min(500, runMs / 4));
                results.add(measure(target, token, subnet, n, batch, runMs));
                print(out, results.get(results.size() - 1));
            }
        }
        finally
        {
            try
            {
                stub(admin, token).deleteSubnet(DeleteSubnetRequest.newBuilder().setSubnetId(subnet).setForce(true)
                    .build());
            }
            catch (final StatusRuntimeException ignored)
            {
                // the server went away; nothing to clean
            }
            admin.shutdownNow();
            admin.awaitTermination(5, TimeUnit.SECONDS);
        }
        return results;
    }

    private static void print(final PrintWriter out, final Result r)
    {
        out.printf(Locale.ROOT, "%-6s clients=%-3d batch=%-5d %,12.0f pairs/s   latency p50=%,8d us p99=%,8d us " +
            "max=%,8d us   errors=%d%n", r.mode, r.clients, r.batch, r.pairsPerSecond,
            r.latencyUs.getValueAtPercentile(50), r.latencyUs.getValueAtPercentile(99), r.latencyUs.getMaxValue(),
            r.errors);
        out.flush();
    }

    private static Result measure(final ServerOption target, final String token, final String subnet,
        final int clients, final int batch, final long runMs) throws Exception
    {
        final List<ManagedChannel> channels = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final List<Histogram> histograms = new ArrayList<>();
        final AtomicLong pairs = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final CyclicBarrier start = new CyclicBarrier(clients + 1);
        final long[] window = new long[2];
        final boolean[] stop = new boolean[1];
        for (int c = 0; c < clients; c++)
        {
            final ManagedChannel ch = channel(target);
            channels.add(ch);
            final IpamServiceGrpc.IpamServiceBlockingStub stub = stub(ch, token);
            final Histogram h = new Histogram(3_600_000_000L, 3);
            histograms.add(h);
            final String owner = new UUID(0xbe, c).toString();
            final Thread t = new Thread(() ->
            {
                try
                {
                    start.await();
                    long done = 0;
                    while (!stopped(stop))
                    {
                        final long t0 = System.nanoTime();
                        try
                        {
                            if (batch == 0)
                            {
                                final String a = stub.allocate(AllocateRequest.newBuilder().setSubnetId(subnet)
                                    .setOwner(owner).build()).getAddresses(0);
                                stub.release(ReleaseRequest.newBuilder().setSubnetId(subnet).setAddress(a).build());
                                done++;
                            }
                            else
                            {
                                done += batchRound(stub, subnet, owner, batch, errors);
                            }
                        }
                        catch (final StatusRuntimeException ex)
                        {
                            errors.incrementAndGet();
                        }
                        h.recordValue(Math.min((System.nanoTime() - t0) / 1000, h.getHighestTrackableValue()));
                    }
                    pairs.addAndGet(done);
                }
                catch (final Exception ex)
                {
                    errors.incrementAndGet();
                }
            }, "bench-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        start.await();
        window[0] = System.nanoTime();
        Thread.sleep(runMs);
        synchronized (stop)
        {
            stop[0] = true;
        }
        window[1] = System.nanoTime();
        for (final Thread t : threads)
        {
            t.join(30_000);
        }
        for (final ManagedChannel ch : channels)
        {
            ch.shutdownNow();
            ch.awaitTermination(5, TimeUnit.SECONDS);
        }
        final Histogram all = new Histogram(3_600_000_000L, 3);
        histograms.forEach(all::add);
        // pairs finishing just after the window are counted; the window is seconds long, the overshoot one round
        final double seconds = (window[1] - window[0]) / 1e9;
        return new Result(batch == 0 ? "unary" : "batch", clients, batch, pairs.get() / seconds, all, errors.get());
    }

    private static boolean stopped(final boolean[] stop)
    {
        synchronized (stop)
        {
            return stop[0];
        }
    }

    private static long batchRound(final IpamServiceGrpc.IpamServiceBlockingStub stub, final String subnet,
        final String owner, final int batch, final AtomicLong errors)
    {
        final BatchRequest.Builder alloc = BatchRequest.newBuilder();
        final BatchOp op = BatchOp.newBuilder().setAllocate(AllocateRequest.newBuilder().setSubnetId(subnet)
            .setOwner(owner)).build();
        for (int i = 0; i < batch; i++)
        {
            alloc.addOps(op);
        }
        final BatchResponse got = stub.batch(alloc.build());
        final BatchRequest.Builder release = BatchRequest.newBuilder();
        for (int i = 0; i < got.getResultsCount(); i++)
        {
            if (got.getResults(i).hasAllocated())
            {
                release.addOps(BatchOp.newBuilder().setRelease(ReleaseRequest.newBuilder().setSubnetId(subnet)
                    .setAddress(got.getResults(i).getAllocated().getAddresses(0))));
            }
            else
            {
                errors.incrementAndGet();
            }
        }
        final BatchResponse freed = stub.batch(release.build());
        long ok = 0;
        for (int i = 0; i < freed.getResultsCount(); i++)
        {
            if (freed.getResults(i).hasReleased() && freed.getResults(i).getReleased().getReleased())
            {
                ok++;
            }
            else
            {
                errors.incrementAndGet();
            }
        }
        if (ok == 0 && batch > 0 && got.getResultsCount() == 0)
        {
            throw new IpamException(ErrorCode.INTERNAL, "empty batch answer");
        }
        return ok;
    }
}
