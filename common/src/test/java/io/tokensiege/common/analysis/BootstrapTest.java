package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
    /** n draws from a normal distribution with a known mean (= median) and spread. */
    private static double[] normal(int n, double mean, double sd, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        return x;
    }

    @Test
    void intervalCoversTheTrueMedian_about95PercentOfTheTime() {
        int covered = 0;
        int trials = 200;
        for (int t = 0; t < trials; t++) {
            Bootstrap.Interval i = Bootstrap.median(normal(30, 50, 5, t), t);
            if (i.low() <= 50 && 50 <= i.high()) covered++;
        }
        // Percentile bootstrap of a median at n=30 is close to nominal; allow sampling noise of 200 trials.
        assertThat(covered).isBetween(176, 200);
    }

    @Test
    void intervalNarrowsWithMoreRepeats() {
        Bootstrap.Interval small = Bootstrap.median(normal(10, 50, 5, 1), 1);
        Bootstrap.Interval large = Bootstrap.median(normal(200, 50, 5, 1), 1);
        assertThat(large.high() - large.low()).isLessThan((small.high() - small.low()) / 2);
    }

    @Test
    void identicalTargets_areNotDistinguishable_and20PercentApart_areSignificant() {
        Bootstrap.Difference same = Bootstrap.difference(normal(10, 45, 2, 1), normal(10, 45, 2, 2), 7);
        assertThat(same.significant()).isFalse();
        assertThat(same.verdict()).contains("not distinguishable");
        Bootstrap.Difference apart = Bootstrap.difference(normal(10, 45, 2, 3), normal(10, 54, 2, 4), 7);
        assertThat(apart.significant()).isTrue();
        assertThat(apart.relative()).isBetween(0.12, 0.28); // truly +20 %
        assertThat(apart.low()).isGreaterThan(0);
        assertThat(apart.verdict()).contains("significant").doesNotContain("not");
    }
}
