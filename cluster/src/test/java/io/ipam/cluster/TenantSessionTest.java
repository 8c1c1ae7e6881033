package io.ipam.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationOptions;
import io.ipam.core.ErrorCode;
import io.ipam.core.Ipam;
import io.ipam.core.IpamBatch;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.ReconcileReport;
import io.ipam.core.SubnetInfo;
import io.ipam.core.SubnetSpec;
import io.ipam.core.SubnetUpdate;
import io.ipam.core.assembly.Allocators;
import io.ipam.core.protocol.BatchCommandFlyweight;
import io.ipam.core.protocol.CommandHeader;
import io.ipam.core.protocol.MessageTypes;
import io.ipam.core.protocol.Reply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SPEC 8 at a member: a session authenticated as a tenant runs in that tenant's view whatever its commands say.
 * The blue client here sends through the whole allocator's facade (no scope, other tenants' subnets by handle and
 * id), as a hostile program with blue's token could; the members answer as blue's view would.
 */
class TenantSessionTest
{
    private static final UUID OWNER = new UUID(0xB1, 1);

    @Test
    @Timeout(60)
    void shouldHoldATenantsSessionToItsViewWhateverItSends() throws Exception
    {
        try (ServiceHarness h = new ServiceHarness(3))
        {
            final Ipam admin = h.new Client(1, 1, "*").ipam();
            admin.createSubnet(SubnetSpec.builder("b", "10.1.0.0/24").tenant("blue").build());
            admin.createSubnet(SubnetSpec.builder("r", "10.2.0.0/24").tenant("red").build());
            admin.createSubnet(SubnetSpec.builder("d", "10.3.0.0/24").build());
            final String red = admin.allocate("r", new UUID(0xE, 1));

            final ServiceHarness.Client blueClient = h.new Client(2, 2, "blue");
            final Ipam view = blueClient.ipam(); // what ClusterIpam does with blue's token
            assertTrue(view.allocate("b", OWNER).startsWith("10.1.0."));
            final String keyed = view.allocate("b", OWNER, AllocationOptions.builder().requestKey("k1")
                .lease(Duration.ofMinutes(5)).build());
            assertTrue(keyed.startsWith("10.1.0."), "a leased, keyed allocation: " + keyed);
            assertEquals(List.of("b"), view.subnets().stream().map(SubnetInfo::id).toList());
            assertEquals(2, view.subnetMap("b", null, 0).held(0), "its own subnet's map");
            assertEquals(List.of(), view.prefixPools(), "pools are shared");
            final IpamBatch own = view.apply(new IpamBatch().allocate("b", OWNER).allocate("b", OWNER));
            assertTrue(own.ok(0) && own.ok(1), "a batch on its own subnet");
            view.release("b", own.address(0));
            view.release("b", own.address(1));

            // UPDATE_SUBNET and RECONCILE_SUBNET: a view changes its own subnets only (SPEC 8)
            final SubnetUpdate cooler = SubnetUpdate.builder().cooldown(Duration.ofSeconds(30)).build();
            assertEquals(Duration.ofSeconds(30), view.updateSubnet("b", cooler).cooldown(), "its own subnet's update");
            final String expectedAddress = view.allocate("b", OWNER);
            final ReconcileReport dry = view.reconcileSubnet("b", Map.of(), Duration.ZERO, true);
            assertEquals(3, dry.released().size(), "a dry run of its own subnet: " + dry);
            final ReconcileReport kept = view.reconcileSubnet("b", Map.of(keyed, OWNER, expectedAddress, OWNER),
                Duration.ZERO, false);
            assertEquals(1, kept.released().size(), "its own subnet reconciled: " + kept);
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> view.updateSubnet("r", cooler)), "red's update");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> view.reconcileSubnet("r", Map.of(), Duration.ZERO,
                false)), "red's reconcile");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> view.reconcileSubnet("d", Map.of(), Duration.ZERO,
                false)), "the default tenant's reconcile");

            // the same session, sending what blue's view never would
            final Ipam raw = Allocators.remote(IpamConfig.defaults(), blueClient);
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.subnets()), "no scope: the whole allocator");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.releaseOwner(OWNER)));
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> raw.allocate("r", OWNER)), "red's by handle");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> raw.allocate("d", OWNER)), "the default tenant's");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> raw.release("r", red)));
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> raw.allocate("r", OWNER, AllocationOptions.builder()
                .requestKey("k2").build())), "red's inside WITH_OPTIONS");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> raw.allocatePort(OWNER,
                List.of(AddressRequest.any("b"), AddressRequest.any("r")))), "red's among port items");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.createSubnet(SubnetSpec.builder("x", "10.9.0.0/24")
                .tenant("red").build())), "a subnet for red");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.createPrefixPool(PrefixPoolSpec.builder("p",
                List.of("10.128.0.0/9")).build())), "admin");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.reconcile(Set.of(), Duration.ZERO, false)));
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.reconcileSubnet("r", Map.of(), Duration.ZERO, false)),
                "a subnet reconcile with no scope");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.forTenant("red").reconcileSubnet("r", Map.of(),
                Duration.ZERO, false)), "a subnet reconcile in red's scope");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.updateSubnet("r", cooler)), "an update with no scope");
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> view.subnet("r")));
            assertEquals(ErrorCode.SUBNET_NOT_FOUND, code(() -> view.subnetMap("r", null, 0)), "red's map");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.subnetMap("r", null, 0)), "a map with no scope");
            assertEquals(ErrorCode.FORBIDDEN, code(() -> raw.forTenant("red").subnets()), "another tenant's scope");

            // a hot command naming red's subnet by its handle (2), as a program with blue's token can send it
            final UnsafeBuffer hot = new UnsafeBuffer(new byte[56]);
            hot.putLong(CommandHeader.TIME_OFFSET, 1);
            hot.putInt(CommandHeader.LENGTH, 2);
            hot.putLong(40, 7);
            final Reply allocate = blueClient.raw(MessageTypes.ALLOCATE, hot, 56);
            hot.putLong(32, 0x0A020000L + Integer.parseInt(red.substring(red.lastIndexOf('.') + 1)));
            final Reply release = blueClient.raw(MessageTypes.RELEASE, hot, 56);
            // a BATCH with red's handle after one of blue's: refused whole, nothing of it applied
            final UnsafeBuffer batch = new UnsafeBuffer(new byte[BatchCommandFlyweight.length(2)]);
            batch.putLong(CommandHeader.TIME_OFFSET, 1);
            final int batchLength = BatchCommandFlyweight.begin(batch, 0, 2);
            BatchCommandFlyweight.entry(batch, 0, 0, MessageTypes.ALLOCATE, 1, 0, 0, 0, 0, 7, 7);
            BatchCommandFlyweight.entry(batch, 0, 1, MessageTypes.ALLOCATE, 2, 0, 0, 0, 0, 7, 7);
            final Reply batched = blueClient.raw(MessageTypes.BATCH, batch, batchLength);
            blueClient.flush();
            assertEquals(ErrorCode.SUBNET_NOT_FOUND.resultCode(), batched.code);
            assertEquals(ErrorCode.SUBNET_NOT_FOUND.resultCode(), allocate.code);
            assertEquals(ErrorCode.SUBNET_NOT_FOUND.resultCode(), release.code);

            // nothing of red's moved, and every member holds the same
            assertEquals(new UUID(0xE, 1), admin.owner("r", red).orElse(null));
            assertEquals(1, admin.subnet("r").allocated(), "red's allocation left where it was");
            assertEquals(Duration.ZERO, admin.subnet("r").cooldown(), "red's subnet not updated");
            assertEquals(2, admin.subnet("b").allocated(), "the refused BATCH took nothing of blue's either");
            assertEquals(List.of(), h.thrown);
            final List<byte[]> states = h.snapshots("tenants.ipam");
            assertTrue(Arrays.equals(states.get(0), states.get(1)) && Arrays.equals(states.get(0), states.get(2)),
                "members differ");
        }
    }

    private static ErrorCode code(final Runnable call)
    {
        return assertThrows(IpamException.class, call::run).code();
    }
}
