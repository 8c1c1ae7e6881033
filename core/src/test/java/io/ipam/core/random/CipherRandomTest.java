package io.ipam.core.random;

import java.security.SecureRandom;
import java.util.SplittableRandom;

import io.ipam.core.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CipherRandomTest
{
    @Test
    void shouldMatchTheAesKnownAnswer()
    {
        // FIPS-197 style: AES-256 of the all-zero block under the all-zero key is dc95c078a2408989ad48a21492842087
        final CipherRandom r = new AesCtrRandom(new byte[32], 0, 0);
        assertEquals(0xdc95c078a2408989L, r.nextLong());
        assertEquals(0xad48a21492842087L, r.nextLong());
    }

    @Test
    void shouldMatchTheChaCha20KnownAnswer()
    {
        // all-zero key and nonce, block 0: keystream 76 b8 e0 ad a0 f1 3d 90 ... (RFC 7539 appendix A.1, test 1)
        final CipherRandom r = new ChaCha20Random(new byte[32], 0, 0);
        assertEquals(0x903df1a0ade0b876L, r.nextLong());
    }

    @ParameterizedTest
    @ValueSource(bytes = {CipherRandom.AES_CTR, CipherRandom.CHACHA20})
    void shouldContinueExactlyFromItsState(final byte algorithm)
    {
        final long seed = new SecureRandom().nextLong();
        System.out.println("CipherRandomTest seed " + seed);
        final SplittableRandom rnd = new SplittableRandom(seed);
        final byte[] key = new byte[32];
        rnd.nextBytes(key);
        final CipherRandom a = CipherRandom.of(algorithm, key, rnd.nextLong(), 0);
        for (int round = 0; round < 20; round++)
        {
            final int skip = rnd.nextInt(300);
            for (int i = 0; i < skip; i++)
            {
                a.nextLong();
            }
            final byte[] state = a.state();
            final RandomSource b = RandomSource.fromState(state);
            assertArrayEquals(state, b.state());
            for (int i = 0; i < 200; i++)
            {
                assertEquals(a.nextLong(), b.nextLong(), "seed " + seed + " draw " + i + " after " + skip);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(bytes = {CipherRandom.AES_CTR, CipherRandom.CHACHA20})
    void shouldGiveAnotherStreamOnTheSameKey(final byte algorithm)
    {
        final CipherRandom a = CipherRandom.of(algorithm, new byte[32], 7, 100);
        final RandomSource next = a.nextStream();
        final CipherRandom fresh = CipherRandom.of(algorithm, new byte[32], 7, 0);
        assertNotEquals(fresh.nextLong(), next.nextLong());
        assertEquals(8, ((CipherRandom)next).stream());
        assertEquals(1, ((CipherRandom)next).position());
    }

    @Test
    void shouldRefuseForeignState()
    {
        assertThrows(IllegalArgumentException.class, () -> RandomSource.fromState(new byte[3]));
        final byte[] state = new AesCtrRandom(new byte[32], 0, 0).state();
        state[0] = 9;
        assertThrows(IllegalArgumentException.class, () -> RandomSource.fromState(state));
        final byte[] negative = new AesCtrRandom(new byte[32], 0, 0).state();
        negative[41] = (byte)0x80;
        assertThrows(IllegalArgumentException.class, () -> RandomSource.fromState(negative));
    }

    @Test
    void shouldNotCaptureTestSources()
    {
        assertNull(RandomSource.seeded(1).state());
        assertNull(RandomSource.seeded(1).nextStream());
    }
}
