package io.ipam.metrics;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.ipam.core.AllocationOptions;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.SubnetSpec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Prometheus text holds the lifecycle counts of each subnet as they are, and the request counters.
 */
class IpamMetricsTest
{
    private static final UUID A = new UUID(1, 1);
    private static final UUID B = new UUID(2, 2);

    @Test
    void shouldWriteEverySubnetsLifecycleCountsAndTheRequestCounters()
    {
        final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().clock(clock::get).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s1", "10.0.0.0/24").tenant("t").strategy(AllocationStrategy.LOWEST)
                .cooldown(Duration.ofMinutes(1)).build());
            ipam.createSubnet(SubnetSpec.builder("s2", "10.1.0.0/29").build());
            final String a = ipam.allocate("s1", A);
            ipam.allocate("s1", A, AllocationOptions.builder().lease(Duration.ofSeconds(10)).build());
            ipam.allocate("s1", B, AllocationOptions.builder().lease(Duration.ofSeconds(99)).build());
            ipam.allocate("s2", B);
            ipam.release("s1", a);
            clock.addAndGet(10_000);
            ipam.reconcile(Set.of(A), Duration.ZERO, false); // B's lease in s1 and B in s2 are reclaimed
            assertThrows(IpamException.class, () -> ipam.allocate("nope", A));
            final String text = IpamMetrics.of(ipam).scrape();
            assertTrue(text.contains("ipam_subnet_allocated{subnet=\"s1\",tenant=\"t\"} 0.0"), text);
            assertTrue(text.contains("ipam_subnet_cooling{subnet=\"s1\",tenant=\"t\"} 3.0"), text);
            assertTrue(text.contains("ipam_subnet_free{subnet=\"s1\",tenant=\"t\"} 250.0"), text);
            assertTrue(text.contains("ipam_subnet_leased{subnet=\"s1\",tenant=\"t\"} 0.0"), text);
            assertTrue(text.contains("ipam_subnet_expired_total{subnet=\"s1\",tenant=\"t\"} 1.0"), text);
            assertTrue(text.contains("ipam_subnet_reclaimed_total{subnet=\"s1\",tenant=\"t\"} 1.0"), text);
            assertTrue(text.contains("ipam_subnet_reclaimed_total{subnet=\"s2\",tenant=\"\"} 1.0"), text);
            assertTrue(text.contains("ipam_subnet_free{subnet=\"s2\",tenant=\"\"} 5.0"), text);
            assertTrue(text.contains("ipam_failures_total{code=\"SUBNET_NOT_FOUND\"} 1.0"), text);
            assertTrue(text.contains("# TYPE ipam_requests_total counter"), text);
            // a view sees its tenant's subnets only
            final String view = IpamMetrics.of(ipam.forTenant("t")).scrape();
            assertTrue(view.contains("subnet=\"s1\"") && !view.contains("subnet=\"s2\""), view);
            // into an application's own registry
            final PrometheusRegistry registry = new PrometheusRegistry();
            IpamMetrics.of(ipam).register(registry);
            assertEquals(2, registry.scrape().stream().filter(m -> m.getMetadata().getName()
                .equals("ipam_subnet_leased")).findFirst().orElseThrow().getDataPoints().size());
        }
    }

    @Test
    void shouldRefuseAnAllocatorInAnotherProcess()
    {
        final Ipam foreign = (Ipam)Proxy.newProxyInstance(Ipam.class.getClassLoader(),
            new Class<?>[] {Ipam.class}, (p, m, args) -> null);
        assertEquals(ErrorCode.MALFORMED, assertThrows(IpamException.class, () -> IpamMetrics.of(foreign)).code());
    }
}
