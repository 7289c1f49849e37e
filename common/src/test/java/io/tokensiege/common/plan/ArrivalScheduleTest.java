package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ArrivalScheduleTest {
    private static double[] gaps(String arrival, double burstiness, int n) {
        ArrivalSchedule s = new ArrivalSchedule(2.0, arrival, burstiness, 42);
        long prev = s.next();
        assertThat(prev).isZero(); // the first arrival is at the anchor
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            long next = s.next();
            g[i] = (next - prev) / 1e9;
            prev = next;
        }
        return g;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    private static double cv(double[] x) {
        double m = mean(x), ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return Math.sqrt(ss / x.length) / m;
    }

    @Test
    void eachArrivalProcess_hasTheRequestedMeanAndVariability() {
        double[] constant = gaps("constant", 1, 1000);
        assertThat(mean(constant)).isCloseTo(0.5, within(1e-9));
        assertThat(cv(constant)).isCloseTo(0, within(1e-6));
        double[] poisson = gaps("poisson", 1, 100_000);
        assertThat(mean(poisson)).isCloseTo(0.5, within(0.01));
        assertThat(cv(poisson)).isCloseTo(1.0, within(0.02));
        double[] bursty = gaps("gamma", 3, 100_000);
        assertThat(mean(bursty)).isCloseTo(0.5, within(0.02));
        assertThat(cv(bursty)).isCloseTo(3.0, within(0.15));
        double[] smooth = gaps("gamma", 0.5, 100_000);
        assertThat(cv(smooth)).isCloseTo(0.5, within(0.02));
    }

    @Test
    void eachRateAndRepeat_drawsItsOwnArrivals() {
        double[] atOne = scaledGaps(ArrivalSchedule.seed(1, "sweep", 1.0, 1, 0), 1.0);
        double[] atEight = scaledGaps(ArrivalSchedule.seed(1, "sweep", 8.0, 1, 0), 8.0);
        double[] atOneAgain = scaledGaps(ArrivalSchedule.seed(1, "sweep", 1.0, 2, 0), 1.0);
        assertThat(atEight).as("not the rate-1 pattern, scaled").isNotEqualTo(atOne);
        assertThat(atOneAgain).as("the second repeat").isNotEqualTo(atOne);
        assertThat(ArrivalSchedule.seed(1, "sweep", 1.0, 1, 1)).as("another worker's stream").isNotEqualTo(ArrivalSchedule.seed(1, "sweep", 1.0, 1, 0));
    }

    /** The first gaps of a Poisson schedule, in units of its mean gap. */
    private static double[] scaledGaps(long seed, double rate) {
        ArrivalSchedule s = new ArrivalSchedule(rate, "poisson", 1, seed);
        long prev = s.next();
        double[] g = new double[8];
        for (int i = 0; i < g.length; i++) {
            long next = s.next();
            g[i] = Math.round((next - prev) / 1e9 * rate * 1e6) / 1e6;
            prev = next;
        }
        return g;
    }
}
