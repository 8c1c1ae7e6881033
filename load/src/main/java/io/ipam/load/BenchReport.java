package io.ipam.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * Results of an end-to-end run: a table on the terminal, {@code results.json}, and {@code latency.svg} (the
 * latency percentile spectrum of each measured target).
 */
public final class BenchReport
{
    /** One throughput row: target, callers, pairs per second (median of its trials) and its lowest trial. */
    public static final class Row
    {
        final String target;
        final int callers;
        final double opsPerSecond;
        final double lowestTrial;
        final int trials;

        Row(final String target, final int callers, final double opsPerSecond, final double lowestTrial,
            final int trials)
        {
            this.target = target;
            this.callers = callers;
            this.opsPerSecond = opsPerSecond;
            this.lowestTrial = lowestTrial;
            this.trials = trials;
        }
    }

    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Histogram> latencies = new LinkedHashMap<>();
    private final Map<String, Double> offeredRates = new LinkedHashMap<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();

    /**
     * @param key   fact name (machine, JDK, command).
     * @param value value.
     */
    public void fact(final String key, final Object value)
    {
        facts.put(key, value);
    }

    /**
     * @param target  name.
     * @param callers callers.
     * @param ops     pairs per second.
     */
    public void throughput(final String target, final int callers, final double ops)
    {
        rows.add(new Row(target, callers, ops, ops, 1));
    }

    /**
     * @param target  name.
     * @param callers callers.
     * @param trials  pairs per second of each trial.
     */
    public void throughput(final String target, final int callers, final double[] trials)
    {
        final double[] sorted = trials.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        final double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        rows.add(new Row(target, callers, median, sorted[0], n));
    }

    /**
     * @param target    name.
     * @param offered   offered rate.
     * @param histogram latencies in ns.
     */
    public void latency(final String target, final double offered, final Histogram histogram)
    {
        final String key = String.format(Locale.ROOT, "%s @ %,.0f/s", target, offered);
        latencies.put(key, histogram);
        offeredRates.put(key, offered);
    }

    private double best(final String target, final int callers)
    {
        for (final Row r : rows)
        {
            if (r.target.equals(target) && r.callers == callers)
            {
                return r.opsPerSecond;
            }
        }
        return Double.NaN;
    }

    /**
     * @param out    terminal.
     * @param ipam   name of ipam's row.
     */
    public void print(final PrintWriter out, final String ipam)
    {
        out.println();
        out.println("Throughput (allocate+release pairs per second, text at the edge; median of the trials):");
        out.printf(Locale.ROOT, "  %-46s %8s %14s %12s %14s%n", "target", "callers", "pairs/s", "ipam ratio",
            "lowest/median");
        for (final Row r : rows)
        {
            final double ratio = best(ipam, r.callers) / r.opsPerSecond;
            out.printf(Locale.ROOT, "  %-46s %8d %,14.0f %11.2fx %14.2f%n", r.target, r.callers, r.opsPerSecond,
                ratio, r.lowestTrial / r.opsPerSecond);
        }
        out.println();
        out.println("Latency per pair at a fixed offered rate (one sender, corrected for coordinated omission):");
        out.printf(Locale.ROOT, "  %-62s %12s %9s %9s %9s %9s%n", "target", "offered/s", "p50 us", "p99 us",
            "p99.9 us", "max us");
        for (final Map.Entry<String, Histogram> e : latencies.entrySet())
        {
            final Histogram h = e.getValue();
            out.printf(Locale.ROOT, "  %-62s %,12.0f %9.2f %9.2f %9.2f %9.2f%n", e.getKey(),
                offeredRates.get(e.getKey()), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3);
        }
    }

    /**
     * Write results.json and latency.svg.
     *
     * @param dir results directory (created).
     * @throws IOException on write failure.
     */
    public void write(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final StringBuilder json = new StringBuilder("{\n  \"facts\": {");
        String sep = "";
        for (final Map.Entry<String, Object> f : facts.entrySet())
        {
            json.append(sep).append("\n    \"").append(f.getKey()).append("\": ").append(quote(f.getValue()));
            sep = ",";
        }
        json.append("\n  },\n  \"throughput\": [");
        sep = "";
        for (final Row r : rows)
        {
            json.append(sep).append(String.format(Locale.ROOT,
                "\n    {\"target\": %s, \"callers\": %d, \"pairsPerSecond\": %.1f, \"lowestTrial\": %.1f, " +
                "\"trials\": %d}", quote(r.target), r.callers, r.opsPerSecond, r.lowestTrial, r.trials));
            sep = ",";
        }
        json.append("\n  ],\n  \"latency\": [");
        sep = "";
        for (final Map.Entry<String, Histogram> e : latencies.entrySet())
        {
            final Histogram h = e.getValue();
            json.append(sep).append(String.format(Locale.ROOT,
                "\n    {\"target\": %s, \"offeredPerSecond\": %.1f, \"count\": %d, \"p50Ns\": %d, \"p99Ns\": %d, " +
                    "\"p999Ns\": %d, \"maxNs\": %d}", quote(e.getKey()), offeredRates.get(e.getKey()),
                h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9), h.getMaxValue()));
            sep = ",";
        }
        json.append("\n  ]\n}\n");
        Files.writeString(dir.resolve("results.json"), json.toString());
        Files.writeString(dir.resolve("latency.svg"), svg());
    }

    private static String quote(final Object v)
    {
        if (v instanceof Number)
        {
            return v.toString();
        }
        return "\"" + String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * Percentile spectrum: x is log10(1 / (1 - percentile)) (so 90, 99, 99.9 are evenly spaced), y is
     * latency in microseconds on a log scale.
     */
    private String svg()
    {
        final int w = 800;
        final int h = 480;
        final int left = 70;
        final int bottom = 60;
        final double maxX = 5;   // up to 99.999
        double maxUs = 1;
        for (final Histogram hist : latencies.values())
        {
            maxUs = Math.max(maxUs, hist.getMaxValue() / 1e3);
        }
        final double logMax = Math.ceil(Math.log10(maxUs));
        final double logMin = -1;
        final StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
            .append("\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" " +
                "fill=\"white\"/>\n<text x=\"").append(w / 2).append("\" y=\"20\" text-anchor=\"middle\" " +
                "font-size=\"14\">Latency by percentile (allocate+release, corrected for coordinated omission)" +
                "</text>\n");
        final String[] ticks = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i <= maxX; i++)
        {
            final double x = left + (w - left - 20) * i / maxX;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>" +
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, x, h - bottom, x, h - bottom + 18,
                ticks[i]));
        }
        for (int e = (int)logMin; e <= logMax; e++)
        {
            final double y = (h - bottom) - (h - bottom - 40) * (e - logMin) / (logMax - logMin);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>" +
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s us</text>%n", left, y, w - 20, y, left - 6, y + 4,
                e < 0 ? "0.1" : String.valueOf((long)Math.pow(10, e))));
        }
        final String[] colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
        int c = 0;
        for (final Map.Entry<String, Histogram> entry : latencies.entrySet())
        {
            final Histogram hist = entry.getValue();
            final StringBuilder path = new StringBuilder();
            for (int i = 0; i <= 500; i++)
            {
                final double xv = maxX * i / 500.0;
                final double percentile = 100.0 * (1 - Math.pow(10, -xv));
                final double us = Math.max(0.1, hist.getValueAtPercentile(percentile) / 1e3);
                final double x = left + (w - left - 20) * xv / maxX;
                final double y = (h - bottom) - (h - bottom - 40) * (Math.log10(us) - logMin) / (logMax - logMin);
                path.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
            }
            final String colour = colours[c % colours.length];
            s.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"2\"/>\n");
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", left + 10,
                60 + 16 * c, colour, entry.getKey().replace("&", "&amp;").replace("<", "&lt;")));
            c++;
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
            w / 2, h - 15));
        return s.append("</svg>\n").toString();
    }
}
