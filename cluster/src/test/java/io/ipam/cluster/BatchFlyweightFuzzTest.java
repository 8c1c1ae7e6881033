package io.ipam.cluster;

import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service's batch flyweight against hostile bytes: random messages, valid batches with one field set to a hostile
 * value (counts and lengths at 0, -1, the int limits, just past the bytes left, lengths whose sum with an offset
 * overflows), cut and padded messages. It never throws, a message it accepts has every command inside the message
 * (at an offset past the previous one), and a message it accepts is exactly the commands it lists.
 */
class BatchFlyweightFuzzTest
{
    /** docs/cluster.md's offsets, written raw here to forge them. */
    private static final int COUNT = 4;
    private static final int EPOCH = 8;
    private static final int ACKED = 16;
    private static final int[] HOSTILE = {0, 1, -1, 2, 15, 16, 17, Integer.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE - 8, Integer.MAX_VALUE - 40, Integer.MIN_VALUE + 1, ClusterProtocol.WINDOW,
        ClusterProtocol.WINDOW + 1, ClusterProtocol.MAX_COMMAND_BYTES, ClusterProtocol.MAX_COMMAND_BYTES + 1,
        1 << 20, 1 << 30, 65_535, 65_536};

    @Test
    @Timeout(120)
    void shouldNeverFollowAHostileCountOrLength()
    {
        final SplittableRandom random = new SplittableRandom(24);
        final BatchFlyweight decoder = new BatchFlyweight();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
        int accepted = 0;
        for (int round = 0; round < 200_000; round++)
        {
            final int base = random.nextInt(64);
            int length = valid(random, buffer, base);
            switch (random.nextInt(6))
            {
                case 0: // a hostile count
                    buffer.putInt(base + COUNT, HOSTILE[random.nextInt(HOSTILE.length)]);
                    break;
                case 1: // a hostile length in some entry
                    hostileLength(random, buffer, base, length);
                    break;
                case 2: // cut short or padded
                    length = Math.max(0, Math.min(buffer.capacity() - base, length + random.nextInt(-40, 41)));
                    break;
                case 3: // random bytes
                    for (int i = 0; i < length; i++)
                    {
                        buffer.putByte(base + i, (byte)random.nextInt(256));
                    }
                    if (random.nextBoolean())
                    {
                        buffer.putInt(base, ClusterProtocol.BATCH);
                    }
                    break;
                case 4: // a hostile kind
                    buffer.putInt(base, HOSTILE[random.nextInt(HOSTILE.length)]);
                    break;
                default: // left valid
                    break;
            }
            final int result = decoder.wrap(buffer, base, length);
            if (result == BatchFlyweight.OK && decoder.kind() == ClusterProtocol.BATCH)
            {
                accepted++;
                int last = base + BatchFlyweight.HEADER_LENGTH;
                int commands = 0;
                while (decoder.next())
                {
                    commands++;
                    assertTrue(decoder.commandOffset() >= last + BatchFlyweight.ENTRY_HEADER_LENGTH);
                    assertTrue(decoder.commandLength() >= 0 &&
                        decoder.commandLength() <= ClusterProtocol.MAX_COMMAND_BYTES);
                    assertTrue(decoder.commandLength() <= base + length - decoder.commandOffset(),
                        "a command past the message's end, round " + round);
                    last = decoder.commandOffset() + decoder.commandLength();
                }
                assertEquals(decoder.count(), commands);
                assertEquals(base + length, last, "bytes not accounted for, round " + round);
            }
        }
        assertTrue(accepted > 10_000, "too few valid messages to say anything: " + accepted);
    }

    private static int valid(final SplittableRandom random, final UnsafeBuffer buffer, final int base)
    {
        final int count = random.nextInt(12);
        int at = base + BatchFlyweight.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final int len = random.nextInt(200);
            buffer.putLong(at, i + 1);
            buffer.putInt(at + 8, 1 + random.nextInt(60));
            buffer.putInt(at + 12, len);
            at += BatchFlyweight.ENTRY_HEADER_LENGTH + len;
        }
        buffer.putInt(base, ClusterProtocol.BATCH);
        buffer.putInt(base + COUNT, count);
        buffer.putLong(base + EPOCH, random.nextLong());
        buffer.putLong(base + ACKED, random.nextLong());
        return at - base;
    }

    private static void hostileLength(final SplittableRandom random, final UnsafeBuffer buffer, final int base,
        final int length)
    {
        final int count = buffer.getInt(base + COUNT);
        if (count == 0)
        {
            return;
        }
        final int target = random.nextInt(count);
        int at = base + BatchFlyweight.HEADER_LENGTH;
        for (int i = 0; i < target; i++)
        {
            at += BatchFlyweight.ENTRY_HEADER_LENGTH + buffer.getInt(at + 12);
        }
        final int left = base + length - at - BatchFlyweight.ENTRY_HEADER_LENGTH;
        final int[] near = {left, left + 1, left - 1};
        buffer.putInt(at + 12, random.nextBoolean() ? HOSTILE[random.nextInt(HOSTILE.length)] :
            near[random.nextInt(near.length)]);
    }

    @Test
    void shouldAcceptAHelloOfExactlyItsLength()
    {
        final BatchFlyweight decoder = new BatchFlyweight();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        buffer.putInt(0, ClusterProtocol.HELLO);
        assertEquals(BatchFlyweight.OK, decoder.wrap(buffer, 0, BatchFlyweight.HELLO_LENGTH));
        assertEquals(BatchFlyweight.SHORT, decoder.wrap(buffer, 0, 7));
        assertEquals(BatchFlyweight.TRAILING, decoder.wrap(buffer, 0, 9));
        assertEquals(BatchFlyweight.SHORT, decoder.wrap(buffer, 0, 0));
    }
}
