package io.tokensiege.coordinator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One axis of a chart: where a value sits between the axis' ends (0..1) and the round ticks to label it with.
 * Linear axes start at 0. A latency that spans more than {@value #LOG_SPAN}x goes on a log axis, or its small
 * values (166 ms beside 100 s) lie flat on zero: ticks then read 100 ms, 1 s, 10 s.
 */
final class Axis {
    /** Above this ratio of largest to smallest value, {@link #auto} picks a log scale. */
    static final double LOG_SPAN = 20;

    record Tick(double value, String label) {}

    private final boolean log;
    private final double min;
    private final double max;
    private final List<Tick> ticks;

    private Axis(boolean log, double min, double max, List<Tick> ticks) {
        this.log = log;
        this.min = min;
        this.max = max;
        this.ticks = ticks;
    }

    /** Log when the positive values span more than {@value #LOG_SPAN}x, else linear from 0. {@code unit} "ms" labels 1,000 ms as "1 s". */
    static Axis auto(double[] values, String unit) {
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double v : values) {
            if (!(v > 0) || Double.isInfinite(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (hi == 0) return linear(1, unit);
        return hi / lo > LOG_SPAN ? log(lo, hi, unit) : linear(hi, unit);
    }

    /** Latencies ({@code unit} "ms") by {@link #auto}; throughputs and rates linear from 0, where scaling reads as a straight line. */
    static Axis of(double[] values, String unit) {
        if ("ms".equals(unit)) return auto(values, unit);
        double hi = 0;
        for (double v : values) if (v > hi && !Double.isInfinite(v)) hi = v;
        return linear(hi, unit);
    }

    /** From 0 to a round number at or above {@code hi}, five ticks. */
    static Axis linear(double hi, String unit) {
        double top = niceCeiling(hi > 0 ? hi * 1.05 : 1);
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i <= 4; i++) ticks.add(new Tick(top * i / 4, label(top * i / 4, unit)));
        return new Axis(false, 0, top, ticks);
    }

    /** From a 1-2-5 round number at or below {@code lo} to one at or above {@code hi}; powers of ten as ticks, 2 and 5 too when the span is short. */
    static Axis log(double lo, double hi, String unit) {
        double bottom = niceFloor(lo);
        double top = niceCeiling(Math.max(hi, bottom * 1.0001));
        boolean fine = top / bottom <= 100;
        List<Tick> ticks = new ArrayList<>();
        for (double decade = Math.pow(10, Math.floor(Math.log10(bottom))); decade <= top * 1.0001; decade *= 10) {
            for (double m : fine ? new double[] {1, 2, 5} : new double[] {1}) {
                double v = m * decade;
                if (v >= bottom * 0.9999 && v <= top * 1.0001) ticks.add(new Tick(v, label(v, unit)));
            }
        }
        return new Axis(true, bottom, top, ticks);
    }

    /** Shares, 0 to 100 %. */
    static Axis percent() {
        List<Tick> ticks = new ArrayList<>();
        for (int v = 0; v <= 100; v += 25) ticks.add(new Tick(v, v + "%"));
        return new Axis(false, 0, 100, ticks);
    }

    /** A log axis with ticks of one's own, e.g. percentiles on a 1/(1-p) axis. */
    static Axis logWithTicks(double lo, double hi, List<Tick> ticks) {
        return new Axis(true, lo, hi, ticks);
    }

    /** Positions 0..n-1 labelled with the levels (1, 4, 8, 16 read better evenly spaced); a single category sits in the middle. */
    static Axis categories(List<String> labels) {
        List<Tick> ticks = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) ticks.add(new Tick(i, labels.get(i)));
        return labels.size() < 2 ? new Axis(false, -1, 1, ticks) : new Axis(false, 0, labels.size() - 1, ticks);
    }

    boolean isLog() {
        return log;
    }

    double min() {
        return min;
    }

    double max() {
        return max;
    }

    List<Tick> ticks() {
        return ticks;
    }

    /** 0 at the axis' start, 1 at its end; values outside are clamped onto the ends, and on a log axis a value <= 0 sits at the start. */
    double fraction(double v) {
        double f = log ? (v <= 0 ? 0 : (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min))) : (v - min) / (max - min);
        return Math.max(0, Math.min(1, f));
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}: round axis ends. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * power >= v * 0.9999) return m * power;
        return 10 * power;
    }

    /** 1, 2 or 5 times a power of ten, at or below {@code v}. */
    static double niceFloor(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {5, 2, 1}) if (m * power <= v * 1.0001) return m * power;
        return power;
    }

    /** "250 ms", "1 s", "2.5 s" for milliseconds; "0.5", "20", "1,200" otherwise; "%" shares as "40%". */
    static String label(double v, String unit) {
        if ("ms".equals(unit)) {
            if (v >= 1000) return trim(v / 1000) + " s";
            return trim(v) + " ms";
        }
        if ("%".equals(unit)) return trim(v) + "%";
        return trim(v);
    }

    private static String trim(double v) {
        if (v == Math.rint(v)) return String.format(Locale.ROOT, "%,d", (long) v);
        String s = String.format(Locale.ROOT, Math.abs(v) < 1 ? "%.3f" : "%.2f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
