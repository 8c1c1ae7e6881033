package io.ipam.core.engine;

import java.math.BigInteger;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cell arithmetic of a map over 128-bit offsets (IPv6 /1 to /63, issue 22's wide subnets): offsets drawn over a
 * whole /48 (and /1, /63) and around a window's edges are counted into cells of up to 2^127 addresses and compared
 * with the same counts made with {@link BigInteger}s.
 */
class SubnetMapsWideTest
{
    private static final BigInteger TWO64 = BigInteger.ONE.shiftLeft(64);

    @ParameterizedTest(name = "/{0} window /{1}, 2^{2} cells")
    @CsvSource({"48, 48, 12", "48, 48, 0", "48, 56, 16", "48, 100, 12", "1, 1, 16", "63, 63, 12", "48, 116, 12",
        "48, 64, 8"})
    void shouldCountAsBigIntegersDo(final int prefix, final int windowPrefix, final int cellBits)
    {
        final SplittableRandom random = new SplittableRandom(prefix * 1_000L + windowPrefix * 10L + cellBits);
        final int subnetBits = 128 - prefix;
        final int hostBits = 128 - windowPrefix;
        final BigInteger subnetSize = BigInteger.ONE.shiftLeft(subnetBits);
        final BigInteger windowSize = BigInteger.ONE.shiftLeft(hostBits);
        // a window somewhere inside the subnet, aligned
        final BigInteger first = new BigInteger(subnetBits, new java.util.Random(prefix)).mod(subnetSize)
            .shiftRight(hostBits).shiftLeft(hostBits);
        final WideAddressSet set = new WideAddressSet.Hashed();
        final int cb = Math.min(cellBits, hostBits);
        final int addressBits = hostBits - cb;
        final long[] model = new long[1 << cb];
        for (int i = 0; i < 5_000; i++)
        {
            final BigInteger o;
            switch (i % 4)
            {
                case 0: // anywhere in the subnet
                    o = new BigInteger(subnetBits, new java.util.Random(random.nextLong())).mod(subnetSize);
                    break;
                case 1: // inside the window
                    o = first.add(new BigInteger(hostBits, new java.util.Random(random.nextLong())).mod(windowSize));
                    break;
                case 2: // just below or at its start
                    o = first.add(BigInteger.valueOf(random.nextInt(64) - 32)).mod(subnetSize);
                    break;
                default: // around its end
                    o = first.add(windowSize).add(BigInteger.valueOf(random.nextInt(64) - 32)).mod(subnetSize);
            }
            if (set.add(o.shiftRight(64).longValue(), o.longValue()))
            {
                final BigInteger d = o.subtract(first);
                if (d.signum() >= 0 && d.compareTo(windowSize) < 0)
                {
                    model[d.shiftRight(addressBits).intValueExact()]++;
                }
            }
        }
        final long[] counts = new long[1 << cb];
        SubnetMaps.countWide(set, first.shiftRight(64).longValue(), first.mod(TWO64).longValue(), hostBits,
            addressBits, counts);
        assertArrayEquals(model, counts);
    }

    @ParameterizedTest(name = "2^{0} addresses a cell")
    @CsvSource({"0", "1", "63", "64", "65", "116", "127"})
    void shouldFindTheCellOfAWideOffset(final int addressBits)
    {
        // the last address of the highest cell that fits 128 bits (at most 4,096 cells)
        final int cell = 128 - addressBits >= 12 ? 4095 : (1 << (128 - addressBits)) - 1;
        final BigInteger offset = BigInteger.valueOf(cell).shiftLeft(addressBits)
            .add(BigInteger.ONE.shiftLeft(addressBits).subtract(BigInteger.ONE));
        assertEquals(cell, SubnetMaps.cellOf(offset.shiftRight(64).longValue(), offset.longValue(), addressBits));
    }
}
