package io.ipam.core.internal;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import io.ipam.core.AddressRequest;
import io.ipam.core.AllocationStrategy;
import io.ipam.core.ErrorCode;
import io.ipam.core.IpamConfig;
import io.ipam.core.IpamException;
import io.ipam.core.PrefixPoolSpec;
import io.ipam.core.SubnetSpec;
import io.ipam.core.protocol.CommandTransport;
import io.ipam.core.protocol.Reply;
import io.ipam.core.writer.WriterExecutor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A facade over a {@link CommandTransport} that carries only bytes (the command copied into the far writer's slot,
 * the answer copied back, as a replicated log does): every call works and answers as the local facade does, so
 * nothing but the encoded command and reply crosses.
 */
class RemoteFacadeTest
{
    private static final UUID OWNER = new UUID(1, 2);

    /** Copies each command into a slot of another allocator's writer and its answer back: bytes only. */
    private static final class CopyingTransport implements CommandTransport
    {
        final EngineIpam far = Facades.inMemory(IpamConfig.defaults());
        final WriterExecutor writer = far.executor();
        final ArrayBlockingQueue<Reply> slots = new ArrayBlockingQueue<>(16);
        final AtomicInteger commands = new AtomicInteger();

        CopyingTransport()
        {
            for (int i = 0; i < 16; i++)
            {
                slots.add(new Reply(i));
            }
        }

        @Override
        public Reply acquire()
        {
            final Reply r = slots.poll();
            r.reset();
            return r;
        }

        @Override
        public void execute(final Reply r)
        {
            commands.incrementAndGet();
            final Reply remote = writer.acquire();
            remote.type = r.type;
            remote.commandLength = r.commandLength;
            remote.command.putBytes(0, r.command, 0, r.commandLength);
            writer.execute(remote);
            r.code = remote.code;
            r.value = remote.value;
            r.ownerMsb = remote.ownerMsb;
            r.ownerLsb = remote.ownerLsb;
            r.timeMs = remote.timeMs;
            r.payloadLength = remote.payloadLength;
            r.payload.putBytes(0, remote.payload, 0, remote.payloadLength);
            writer.release(remote);
        }

        @Override
        public void release(final Reply r)
        {
            slots.add(r);
        }

        @Override
        public void close()
        {
            far.close();
        }
    }

    @Test
    void shouldServeEveryKindOfCallThroughBytesOnly()
    {
        final CopyingTransport transport = new CopyingTransport();
        try (EngineIpam ipam = Facades.remote(IpamConfig.defaults(), transport))
        {
            ipam.createSubnet(SubnetSpec.builder("s", "10.0.0.0/24").strategy(AllocationStrategy.LOWEST).build());
            assertEquals("10.0.0.2", ipam.allocate("s", OWNER));
            assertEquals("10.0.0.9", ipam.allocate("s", "10.0.0.9", OWNER));
            assertEquals(List.of("10.0.0.3", "10.0.0.4"), ipam.allocateBulk("s", OWNER, 2));
            assertEquals(OWNER, ipam.owner("s", "10.0.0.9").orElseThrow());
            assertEquals(2,
                ipam.allocatePort(OWNER, List.of(AddressRequest.any("s"), AddressRequest.next("s"))).size());
            assertEquals(6, ipam.allocations(OWNER).size());
            assertTrue(ipam.release("s", "10.0.0.9"));
            assertFalse(ipam.release("s", "10.0.0.9"));
            final IpamException taken = assertThrows(IpamException.class, () -> ipam.allocate("s", "10.0.0.2", OWNER));
            assertEquals(ErrorCode.ADDRESS_TAKEN, taken.code());
            ipam.createPrefixPool(PrefixPoolSpec.builder("p", List.of("10.8.0.0/16")).minPrefixLength(24)
                .maxPrefixLength(28).build());
            assertEquals("10.8.0.0/24", ipam.allocatePrefix("p", "t"));
            assertEquals(5, ipam.releaseOwner(OWNER));
            assertEquals(1, ipam.subnets().size());
            // the far side holds the state: the calls really went through the transport
            assertEquals(0, transport.far.allocations(OWNER).size());
            assertEquals(1, transport.far.children("p").size());
            assertTrue(transport.commands.get() >= 14);
        }
        assertThrows(IpamException.class, () -> transport.far.subnets());
    }
}
