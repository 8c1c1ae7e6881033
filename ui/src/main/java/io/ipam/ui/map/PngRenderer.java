package io.ipam.ui.map;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;

import javax.imageio.ImageIO;

/**
 * A {@link Scene} drawn with Java2D into an image and written as PNG: the same shapes as {@link SvgRenderer}, so the
 * PNG and the SVG of a map show the same picture (text in the platform's sans-serif font). Runs headless.
 * Stateless.
 */
public final class PngRenderer
{
    private PngRenderer()
    {
    }

    /**
     * @param scene the scene.
     * @return the image, scene-sized.
     */
    public static BufferedImage draw(final Scene scene)
    {
        final BufferedImage image = new BufferedImage(scene.width(), scene.height(), BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            for (final Scene.Shape shape : scene.shapes())
            {
                if (shape instanceof Scene.Rect r)
                {
                    // cells edge to edge: no antialiasing, as the SVG's crispEdges
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                    final Rectangle2D.Double box = new Rectangle2D.Double(r.x(), r.y(), r.w(), r.h());
                    if (r.fill() >= 0)
                    {
                        g.setColor(new Color(r.fill()));
                        g.fill(box);
                    }
                    if (r.stroke() >= 0)
                    {
                        g.setColor(new Color(r.stroke()));
                        g.setStroke(new BasicStroke((float)r.strokeWidth()));
                        g.draw(box);
                    }
                }
                else if (shape instanceof Scene.Circle c)
                {
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                    final Ellipse2D.Double disc = new Ellipse2D.Double(c.cx() - c.r(), c.cy() - c.r(), 2 * c.r(),
                        2 * c.r());
                    if (c.fill() >= 0)
                    {
                        g.setColor(new Color(c.fill()));
                        g.fill(disc);
                    }
                    if (c.stroke() >= 0)
                    {
                        g.setColor(new Color(c.stroke()));
                        g.setStroke(new BasicStroke((float)c.strokeWidth()));
                        g.draw(disc);
                    }
                }
                else if (shape instanceof Scene.Line l)
                {
                    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                    g.setColor(new Color(l.stroke()));
                    g.setStroke(new BasicStroke((float)l.width()));
                    g.draw(new Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
                }
                else if (shape instanceof Scene.Text t)
                {
                    g.setFont(new Font(Font.SANS_SERIF, t.bold() ? Font.BOLD : Font.PLAIN, 1)
                        .deriveFont((float)t.size()));
                    g.setColor(new Color(t.fill()));
                    final FontMetrics fm = g.getFontMetrics();
                    final int w = fm.stringWidth(t.text());
                    final double x = t.anchor() == Scene.Anchor.START ? t.x() :
                        t.anchor() == Scene.Anchor.MIDDLE ? t.x() - w / 2.0 : t.x() - w;
                    g.drawString(t.text(), (float)x, (float)t.y());
                }
            }
        }
        finally
        {
            g.dispose();
        }
        return image;
    }

    /**
     * @param scene the scene.
     * @param out   where the PNG goes (not closed).
     * @throws IOException if writing fails.
     */
    public static void write(final Scene scene, final OutputStream out) throws IOException
    {
        if (!ImageIO.write(draw(scene), "png", out))
        {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }
}
