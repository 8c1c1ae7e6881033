package io.ipam.core.internal;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.ipam.core.Allocation;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.IpamConfig;
import io.ipam.core.SubnetSpec;
import io.ipam.core.WriterMode;
import io.ipam.core.protocol.MessageTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The answer to an allocation is formatted with the CIDR of the subnet the request was sent to, never with what
 * the id names by the time the answer arrives (the writer answers the low 64 bits of an IPv6 address; the high
 * bits are the subnet's). The writer is made to answer while the facade's view of the id has
 * moved to another subnet (as after another thread's delete and re-create under another CIDR, made deterministic
 * by repointing the handle cache from the writer itself).
 */
class AnswerFromTheWriterTest
{
    private static final UUID OWNER = new UUID(7, 7);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> handles(final EngineIpam ipam) throws ReflectiveOperationException
    {
        final Field f = EngineIpam.class.getDeclaredField("handles");
        f.setAccessible(true);
        final Field byId = SubnetHandles.class.getDeclaredField("byId");
        byId.setAccessible(true);
        return (Map<String, Object>)byId.get(f.get(ipam));
    }

    @ParameterizedTest
    @EnumSource(WriterMode.class)
    void shouldFormatTheAnswerWithTheSubnetTheRequestWentTo(final WriterMode mode) throws Exception
    {
        try (EngineIpam ipam = Facades.inMemory(IpamConfig.builder().writerMode(mode).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/64").strategy(AllocationStrategy.LOWEST).build());
            ipam.createSubnet(SubnetSpec.builder("u", "2001:db8:9::/64").strategy(AllocationStrategy.LOWEST).build());
            final Map<String, Object> handles = handles(ipam);
            final AtomicBoolean moved = new AtomicBoolean();
            ipam.executor().faultInjector(r ->
            {
                if (r.type == MessageTypes.ALLOCATE && moved.compareAndSet(false, true))
                {
                    handles.put("s", handles.get("u")); // "s" now names another subnet, after the request left
                }
            });
            final String answer = ipam.allocate("s", OWNER);
            assertEquals("2001:db8::2", answer);
            ipam.executor().faultInjector(null);
            assertEquals(List.of(new Allocation("s", "2001:db8::2", OWNER)), ipam.allocations(OWNER));
        }
    }

    @Test
    void shouldFormatBulkAnswersTheSameWay() throws Exception
    {
        try (EngineIpam ipam = Facades.inMemory(IpamConfig.defaults()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "2001:db8::/64").strategy(AllocationStrategy.LOWEST).build());
            ipam.createSubnet(SubnetSpec.builder("u", "2001:db8:9::/64").strategy(AllocationStrategy.LOWEST).build());
            final Map<String, Object> handles = handles(ipam);
            ipam.executor().faultInjector(r ->
            {
                if (r.type == MessageTypes.ALLOCATE_BULK)
                {
                    handles.put("s", handles.get("u"));
                }
            });
            assertEquals(List.of("2001:db8::2", "2001:db8::3"), ipam.allocateBulk("s", OWNER, 2));
        }
    }
}
