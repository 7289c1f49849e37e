package io.tokensiege.coordinator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A merged histogram drawn whole: value by percentile, x on a 1/(1-p) log axis (ticks 50, 90, 99, 99.9), so the tail gets
 * as much room as the body; y on a log axis; one curve per load level. A percentile is drawn only where the histogram
 * holds enough values to have one (p99.9 needs 1,000), never extrapolated. Each point carries {@code data-p} and
 * {@code data-v}: the percentile and {@code getValueAtPercentile(p)} of the merged histogram, in display units.
 */
final class PercentileChart {
    static final double[] PERCENTILES = {0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};

    /** One level's histogram, {@code label} its level and {@code legend} its name; {@code factor} turns its recorded values into display units. */
    record Curve(String label, String legend, String colour, String dash, double strokeWidth, Histogram histogram, double factor) {}

    private PercentileChart() {}

    static XyChart chart(String title, String metric, String unit, Map<String, String> data, List<Curve> curves) {
        double xMax = 1000;
        List<Double> values = new ArrayList<>();
        for (Curve c : curves) {
            for (double[] p : points(c.histogram(), c.factor())) {
                xMax = Math.max(xMax, x(p[0]));
                values.add(p[1]);
            }
        }
        xMax = Math.pow(10, Math.ceil(Math.log10(xMax)));
        List<Axis.Tick> ticks = new ArrayList<>(List.of(new Axis.Tick(1, "0"), new Axis.Tick(2, "50"), new Axis.Tick(10, "90"),
                new Axis.Tick(100, "99"), new Axis.Tick(1000, "99.9")));
        if (xMax >= 10_000) ticks.add(new Axis.Tick(10_000, "99.99"));
        double lo = values.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(1);
        double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        Map<String, String> attributes = new java.util.LinkedHashMap<>(data);
        attributes.put("metric", metric);
        XyChart chart = new XyChart(title, "histogram-chart", attributes, Axis.logWithTicks(1, xMax, ticks), "percentile", Axis.log(lo, Math.max(hi, lo), unit));
        for (Curve c : curves) {
            List<XyChart.Point> pts = new ArrayList<>();
            for (double[] p : points(c.histogram(), c.factor())) {
                pts.add(new XyChart.Point(x(p[0]), p[1], Map.of("p", Double.toString(p[0]), "v", Double.toString(p[1]), "level", c.label())));
            }
            chart.series(new XyChart.Series(c.legend(), c.colour(), c.dash(), c.strokeWidth(), true, pts, Map.of("level", c.label())));
        }
        return chart;
    }

    /** (p, value) for each percentile the histogram has enough values for: 1/(1-p) of them at least. */
    static List<double[]> points(Histogram h, double factor) {
        List<double[]> out = new ArrayList<>();
        long n = h.getTotalCount();
        if (n == 0) return out;
        for (double p : PERCENTILES) {
            if (x(p) > n + 1e-9) break;
            out.add(new double[] {p, h.getValueAtPercentile(p) * factor});
        }
        return out;
    }

    /** The position of percentile {@code p} on the axis: 1/(1-p), so p50 = 2, p90 = 10, p99 = 100. */
    static double x(double p) {
        return 1 / (1 - p / 100);
    }
}
