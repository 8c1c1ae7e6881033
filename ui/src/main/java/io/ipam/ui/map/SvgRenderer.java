package io.ipam.ui.map;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link Scene} as SVG text: shapes become {@code rect}, {@code circle}, {@code line} and {@code text} elements
 * with presentation attributes only (no {@code style} attribute, no script, no external reference), so the page can
 * show it under a strict Content-Security-Policy. A run of consecutive unstroked rectangles becomes one {@code path}
 * per colour, so that a map of 4,096 cells is a few dozen elements for the browser, not thousands; grouping by colour
 * reorders their painting, which is only right because such rectangles never overlap (a map's cells: a scene must
 * not draw overlapping unstroked rectangles one after another). All text is escaped: a crafted subnet id cannot add markup.
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
        final List<Scene.Shape> shapes = scene.shapes();
        for (int i = 0; i < shapes.size(); i++)
        {
            final Scene.Shape shape = shapes.get(i);
            int run = i;
            while (run < shapes.size() && shapes.get(run) instanceof Scene.Rect q && q.stroke() < 0 && q.fill() >= 0)
            {
                run++;
            }
            if (run - i > 1)
            {
                cells(sb, shapes.subList(i, run));
                i = run - 1;
            }
            else if (shape instanceof Scene.Rect r)
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

    /** Unstroked rectangles that do not overlap, as one path per colour (in the order the colours first come). */
    private static void cells(final StringBuilder sb, final List<Scene.Shape> rects)
    {
        final Map<Integer, StringBuilder> paths = new LinkedHashMap<>();
        for (final Scene.Shape shape : rects)
        {
            final Scene.Rect r = (Scene.Rect)shape;
            paths.computeIfAbsent(r.fill(), f -> new StringBuilder()).append('M').append(num(r.x())).append(' ')
                .append(num(r.y())).append('h').append(num(r.w())).append('v').append(num(r.h())).append('h')
                .append(num(-r.w())).append('z');
        }
        for (final Map.Entry<Integer, StringBuilder> p : paths.entrySet())
        {
            sb.append("<path d=\"").append(p.getValue()).append("\" fill=\"").append(hex(p.getKey()))
                .append("\" shape-rendering=\"crispEdges\"/>\n");
        }
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
