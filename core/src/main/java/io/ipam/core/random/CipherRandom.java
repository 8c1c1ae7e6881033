package io.ipam.core.random;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

import io.ipam.core.RandomSource;

/**
 * A {@link RandomSource} that reads a stream cipher's keystream: unpredictable to anyone without the key (the
 * outputs of one subnet's draws say nothing about the next draw of any other), and deterministic given its key,
 * stream number and position, which is all of its state ({@link #state()}), so replays, replicas, snapshots and
 * durable stores continue exactly the same sequence. The keystream is produced a chunk of {@link #CHUNK_WORDS}
 * 64-bit words at a time into a buffer allocated once: a draw allocates nothing.
 * <p>
 * Writer's thread only (not thread-safe).
 */
public abstract class CipherRandom implements RandomSource
{
    /** Words produced per keystream chunk. */
    public static final int CHUNK_WORDS = 64;
    /** Key length in bytes (256-bit keys). */
    public static final int KEY_LENGTH = 32;
    /** Length of {@link #state()}: algorithm, key, stream, position. */
    public static final int STATE_LENGTH = 1 + KEY_LENGTH + 8 + 8;
    /** Algorithm id of AES-256 in counter mode. */
    public static final byte AES_CTR = 1;
    /** Algorithm id of ChaCha20 (20 rounds, 64-bit block counter, 64-bit nonce). */
    public static final byte CHACHA20 = 2;

    protected final byte[] key;
    protected final long stream;
    protected final long[] words = new long[CHUNK_WORDS];
    private long position;
    private int index;

    /**
     * @param key      the 32-byte key (copied).
     * @param stream   the stream number (nonce): different streams of one key never overlap.
     * @param position words already drawn from this stream.
     */
    protected CipherRandom(final byte[] key, final long stream, final long position)
    {
        if (key == null || key.length != KEY_LENGTH)
        {
            throw new IllegalArgumentException("a cipher random source needs a " + KEY_LENGTH + "-byte key");
        }
        if (position < 0)
        {
            throw new IllegalArgumentException("negative stream position " + position);
        }
        this.key = key.clone();
        this.stream = stream;
        this.position = position;
    }

    /**
     * Position the keystream: call from the subclass constructor once its cipher is ready.
     */
    protected final void start()
    {
        seek(position / CHUNK_WORDS);
        index = (int)(position % CHUNK_WORDS);
    }

    /**
     * Make the keystream continue at a chunk and fill {@link #words} with that chunk.
     *
     * @param chunk the chunk number (0 = the stream's first {@link #CHUNK_WORDS} words).
     */
    protected abstract void seek(long chunk);

    /**
     * Fill {@link #words} with the next chunk of the keystream.
     */
    protected abstract void next();

    /**
     * @return the algorithm id stored in {@link #state()}.
     */
    protected abstract byte algorithm();

    @Override
    public final long nextLong()
    {
        if (index == CHUNK_WORDS)
        {
            next();
            index = 0;
        }
        position++;
        return words[index++];
    }

    /**
     * @return words drawn so far from this stream.
     */
    public final long position()
    {
        return position;
    }

    /**
     * @return the stream number.
     */
    public final long stream()
    {
        return stream;
    }

    /**
     * @return {@link #STATE_LENGTH} bytes: algorithm (u8), key (32 bytes), stream (i64), position (i64),
     * big-endian. Secret: whoever holds it predicts every later draw.
     */
    @Override
    public final byte[] state()
    {
        return ByteBuffer.allocate(STATE_LENGTH).put(algorithm()).put(key).putLong(stream).putLong(position).array();
    }

    /**
     * @return a source on the same key, the next stream, at its start: what a reopened store draws from, so a
     * restart never repeats draws an observer may have seen before a crash.
     */
    @Override
    public final RandomSource nextStream()
    {
        return of(algorithm(), key, stream + 1, 0);
    }

    /**
     * @param algorithm {@link #AES_CTR} or {@link #CHACHA20}.
     * @param key       32-byte key.
     * @param stream    stream number.
     * @param position  words already drawn.
     * @return the source.
     */
    public static CipherRandom of(final byte algorithm, final byte[] key, final long stream, final long position)
    {
        switch (algorithm)
        {
            case AES_CTR:
                return new AesCtrRandom(key, stream, position);
            case CHACHA20:
                return new ChaCha20Random(key, stream, position);
            default:
                throw new IllegalArgumentException("unknown random source algorithm " + algorithm);
        }
    }

    /**
     * @param state what {@link #state()} returned.
     * @return the source continuing exactly where that one stood.
     * @throws IllegalArgumentException when the state is not one this code wrote.
     */
    public static CipherRandom fromState(final byte[] state)
    {
        if (state == null || state.length != STATE_LENGTH)
        {
            throw new IllegalArgumentException("random source state must be " + STATE_LENGTH + " bytes");
        }
        final ByteBuffer b = ByteBuffer.wrap(state);
        final byte algorithm = b.get();
        final byte[] key = new byte[KEY_LENGTH];
        b.get(key);
        final long stream = b.getLong();
        final long position = b.getLong();
        return of(algorithm, key, stream, position);
    }

    /**
     * @param algorithm {@link #AES_CTR} or {@link #CHACHA20}.
     * @param random    where the key comes from.
     * @return a source on a fresh 256-bit key, stream 0.
     */
    public static CipherRandom fresh(final byte algorithm, final SecureRandom random)
    {
        final byte[] key = new byte[KEY_LENGTH];
        random.nextBytes(key);
        return of(algorithm, key, 0, 0);
    }
}
