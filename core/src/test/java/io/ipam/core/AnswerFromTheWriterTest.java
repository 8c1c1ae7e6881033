package io.ipam.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The answer to an allocation is what the writer decided, in the subnet the request was sent to, even while
 * another thread deletes the subnet and creates another under the same id with a different CIDR: every address
 * handed to a caller was allocated to that caller (the change feed says so), never the same offset formatted
 * with the new subnet's CIDR.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AnswerFromTheWriterTest
{
    @Test
    void shouldNeverAnswerWithAnAddressTheCallerDoesNotHold() throws Exception
    {
        final String[] cidrs = {"10.0.0.0/24", "10.9.0.0/24"};
        try (Ipam ipam = Ipam.inMemory(IpamConfig.builder().changeRetention(2_000_000).build()))
        {
            ipam.createSubnet(SubnetSpec.builder("s", cidrs[0]).strategy(AllocationStrategy.LOWEST).build());
            final AtomicBoolean stop = new AtomicBoolean();
            final List<String[]> answers = java.util.Collections.synchronizedList(new ArrayList<>());
            final Thread recreator = new Thread(() ->
            {
                int i = 0;
                while (!stop.get())
                {
                    try
                    {
                        ipam.deleteSubnet("s", true);
                        ipam.createSubnet(SubnetSpec.builder("s", cidrs[++i % 2])
                            .strategy(AllocationStrategy.LOWEST).build());
                    }
                    catch (final IpamException ex)
                    {
                        // a race with itself cannot happen; any refusal here is a failure of the test's premise
                        throw new AssertionError(ex);
                    }
                }
            });
            final List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < 3; t++)
            {
                final int caller = t;
                callers.add(new Thread(() ->
                {
                    for (int n = 0; n < 20_000; n++)
                    {
                        final UUID owner = new UUID(caller + 1, n);
                        try
                        {
                            answers.add(new String[] {ipam.allocate("s", owner), owner.toString()});
                        }
                        catch (final IpamException ex)
                        {
                            // SUBNET_NOT_FOUND between a delete and a create, EXHAUSTED: no answer to check
                        }
                    }
                }));
            }
            recreator.start();
            callers.forEach(Thread::start);
            for (final Thread c : callers)
            {
                c.join();
            }
            stop.set(true);
            recreator.join();
            final Set<String> allocated = new HashSet<>();
            long after = 0;
            for (List<Change> page = ipam.changes(after, 65_536); !page.isEmpty(); page = ipam.changes(after, 65_536))
            {
                for (final Change c : page)
                {
                    if (c.kind() == ChangeKind.ALLOCATED)
                    {
                        allocated.add(c.address().orElseThrow() + "@" + c.owner().orElseThrow());
                    }
                    after = c.sequence();
                }
            }
            assertTrue(answers.size() > 1_000, "too few answers to mean anything: " + answers.size());
            for (final String[] a : answers)
            {
                assertTrue(allocated.contains(a[0] + "@" + a[1]), "answered " + a[0] + " to " + a[1] +
                    ", which the writer never allocated to it");
            }
        }
    }
}
