package io.ipam.core.random;

/**
 * ChaCha20 (Bernstein 2008; 20 rounds, the original layout with a 64-bit block counter and a 64-bit nonce,
 * which is the stream number), in plain Java: the keystream of chunk c starts at block {@code c * 8}. Each
 * 64-bit draw is two consecutive little-endian keystream words, the first as the low half.
 */
public final class ChaCha20Random extends CipherRandom
{
    private static final int BLOCKS_PER_CHUNK = CHUNK_WORDS / 8;

    private final int[] input = new int[16];
    private final int[] x = new int[16];
    private long block;

    /**
     * @param key      32-byte key.
     * @param stream   stream number (nonce).
     * @param position words already drawn.
     */
    public ChaCha20Random(final byte[] key, final long stream, final long position)
    {
        super(key, stream, position);
        input[0] = 0x61707865;
        input[1] = 0x3320646e;
        input[2] = 0x79622d32;
        input[3] = 0x6b206574;
        for (int i = 0; i < 8; i++)
        {
            input[4 + i] = (this.key[4 * i] & 0xFF) | (this.key[4 * i + 1] & 0xFF) << 8 |
                (this.key[4 * i + 2] & 0xFF) << 16 | (this.key[4 * i + 3] & 0xFF) << 24;
        }
        input[14] = (int)stream;
        input[15] = (int)(stream >>> 32);
        start();
    }

    @Override
    protected byte algorithm()
    {
        return CHACHA20;
    }

    @Override
    protected void seek(final long chunk)
    {
        block = chunk * BLOCKS_PER_CHUNK;
        next();
    }

    @Override
    protected void next()
    {
        for (int b = 0; b < BLOCKS_PER_CHUNK; b++)
        {
            input[12] = (int)block;
            input[13] = (int)(block >>> 32);
            block++;
            core();
            for (int i = 0; i < 8; i++)
            {
                words[b * 8 + i] = (x[2 * i] & 0xFFFF_FFFFL) | ((long)x[2 * i + 1] << 32);
            }
        }
    }

    private void core()
    {
        int x0 = input[0], x1 = input[1], x2 = input[2], x3 = input[3];
        int x4 = input[4], x5 = input[5], x6 = input[6], x7 = input[7];
        int x8 = input[8], x9 = input[9], x10 = input[10], x11 = input[11];
        int x12 = input[12], x13 = input[13], x14 = input[14], x15 = input[15];
        for (int i = 0; i < 10; i++)
        {
            // column round
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonal round
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        x[0] = x0 + input[0]; x[1] = x1 + input[1]; x[2] = x2 + input[2]; x[3] = x3 + input[3];
        x[4] = x4 + input[4]; x[5] = x5 + input[5]; x[6] = x6 + input[6]; x[7] = x7 + input[7];
        x[8] = x8 + input[8]; x[9] = x9 + input[9]; x[10] = x10 + input[10]; x[11] = x11 + input[11];
        x[12] = x12 + input[12]; x[13] = x13 + input[13]; x[14] = x14 + input[14]; x[15] = x15 + input[15];
    }
}
