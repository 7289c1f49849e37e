package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RepeatStatsTest {
    private static final int TRIALS = 4_000;

    /** n draws from a normal distribution with a known mean and spread. */
    private static double[] normal(int n, double mean, double sd, SplittableRandom r) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = mean + sd * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        return x;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {2, 3, 5, 30})
    void theMeansInterval_coversTheTrueMean95PercentOfTheTime_atAnyN(int n) {
        SplittableRandom r = new SplittableRandom(n);
        int covered = 0;
        for (int t = 0; t < TRIALS; t++) {
            RepeatStats.Interval i = RepeatStats.mean(normal(n, 50, 5, r));
            if (i.low() <= 50 && 50 <= i.high()) covered++;
        }
        // 95 % of 4,000 is 3,800 ± 28 (one standard deviation); a z interval would cover 3,200 at n=3, a bootstrap 3,000.
        assertThat(covered).isBetween(3_700, 3_900);
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {2, 3, 5})
    void identicalServers_areCalledDifferentAbout5PercentOfTheTime_notAThird(int n) {
        SplittableRandom r = new SplittableRandom(100 + n);
        int significant = 0;
        for (int t = 0; t < TRIALS; t++) {
            if (RepeatStats.difference(normal(n, 57, 1.5, r), normal(n, 57, 1.5, r)).significant()) significant++;
        }
        // Welch's interval is nominal to slightly conservative: 200 of 4,000 at most, with room for chance.
        assertThat(significant).isBetween(80, 260);
    }

    @Test
    void aRealTwentyPercentDifference_isSignificant_withAnIntervalAroundIt() {
        SplittableRandom r = new SplittableRandom(7);
        RepeatStats.Difference apart = RepeatStats.difference(normal(5, 45, 1, r), normal(5, 54, 1, r));
        assertThat(apart.significant()).isTrue();
        assertThat(apart.absolute()).isFalse();
        assertThat(apart.low()).isLessThan(0.20).isPositive();
        assertThat(apart.high()).isGreaterThan(0.20);
        assertThat(apart.verdict()).matches("\\+\\d+\\.\\d % \\[\\+\\d+\\.\\d %, \\+\\d+\\.\\d %\\], significant");
    }

    @Test
    void twoRunsApartByTwoPercent_areNotDistinguishable() {
        RepeatStats.Difference d = RepeatStats.difference(new double[] {100, 101}, new double[] {102, 103});
        assertThat(d.significant()).isFalse();
        assertThat(d.verdict()).startsWith("+2.0 % [").endsWith("], not distinguishable");
        // The shape the compare printed as "+0 % ± 1 %, significant": three runs a side, half a percent apart, spread 0.5 %.
        RepeatStats.Difference close = RepeatStats.difference(new double[] {57.03, 56.97, 56.97}, new double[] {57.10, 57.23, 57.63});
        assertThat(close.verdict()).endsWith("not distinguishable");
    }

    @Test
    void ratesThatMayBeZero_areComparedAbsolutely_neverAsNaNOrInfinity() {
        RepeatStats.Difference up = RepeatStats.difference(new double[] {0, 1, 1}, new double[] {5, 5, 5});
        assertThat(up.absolute()).isTrue();
        assertThat(up.change()).isCloseTo(5 - 2 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(up.verdict()).startsWith("+4.33 [").doesNotContain("NaN").doesNotContain("Infinity");
        RepeatStats.Difference none = RepeatStats.difference(new double[] {0, 0, 0}, new double[] {0, 0, 0});
        assertThat(none.significant()).isFalse();
        assertThat(none.verdict()).isEqualTo("+0.00 [+0.00, +0.00], not distinguishable");
    }

    @Test
    void oneRunOnEitherSide_givesTheChangeWithoutAVerdict() {
        RepeatStats.Difference d = RepeatStats.difference(new double[] {100}, new double[] {90, 91, 92});
        assertThat(d.resolved()).isFalse();
        assertThat(d.significant()).isFalse();
        assertThat(d.verdict()).isEqualTo("-9.0 % (no verdict: 1 vs 3 runs)");
        assertThat(RepeatStats.mean(new double[] {42}).describe(" tok/s")).isEqualTo("42.0 tok/s (one run: no interval)");
        assertThat(RepeatStats.mean(new double[0]).describe(" tok/s")).isEqualTo("n/a (no values)");
        assertThat(RepeatStats.mean(new double[] {40, 42, 44}).describe("")).isEqualTo("42.0 [37.0, 47.0] (mean of 3)");
    }

    @Test
    void tQuantiles_matchTheTable_andInterpolateWelchsFractionalDegrees() {
        assertThat(RepeatStats.t975(1)).isEqualTo(12.706);
        assertThat(RepeatStats.t975(3)).isEqualTo(3.182);
        assertThat(RepeatStats.t975(30)).isEqualTo(2.042);
        assertThat(RepeatStats.t975(1.5)).isEqualTo(6.017);
        assertThat(RepeatStats.t975(1.6)).isBetween(5.5, 6.017); // exactly 5.60
        assertThat(RepeatStats.t975(4.9)).isBetween(2.571, 2.612);
        assertThat(RepeatStats.t975(7.5)).isBetween(2.306, 2.365);
        assertThat(RepeatStats.t975(1e6)).isEqualTo(1.980);
    }
}
