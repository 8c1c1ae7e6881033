package io.ipam.core.random;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256 in counter mode (NIST SP 800-38A) through {@code javax.crypto}, which HotSpot compiles to AES-NI
 * instructions on x86-64 and the ARMv8 crypto extensions: the counter block is the stream number (high 64 bits)
 * and the 128-bit block index (low 64 bits), so the keystream of chunk c starts at block {@code c * 32}.
 * Encrypting a reused zero buffer into a reused output buffer yields the keystream without allocating.
 */
public final class AesCtrRandom extends CipherRandom
{
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int CHUNK_BYTES = CHUNK_WORDS * 8;
    private static final int BLOCKS_PER_CHUNK = CHUNK_BYTES / 16;

    private final Cipher cipher;
    private final SecretKeySpec keySpec;
    private final byte[] zeros = new byte[CHUNK_BYTES];
    private final byte[] out = new byte[CHUNK_BYTES];

    /**
     * @param key      32-byte key.
     * @param stream   stream number.
     * @param position words already drawn.
     */
    public AesCtrRandom(final byte[] key, final long stream, final long position)
    {
        super(key, stream, position);
        try
        {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("this JVM has no AES/CTR cipher", ex);
        }
        keySpec = new SecretKeySpec(this.key, "AES");
        start();
    }

    @Override
    protected byte algorithm()
    {
        return AES_CTR;
    }

    @Override
    protected void seek(final long chunk)
    {
        final byte[] iv = new byte[16];
        final long block = chunk * BLOCKS_PER_CHUNK;
        for (int i = 0; i < 8; i++)
        {
            iv[i] = (byte)(stream >>> (56 - 8 * i));
            iv[8 + i] = (byte)(block >>> (56 - 8 * i));
        }
        try
        {
            cipher.init(Cipher.ENCRYPT_MODE, keySpec, new IvParameterSpec(iv));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("cannot key AES/CTR", ex);
        }
        next();
    }

    @Override
    protected void next()
    {
        try
        {
            cipher.update(zeros, 0, CHUNK_BYTES, out, 0);
        }
        catch (final ShortBufferException ex)
        {
            throw new IllegalStateException(ex);
        }
        for (int i = 0; i < CHUNK_WORDS; i++)
        {
            words[i] = (long)LONGS.get(out, i * 8);
        }
    }
}
