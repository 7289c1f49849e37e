package io.tokensiege.coordinator.report;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * n, p50, p90, p99, p99.9 and max of one merged histogram, in the metric's display unit: the rows of
 * {@code tokensiege report --metric} and the percentile tables of report.html, so both print the same numbers.
 *
 * @param values the value at each of {@link #PERCENTILES}, in display units
 */
public record PercentileSummary(long count, double[] values, double max) {
    public static final double[] PERCENTILES = {50, 90, 99, 99.9};
    public static final String[] NAMES = {"p50", "p90", "p99", "p99.9"};

    /**
     * {@code factor} turns recorded values into display units (see {@link StepHistograms#displayFactor}). A percentile
     * needs 1/(1-p) values to exist (p99: 100, p99.9: 1,000); with fewer it is "—", as in the charts, not the maximum again.
     */
    public static PercentileSummary of(Histogram h, double factor) {
        double[] v = new double[PERCENTILES.length];
        long n = h.getTotalCount();
        for (int i = 0; i < v.length; i++) v[i] = n < PercentileChart.x(PERCENTILES[i]) - 1e-9 ? Double.NaN : h.getValueAtPercentile(PERCENTILES[i]) * factor;
        return new PercentileSummary(h.getTotalCount(), v, h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() * factor);
    }

    /** "1,234 ms", "9.3 ms", "45.3 tok/s", "200 tokens"; "—" where there is no value. */
    public static String format(double v, String unit) {
        if (Double.isNaN(v)) return "—";
        String number = switch (unit) {
            case "ms" -> String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.1f", v);
            case "tok/s" -> String.format(Locale.ROOT, "%,.1f", v);
            default -> String.format(Locale.ROOT, "%,.0f", v);
        };
        return number + " " + unit;
    }
}
