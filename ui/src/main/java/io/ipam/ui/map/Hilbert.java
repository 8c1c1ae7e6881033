package io.ipam.ui.map;

/**
 * The Hilbert curve on a square grid of {@code side x side} cells ({@code side} a power of two): consecutive
 * addresses stay neighbours on the picture, and every aligned block of {@code 4^k} cells is a square of
 * {@code 2^k x 2^k} (of {@code 2 x 4^k}, a 2:1 rectangle). The first half of the curve fills the left half of the
 * square, so a grid of {@code 2^(2k+1)} cells is drawn {@code 2^k} wide and {@code 2^(k+1)} high. The page's
 * script inverts the same curve ({@code xy2d}) to find the cell under the pointer. Stateless.
 */
public final class Hilbert
{
    private Hilbert()
    {
    }

    /**
     * @param side the grid's side, a power of two.
     * @param d    distance along the curve, 0 to side^2 - 1.
     * @return {x, y} of that cell (y down).
     */
    public static int[] d2xy(final int side, final int d)
    {
        int x = 0;
        int y = 0;
        int t = d;
        for (int s = 1; s < side; s *= 2)
        {
            final int rx = 1 & (t / 2);
            final int ry = 1 & (t ^ rx);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    x = s - 1 - x;
                    y = s - 1 - y;
                }
                final int tmp = x;
                x = y;
                y = tmp;
            }
            x += s * rx;
            y += s * ry;
            t /= 4;
        }
        return new int[] {x, y};
    }

    /**
     * @param side the grid's side, a power of two.
     * @param x    column.
     * @param y    row.
     * @return the distance along the curve of that cell.
     */
    public static int xy2d(final int side, final int x, final int y)
    {
        int d = 0;
        int px = x;
        int py = y;
        for (int s = side / 2; s > 0; s /= 2)
        {
            final int rx = (px & s) > 0 ? 1 : 0;
            final int ry = (py & s) > 0 ? 1 : 0;
            d += s * s * ((3 * rx) ^ ry);
            if (ry == 0)
            {
                if (rx == 1)
                {
                    px = s - 1 - px;
                    py = s - 1 - py;
                }
                final int tmp = px;
                px = py;
                py = tmp;
            }
        }
        return d;
    }
}
