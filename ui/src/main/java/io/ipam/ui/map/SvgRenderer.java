package io.ipam.ui.map;

import java.util.Locale;

/**
 * A {@link Scene} as SVG text: shapes become {@code rect}, {@code circle}, {@code line} and {@code text} elements
 * with presentation attributes only (no {@code style} attribute, no script, no external reference), so the page can
 * show it under a strict Content-Security-Policy. All text is escaped: a crafted subnet id cannot add markup.
 * Stateless.
 */
public final class SvgRenderer
{
    private SvgRenderer()
    {
    }

    /**
     * @param scene the scene.
     * @return a standalone SVG document.
     */
    public static String render(final Scene scene)
    {
        final StringBuilder sb = new StringBuilder(64 + scene.shapes().size() * 80);
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(scene.width()).append("\" height=\"")
            .append(scene.height()).append("\" viewBox=\"0 0 ").append(scene.width()).append(' ')
            .append(scene.height()).append("\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n<title>");
        escape(sb, scene.title());
        sb.append("</title>\n");
        for (final Scene.Shape shape : scene.shapes())
        {
            if (shape instanceof Scene.Rect r)
            {
                sb.append("<rect x=\"").append(num(r.x())).append("\" y=\"").append(num(r.y())).append("\" width=\"")
                    .append(num(r.w())).append("\" height=\"").append(num(r.h())).append('"');
                paint(sb, r.fill(), r.stroke(), r.strokeWidth());
                if (r.stroke() < 0)
                {
                    sb.append(" shape-rendering=\"crispEdges\"");
                }
                sb.append("/>\n");
            }
            else if (shape instanceof Scene.Circle c)
            {
                sb.append("<circle cx=\"").append(num(c.cx())).append("\" cy=\"").append(num(c.cy()))
                    .append("\" r=\"").append(num(c.r())).append('"');
                paint(sb, c.fill(), c.stroke(), c.strokeWidth());
                sb.append("/>\n");
            }
            else if (shape instanceof Scene.Line l)
            {
                sb.append("<line x1=\"").append(num(l.x1())).append("\" y1=\"").append(num(l.y1()))
                    .append("\" x2=\"").append(num(l.x2())).append("\" y2=\"").append(num(l.y2())).append('"');
                paint(sb, -1, l.stroke(), l.width());
                sb.append("/>\n");
            }
            else if (shape instanceof Scene.Text t)
            {
                sb.append("<text x=\"").append(num(t.x())).append("\" y=\"").append(num(t.y()))
                    .append("\" font-size=\"").append(num(t.size())).append("\" fill=\"").append(hex(t.fill()))
                    .append('"');
                if (t.bold())
                {
                    sb.append(" font-weight=\"bold\"");
                }
                if (t.anchor() != Scene.Anchor.START)
                {
                    sb.append(" text-anchor=\"").append(t.anchor() == Scene.Anchor.MIDDLE ? "middle" : "end")
                        .append('"');
                }
                sb.append('>');
                escape(sb, t.text());
                sb.append("</text>\n");
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static void paint(final StringBuilder sb, final int fill, final int stroke, final double width)
    {
        sb.append(" fill=\"").append(fill < 0 ? "none" : hex(fill)).append('"');
        if (stroke >= 0)
        {
            sb.append(" stroke=\"").append(hex(stroke)).append("\" stroke-width=\"").append(num(width)).append('"');
        }
    }

    static String hex(final int rgb)
    {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    static String num(final double v)
    {
        if (v == Math.rint(v) && Math.abs(v) < 1e9)
        {
            return Long.toString((long)v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * XML text and attribute escaping; control characters (never in an id) become '?'.
     */
    static void escape(final StringBuilder sb, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c < 0x20 ? '?' : c);
            }
        }
    }
}
