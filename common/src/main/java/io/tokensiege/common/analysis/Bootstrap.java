package io.tokensiege.common.analysis;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Percentile-bootstrap 95 % intervals for the median of repeated measurements, and for the relative
 * difference of two targets' medians — docs/context.md lesson 4: one run cannot call a 5 % difference.
 * Deterministic for a given seed.
 */
public final class Bootstrap {
    static final int RESAMPLES = 10_000;

    private Bootstrap() {}

    /** A point estimate with its 95 % interval. */
    public record Interval(double estimate, double low, double high, int n) {
        public String describe(String unit) {
            if (n == 0 || !Double.isFinite(estimate)) return "n/a (no values)";
            return String.format(Locale.ROOT, "%.1f%s [%.1f, %.1f] (n=%d)", estimate, unit, low, high, n);
        }
    }

    /** Relative difference of B against A, (median B / median A - 1), with its interval and a plain verdict. */
    public record Difference(double relative, double low, double high, boolean significant) {
        public String verdict() {
            // A reference median of 0 (a target that produced nothing) has no relative change to speak of.
            if (!Double.isFinite(relative) || !Double.isFinite(low) || !Double.isFinite(high)) return "n/a: the reference has a median of 0";
            return significant
                    ? String.format(Locale.ROOT, "%+.0f %% ± %.0f %%, significant", 100 * relative, 100 * (high - low) / 2)
                    : String.format(Locale.ROOT, "%+.0f %% [%+.0f %%, %+.0f %%], not distinguishable", 100 * relative, 100 * low, 100 * high);
        }
    }

    public static Interval median(double[] values, long seed) {
        if (values.length == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        double[] resampled = new double[RESAMPLES];
        SplittableRandom r = new SplittableRandom(seed);
        double[] buf = new double[values.length];
        for (int i = 0; i < RESAMPLES; i++) {
            for (int k = 0; k < values.length; k++) buf[k] = values[r.nextInt(values.length)];
            resampled[i] = medianInPlace(buf);
        }
        Arrays.sort(resampled);
        return new Interval(medianOf(values), resampled[(int) (0.025 * RESAMPLES)], resampled[(int) (0.975 * RESAMPLES) - 1], values.length);
    }

    /** B relative to A; significant when the 95 % interval of the relative difference excludes zero. */
    public static Difference difference(double[] a, double[] b, long seed) {
        double[] diffs = new double[RESAMPLES];
        SplittableRandom r = new SplittableRandom(seed);
        double[] ba = new double[a.length];
        double[] bb = new double[b.length];
        for (int i = 0; i < RESAMPLES; i++) {
            for (int k = 0; k < a.length; k++) ba[k] = a[r.nextInt(a.length)];
            for (int k = 0; k < b.length; k++) bb[k] = b[r.nextInt(b.length)];
            diffs[i] = medianInPlace(bb) / medianInPlace(ba) - 1; // scratch buffers: sorting them is fine
        }
        Arrays.sort(diffs);
        double low = diffs[(int) (0.025 * RESAMPLES)];
        double high = diffs[(int) (0.975 * RESAMPLES) - 1];
        double point = medianOf(b) / medianOf(a) - 1;
        return new Difference(point, low, high, low > 0 || high < 0);
    }

    /** The median of {@code values} (the mean of the two middle ones when even); the array is left as it was. */
    public static double medianOf(double[] values) {
        return medianInPlace(values.clone());
    }

    private static double medianInPlace(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
