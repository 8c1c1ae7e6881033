package io.ipam.ui.map;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A drawing as plain shapes in pixel coordinates (origin top left, y down): rectangles, circles, lines and text,
 * drawn in order. One scene is rendered to SVG ({@link SvgRenderer}: the web page and {@code ipam map --format svg})
 * and to PNG ({@link PngRenderer}, Java2D), so both show the same picture. Built by one thread, then read-only.
 */
public final class Scene
{
    private final int width;
    private final int height;
    private final String title;
    private final List<Shape> shapes = new ArrayList<>();

    /**
     * @param width  pixels.
     * @param height pixels.
     * @param title  what the drawing shows, in one line (SVG title; not drawn by itself).
     */
    public Scene(final int width, final int height, final String title)
    {
        this.width = width;
        this.height = height;
        this.title = Objects.requireNonNull(title);
    }

    /** @return width in pixels. */
    public int width()
    {
        return width;
    }

    /** @return height in pixels. */
    public int height()
    {
        return height;
    }

    /** @return the one-line title. */
    public String title()
    {
        return title;
    }

    /** @return the shapes, in drawing order. */
    public List<Shape> shapes()
    {
        return Collections.unmodifiableList(shapes);
    }

    /**
     * @param x      left.
     * @param y      top.
     * @param w      width.
     * @param h      height.
     * @param fill   fill colour, 0xRRGGBB.
     * @return this.
     */
    public Scene rect(final double x, final double y, final double w, final double h, final int fill)
    {
        shapes.add(new Rect(x, y, w, h, fill, -1, 0));
        return this;
    }

    /**
     * @param x           left.
     * @param y           top.
     * @param w           width.
     * @param h           height.
     * @param fill        fill colour, 0xRRGGBB, or -1 for none.
     * @param stroke      outline colour, or -1 for none.
     * @param strokeWidth outline width.
     * @return this.
     */
    public Scene rect(final double x, final double y, final double w, final double h, final int fill,
        final int stroke, final double strokeWidth)
    {
        shapes.add(new Rect(x, y, w, h, fill, stroke, strokeWidth));
        return this;
    }

    /**
     * @param cx          centre x.
     * @param cy          centre y.
     * @param r           radius.
     * @param fill        fill colour.
     * @param stroke      outline colour, or -1.
     * @param strokeWidth outline width.
     * @return this.
     */
    public Scene circle(final double cx, final double cy, final double r, final int fill, final int stroke,
        final double strokeWidth)
    {
        shapes.add(new Circle(cx, cy, r, fill, stroke, strokeWidth));
        return this;
    }

    /**
     * @param x1     start x.
     * @param y1     start y.
     * @param x2     end x.
     * @param y2     end y.
     * @param stroke colour.
     * @param width  line width.
     * @return this.
     */
    public Scene line(final double x1, final double y1, final double x2, final double y2, final int stroke,
        final double width)
    {
        shapes.add(new Line(x1, y1, x2, y2, stroke, width));
        return this;
    }

    /**
     * @param x      anchor x.
     * @param y      baseline y.
     * @param size   font size in pixels.
     * @param bold   bold.
     * @param anchor where x is: start, middle or end of the text.
     * @param fill   colour.
     * @param text   the text (any characters: renderers escape).
     * @return this.
     */
    public Scene text(final double x, final double y, final double size, final boolean bold, final Anchor anchor,
        final int fill, final String text)
    {
        shapes.add(new Text(x, y, size, bold, anchor, fill, text));
        return this;
    }

    /** Where a text's x lies. */
    public enum Anchor
    {
        /** x is the text's left end. */
        START,
        /** x is its middle. */
        MIDDLE,
        /** x is its right end. */
        END
    }

    /** A shape of a scene. */
    public interface Shape
    {
    }

    /**
     * A rectangle.
     *
     * @param x           left.
     * @param y           top.
     * @param w           width.
     * @param h           height.
     * @param fill        0xRRGGBB or -1.
     * @param stroke      0xRRGGBB or -1.
     * @param strokeWidth outline width.
     */
    public record Rect(double x, double y, double w, double h, int fill, int stroke, double strokeWidth)
        implements Shape
    {
    }

    /**
     * A circle.
     *
     * @param cx          centre x.
     * @param cy          centre y.
     * @param r           radius.
     * @param fill        0xRRGGBB or -1.
     * @param stroke      0xRRGGBB or -1.
     * @param strokeWidth outline width.
     */
    public record Circle(double cx, double cy, double r, int fill, int stroke, double strokeWidth) implements Shape
    {
    }

    /**
     * A line.
     *
     * @param x1     start x.
     * @param y1     start y.
     * @param x2     end x.
     * @param y2     end y.
     * @param stroke 0xRRGGBB.
     * @param width  line width.
     */
    public record Line(double x1, double y1, double x2, double y2, int stroke, double width) implements Shape
    {
    }

    /**
     * A line of text.
     *
     * @param x      anchor x.
     * @param y      baseline y.
     * @param size   font size.
     * @param bold   bold.
     * @param anchor where x is.
     * @param fill   0xRRGGBB.
     * @param text   the text.
     */
    public record Text(double x, double y, double size, boolean bold, Anchor anchor, int fill, String text)
        implements Shape
    {
    }
}
