package io.tokensiege.common.analysis;

import org.HdrHistogram.Histogram;

/**
 * Summary of one merged histogram, converted to the target's own time: durations are multiplied
 * by the time scale (a simulator at speed 20 ran 20x faster than its simulated server), rates divided.
 */
public record Percentiles(long count, double p50, double p90, double p95, double p99, double max, double mean) {
    public static final Percentiles EMPTY = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    public static Percentiles of(Histogram h, double factor) {
        if (h == null || h.getTotalCount() == 0) return EMPTY;
        return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50) * factor, h.getValueAtPercentile(90) * factor,
                h.getValueAtPercentile(95) * factor, h.getValueAtPercentile(99) * factor, h.getMaxValue() * factor, h.getMean() * factor);
    }
}
