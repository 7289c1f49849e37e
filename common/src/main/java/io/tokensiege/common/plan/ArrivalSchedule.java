package io.tokensiege.common.plan;

import java.util.SplittableRandom;

/**
 * Open-loop arrival times, as cumulative offsets from one absolute anchor, so a late wake-up never
 * shifts the arrivals after it (no sleep drift). Poisson: exponential gaps of mean 1/rate. Gamma:
 * gaps with the same mean and a coefficient of variation of {@code burstiness} (1 = Poisson, above 1
 * = bursty). Constant: exactly 1/rate. Deterministic for a seed.
 */
public final class ArrivalSchedule {
    private final double meanGapNanos;
    private final String arrival;
    private final double shape;
    private final SplittableRandom random;
    private double offsetNanos;
    private boolean first = true;

    public ArrivalSchedule(double ratePerSecond, String arrival, double burstiness, long seed) {
        if (ratePerSecond <= 0) throw new IllegalArgumentException("rate must be positive");
        this.meanGapNanos = 1e9 / ratePerSecond;
        this.arrival = arrival;
        this.shape = 1.0 / (burstiness * burstiness);
        this.random = new SplittableRandom(seed);
    }

    /**
     * The seed of one worker's arrivals ({@code stream}) in one step: a draw of its own for every scenario, total rate and
     * repeat, so levels are not one pattern scaled (which gave every level the same rate error) and repeats vary as real
     * arrivals do; the same for every target, so targets compared side by side meet the same arrivals.
     */
    public static long seed(long planSeed, String scenario, double totalRate, int repeat, int stream) {
        long h = planSeed;
        h = h * 1_000_003 + scenario.hashCode();
        h = h * 1_000_003 + Double.hashCode(totalRate);
        h = h * 1_000_003 + repeat;
        return h * 31 + stream;
    }

    /** The next arrival's offset from the anchor, in nanoseconds; the first arrival is at the anchor itself. */
    public long next() {
        if (first) {
            first = false;
            return 0;
        }
        offsetNanos += switch (arrival) {
            case "constant" -> meanGapNanos;
            case "gamma" -> gamma(shape) / shape * meanGapNanos;
            default -> -Math.log(1 - random.nextDouble()) * meanGapNanos;
        };
        return (long) offsetNanos;
    }

    /** Marsaglia-Tsang gamma(shape, 1); shape < 1 boosted by U^(1/shape). */
    private double gamma(double k) {
        if (k < 1) return gamma(k + 1) * Math.pow(random.nextDouble(), 1 / k);
        double d = k - 1.0 / 3, c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = normal();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
        }
    }

    private double normal() {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
