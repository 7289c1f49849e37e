package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One inline SVG chart: lines and dots on two {@link Axis axes}, horizontal threshold lines (an SLO), vertical markers (a
 * collapse level) and a legend that wraps under the plot. Every chart of report.html and compare.html is drawn here. Each
 * point is a {@code circle.pt} carrying its values as {@code data-*} attributes, so a test (or a reader's tool) can check
 * what was drawn against the numbers it came from. Points without a value (NaN) are left out, never drawn as 0.
 */
final class XyChart {
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
    private static final int WIDTH = 350;
    private static final int LEFT = 56;
    private static final int RIGHT = 14;
    private static final int TOP = 30;
    private static final int PLOT_HEIGHT = 160;
    private static final int BELOW_PLOT = 34; // x tick labels and the x axis' name
    private static final int LEGEND_LINE = 15;

    record Point(double x, double y, Map<String, String> data) {
        Point(double x, double y) {
            this(x, y, Map.of());
        }
    }

    /** {@code legend} null keeps the series out of the legend (e.g. the dashed p95 twin of a solid p50 line). */
    record Series(String legend, String colour, String dash, double strokeWidth, boolean line, List<Point> points, Map<String, String> data) {}

    private record Threshold(double y, String label) {}

    private record Marker(double x, String label, String colour, Map<String, String> data) {}

    private final String title;
    private final String cssClass;
    private final Map<String, String> data = new LinkedHashMap<>();
    private final Axis x;
    private final Axis y;
    private final String xName;
    private final List<Series> series = new ArrayList<>();
    private final List<Threshold> thresholds = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    /** {@code cssClass} names the kind of chart (e.g. {@code histogram-chart}); {@code data} become {@code data-*} attributes of the svg. */
    XyChart(String title, String cssClass, Map<String, String> data, Axis x, String xName, Axis y) {
        this.title = title;
        this.cssClass = cssClass;
        this.data.putAll(data);
        this.x = x;
        this.xName = xName;
        this.y = y;
    }

    XyChart series(Series s) {
        series.add(s);
        return this;
    }

    /** A horizontal line at {@code value} on the y axis, e.g. an SLO threshold. */
    XyChart threshold(double value, String label) {
        thresholds.add(new Threshold(value, label));
        return this;
    }

    /** A vertical line at {@code value} on the x axis, e.g. the level where a target collapses. */
    XyChart marker(double value, String label, String colour, Map<String, String> data) {
        markers.add(new Marker(value, label, colour, data));
        return this;
    }

    boolean isEmpty() {
        return series.stream().allMatch(s -> s.points().isEmpty());
    }

    String svg() {
        List<String> legend = new ArrayList<>();
        List<String> legendColours = new ArrayList<>();
        for (Series s : series) {
            if (s.legend() != null && !legend.contains(s.legend())) {
                legend.add(s.legend());
                legendColours.add(s.colour());
            }
        }
        List<double[]> legendAt = layoutLegend(legend);
        int legendHeight = legendAt.isEmpty() ? 0 : (int) legendAt.get(legendAt.size() - 1)[1] + 6;
        int height = TOP + PLOT_HEIGHT + BELOW_PLOT + legendHeight;
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\"%s data-y-scale=\"%s\" data-x-scale=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">",
                cssClass, attributes(data), y.isLog() ? "log" : "linear", x.isLog() ? "log" : "linear", WIDTH, height, WIDTH, height));
        sb.append("<title>").append(escape(title)).append("</title>");
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-weight=\"bold\">%s</text>", 4, escape(title)));
        for (Axis.Tick t : y.ticks()) {
            double py = py(t.value());
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\" stroke=\"#e5e5e5\"/>", LEFT, WIDTH - RIGHT, n(py), n(py)));
            sb.append(String.format(Locale.ROOT, "<text class=\"y-tick\" x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>", LEFT - 4, n(py + 4), escape(t.label())));
        }
        for (Axis.Tick t : x.ticks()) {
            sb.append(String.format(Locale.ROOT, "<text class=\"x-tick\" x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>", n(px(t.value())), TOP + PLOT_HEIGHT + 14,
                    escape(t.label())));
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#999\"/>", LEFT, WIDTH - RIGHT, TOP + PLOT_HEIGHT, TOP + PLOT_HEIGHT));
        sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>", n((LEFT + WIDTH - RIGHT) / 2.0), TOP + PLOT_HEIGHT + 28, escape(xName)));
        for (Threshold t : thresholds) {
            double py = py(t.y());
            sb.append(String.format(Locale.ROOT, "<line class=\"slo-line\" data-value=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\" stroke=\"#b00020\" stroke-dasharray=\"2 3\"/>",
                    t.y(), LEFT, WIDTH - RIGHT, n(py), n(py)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\" fill=\"#b00020\">%s</text>", WIDTH - RIGHT - 2, n(py - 3), escape(t.label())));
        }
        for (int i = 0; i < markers.size(); i++) {
            Marker m = markers.get(i);
            double mx = px(m.x());
            sb.append(String.format(Locale.ROOT, "<line class=\"collapse-marker\"%s x1=\"%s\" x2=\"%s\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"5 3\" stroke-width=\"1.4\"/>",
                    attributes(m.data()), n(mx), n(mx), TOP, TOP + PLOT_HEIGHT, m.colour()));
            sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"%s\" fill=\"%s\">%s</text>", n(mx + (mx > WIDTH - 90 ? -3 : 3)),
                    TOP + 10 + 11 * i, mx > WIDTH - 90 ? "end" : "start", m.colour(), escape(m.label())));
        }
        for (Series s : series) drawSeries(sb, s);
        for (int i = 0; i < legend.size(); i++) {
            double lx = legendAt.get(i)[0];
            double ly = TOP + PLOT_HEIGHT + BELOW_PLOT + legendAt.get(i)[1];
            sb.append(String.format(Locale.ROOT, "<rect x=\"%s\" y=\"%s\" width=\"10\" height=\"10\" fill=\"%s\"/><text class=\"legend\" x=\"%s\" y=\"%s\">%s</text>",
                    n(lx), n(ly - 9), legendColours.get(i), n(lx + 14), n(ly), escape(legend.get(i))));
        }
        return sb.append("</svg>").toString();
    }

    private void drawSeries(StringBuilder sb, Series s) {
        StringBuilder points = new StringBuilder();
        StringBuilder dots = new StringBuilder();
        int drawn = 0;
        for (Point p : s.points()) {
            if (Double.isNaN(p.x()) || Double.isNaN(p.y()) || (y.isLog() && p.y() <= 0)) continue;
            drawn++;
            String cx = n(px(p.x()));
            String cy = n(py(p.y()));
            points.append(cx).append(',').append(cy).append(' ');
            dots.append(String.format(Locale.ROOT, "<circle class=\"pt\"%s cx=\"%s\" cy=\"%s\" r=\"%s\" fill=\"%s\"/>", attributes(p.data()), cx, cy,
                    s.line() ? "2.2" : "1.8", s.colour()));
        }
        if (drawn == 0) return;
        sb.append("<g class=\"series\"").append(attributes(s.data())).append('>');
        if (s.line() && drawn > 1) {
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s points=\"%s\"/>", s.colour(), n(s.strokeWidth()),
                    s.dash().isEmpty() ? "" : " stroke-dasharray=\"" + s.dash() + "\"", points.toString().trim()));
        }
        sb.append(dots).append("</g>");
    }

    /** Legend entries flow left to right and wrap; returns each entry's x and its line's baseline offset. */
    private static List<double[]> layoutLegend(List<String> entries) {
        List<double[]> at = new ArrayList<>();
        double lx = LEFT;
        double line = LEGEND_LINE - 4;
        for (String e : entries) {
            double w = 24 + 6.6 * e.length(); // 11 px system-ui runs about 6.6 px a character
            if (lx + w > WIDTH - RIGHT && lx > LEFT) {
                lx = LEFT;
                line += LEGEND_LINE;
            }
            at.add(new double[] {lx, line});
            lx += w;
        }
        return at;
    }

    private double px(double v) {
        return LEFT + 8 + (WIDTH - LEFT - RIGHT - 16) * x.fraction(v);
    }

    private double py(double v) {
        return TOP + PLOT_HEIGHT * (1 - y.fraction(v));
    }

    private static String attributes(Map<String, String> data) {
        StringBuilder sb = new StringBuilder();
        data.forEach((k, v) -> sb.append(" data-").append(k).append("=\"").append(escape(v)).append('"'));
        return sb.toString();
    }

    private static String n(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
