package io.ipam.core.addr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Function;

import io.ipam.core.ErrorCode;
import io.ipam.core.IpamException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AddressCodec}: the layout the formats document, both byte orders, and every refusal.
 */
class AddressCodecTest
{
    private static final Function<String, IpamException> BAD = what -> new IpamException(ErrorCode.STORE_CORRUPT,
        what);

    @Test
    void shouldLayOutAddressesAndCidrsAsTheFormatsSay()
    {
        final ByteBuffer b = ByteBuffer.allocate(AddressCodec.CIDR_BYTES);
        AddressCodec.putCidr(AddressCodec.sink(b), AddressText.parseCidr("10.1.2.0/24", "cidr"));
        assertArrayEquals(new byte[] {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 1, 2, 0, 24}, b.array());
        final ByteBuffer le = ByteBuffer.allocate(AddressCodec.ADDRESS_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        AddressCodec.putAddress(AddressCodec.sink(le), IpAddress.v4(0x0A010203L));
        assertArrayEquals(new byte[] {4, 0, 0, 0, 0, 0, 0, 0, 0, 3, 2, 1, 10, 0, 0, 0, 0}, le.array());
    }

    @Test
    void shouldRoundTripBothFamiliesInBothByteOrders()
    {
        for (final ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN})
        {
            for (final String text : new String[] {"0.0.0.0/0", "192.168.7.0/24", "255.255.255.255/32", "::/0",
                "2001:db8::/64", "2001:db8:ffff:1::7/128"})
            {
                final Cidr c = AddressText.parseCidr(text, "cidr");
                final ByteBuffer b = ByteBuffer.allocate(2 * AddressCodec.CIDR_BYTES + AddressCodec.ADDRESS_BYTES)
                    .order(order);
                AddressCodec.putCidr(AddressCodec.sink(b), c);
                AddressCodec.putAddress(AddressCodec.sink(b), c.address());
                AddressCodec.putAddressOrNone(AddressCodec.sink(b), null);
                b.flip();
                assertEquals(c, AddressCodec.getCidr(AddressCodec.source(b), BAD));
                assertEquals(c.address(), AddressCodec.getAddress(AddressCodec.source(b), BAD));
                assertNull(AddressCodec.getAddressOrNone(AddressCodec.source(b), BAD));
                assertEquals(0, b.remaining());
            }
        }
    }

    @Test
    void shouldRefuseBadFamiliesRangesAndLengths()
    {
        final byte[][] bad = {
            {5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},             // family
            {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},             // none where one is needed
            {4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 8},             // IPv4 with high bits
            {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 8},             // IPv4 over 32 bits
            {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 33},           // prefix length
            {6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)129}};    // prefix length
        for (final byte[] b : bad)
        {
            final IpamException ex = assertThrows(IpamException.class,
                () -> AddressCodec.getCidr(AddressCodec.source(ByteBuffer.wrap(b)), BAD));
            assertEquals(ErrorCode.STORE_CORRUPT, ex.code());
        }
        final IpamException family = assertThrows(IpamException.class,
            () -> AddressCodec.getAddressOrNone(AddressCodec.source(ByteBuffer.wrap(bad[0])), BAD));
        assertTrue(family.getMessage().contains("family 5"), family.getMessage());
    }
}
