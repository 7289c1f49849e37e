package io.tokensiege.common.analysis;

import java.util.Arrays;
import java.util.Locale;

/**
 * 95 % intervals from a few repeated runs (docs/context.md lesson 4: one run cannot call a 5 % difference): Student's
 * t for a mean, Welch's t for a difference between two sets of runs. Not a bootstrap: from 2 or 3 values a percentile
 * bootstrap can only return their range, and it called two identical servers different in a third of 2-vs-2
 * comparisons; t intervals keep their 95 % at any n, wide as few runs must be. A difference of positive values
 * (latency, throughput) is taken on their logarithms, so B against A is a ratio whose interval does not depend on which
 * side is the reference; one that may be 0 (an error rate) is an absolute difference.
 */
public final class RepeatStats {
    /** Two-sided 95 % quantiles of Student's t for 1 to 5 degrees of freedom in quarters (Welch's are fractional, and t is steep there). */
    private static final double[] T975_QUARTERS = {12.706, 8.028, 6.017, 4.949, 4.303, 3.875, 3.575, 3.353, 3.182, 3.048, 2.940, 2.851,
            2.776, 2.713, 2.659, 2.612, 2.571};
    /** Two-sided 95 % quantiles of Student's t for 1..30 degrees of freedom. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
            2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

    private RepeatStats() {}

    /** A mean with its 95 % interval; without one when n < 2. */
    public record Interval(double mean, double low, double high, int n) {
        public String describe(String unit) {
            if (n == 0 || !Double.isFinite(mean)) return "n/a (no values)";
            if (n == 1) return String.format(Locale.ROOT, "%.1f%s (one run: no interval)", mean, unit);
            return String.format(Locale.ROOT, "%.1f%s [%.1f, %.1f] (mean of %d)", mean, unit, low, high, n);
        }
    }

    /**
     * B against A. {@code relative}: B's mean over A's minus 1 (a ratio of geometric means, with its interval), or, when
     * {@code absolute}, B's mean minus A's. Without a verdict when either side has fewer than 2 runs.
     */
    public record Difference(double change, double low, double high, boolean absolute, int na, int nb) {
        /** Both sides have the two runs an interval needs. */
        public boolean resolved() {
            return na >= 2 && nb >= 2 && Double.isFinite(low) && Double.isFinite(high);
        }

        /** The 95 % interval excludes no change. */
        public boolean significant() {
            return resolved() && (low > 0 || high < 0);
        }

        public String verdict() {
            if (!Double.isFinite(change)) return "n/a";
            String point = absolute ? String.format(Locale.ROOT, "%+.2f", change) : String.format(Locale.ROOT, "%+.1f %%", 100 * change);
            if (!resolved()) return String.format(Locale.ROOT, "%s (no verdict: %d vs %d run%s)", point, na, nb, nb == 1 ? "" : "s");
            String interval = absolute ? String.format(Locale.ROOT, "[%+.2f, %+.2f]", low, high)
                    : String.format(Locale.ROOT, "[%+.1f %%, %+.1f %%]", 100 * low, 100 * high);
            return point + " " + interval + (significant() ? ", significant" : ", not distinguishable");
        }
    }

    /** The mean of {@code values} with Student's t 95 % interval. */
    public static Interval mean(double[] values) {
        int n = values.length;
        if (n == 0) return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        double m = meanOf(values);
        if (n == 1) return new Interval(m, Double.NaN, Double.NaN, 1);
        double half = t975(n - 1) * Math.sqrt(variance(values, m) / n);
        return new Interval(m, m - half, m + half, n);
    }

    /** B against A by Welch's t; see {@link Difference}. */
    public static Difference difference(double[] a, double[] b) {
        boolean positive = Arrays.stream(a).allMatch(x -> x > 0) && Arrays.stream(b).allMatch(x -> x > 0);
        double[] x = positive ? logs(a) : a;
        double[] y = positive ? logs(b) : b;
        double d = meanOf(y) - meanOf(x);
        double low = Double.NaN;
        double high = Double.NaN;
        if (a.length >= 2 && b.length >= 2) {
            double va = variance(x, meanOf(x)) / x.length;
            double vb = variance(y, meanOf(y)) / y.length;
            double se = Math.sqrt(va + vb);
            // Welch-Satterthwaite degrees of freedom; with no spread on either side the interval is the point itself.
            double df = se == 0 ? a.length + b.length - 2 : (va + vb) * (va + vb) / (va * va / (x.length - 1) + vb * vb / (y.length - 1));
            double half = t975(df) * se;
            low = d - half;
            high = d + half;
        }
        if (!positive) return new Difference(d, low, high, true, a.length, b.length);
        return new Difference(Math.expm1(d), Math.expm1(low), Math.expm1(high), false, a.length, b.length);
    }

    public static double meanOf(double[] values) {
        double sum = 0;
        for (double v : values) sum += v;
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** The 97.5th percentile of Student's t; between the table's degrees of freedom, linear in 1/df (a little wide, the safe side). */
    static double t975(double df) {
        if (df <= 1) return T975[0];
        if (df >= 120) return 1.980;
        if (df < 5) {
            int q = (int) Math.floor((df - 1) * 4);
            return interpolate(df, 1 + q / 4.0, T975_QUARTERS[q], 1 + (q + 1) / 4.0, T975_QUARTERS[q + 1]);
        }
        int k = (int) Math.floor(df);
        if (k >= 30) return k < 40 ? interpolate(df, 30, 2.042, 40, 2.021) : k < 60 ? interpolate(df, 40, 2.021, 60, 2.000) : interpolate(df, 60, 2.000, 120, 1.980);
        return k == df ? T975[k - 1] : interpolate(df, k, T975[k - 1], k + 1, T975[k]);
    }

    private static double interpolate(double df, double dfLow, double tLow, double dfHigh, double tHigh) {
        double w = (1 / dfLow - 1 / df) / (1 / dfLow - 1 / dfHigh);
        return tLow + w * (tHigh - tLow);
    }

    private static double variance(double[] v, double mean) {
        double ss = 0;
        for (double x : v) ss += (x - mean) * (x - mean);
        return ss / (v.length - 1);
    }

    private static double[] logs(double[] v) {
        return Arrays.stream(v).map(Math::log).toArray();
    }
}
