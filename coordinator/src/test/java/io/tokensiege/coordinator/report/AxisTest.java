package io.tokensiege.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AxisTest {
    @Test
    void auto_isLog_whenTheValuesSpanMoreThan20x_andLinearFromZeroOtherwise() {
        Axis wide = Axis.auto(new double[] {166, 489, 14_572, 33_608}, "ms");
        assertThat(wide.isLog()).isTrue();
        assertThat(wide.ticks()).extracting(Axis.Tick::label).contains("1 s", "10 s").doesNotContain("0 ms");
        assertThat(wide.min()).isLessThanOrEqualTo(166);
        assertThat(wide.max()).isGreaterThanOrEqualTo(33_608);

        Axis narrow = Axis.auto(new double[] {166, 489, 3_000}, "ms"); // 18x
        assertThat(narrow.isLog()).isFalse();
        assertThat(narrow.min()).isZero();
        assertThat(narrow.ticks()).extracting(Axis.Tick::label).containsExactly("0 ms", "1.25 s", "2.5 s", "3.75 s", "5 s");
    }

    @Test
    void logTicks_readAsRoundMilliseconds_andSeconds() {
        Axis a = Axis.log(120, 15_000, "ms");
        assertThat(a.ticks()).extracting(Axis.Tick::label).containsExactly("100 ms", "1 s", "10 s");
        assertThat(a.fraction(a.min())).isZero();
        assertThat(a.fraction(a.max())).isEqualTo(1.0);
        // equal ratios, equal distances: 100 ms -> 1 s as far as 1 s -> 10 s
        assertThat(a.fraction(1000) - a.fraction(100)).isCloseTo(a.fraction(10_000) - a.fraction(1000), within(1e-12));
        // a short span gets 2 and 5 as well
        assertThat(Axis.log(300, 900, "ms").ticks()).extracting(Axis.Tick::label).containsExactly("200 ms", "500 ms", "1 s");
    }

    @Test
    void roundEnds_are1_2_or5_timesAPowerOfTen() {
        assertThat(Axis.niceCeiling(37)).isEqualTo(50);
        assertThat(Axis.niceCeiling(1378)).isEqualTo(2000);
        assertThat(Axis.niceCeiling(100)).isEqualTo(100);
        assertThat(Axis.niceCeiling(0.3)).isEqualTo(0.5);
        assertThat(Axis.niceFloor(166)).isEqualTo(100);
        assertThat(Axis.niceFloor(489)).isEqualTo(200);
    }
}
