package io.tokensiege.common.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/** Property: merging encoded interval histograms with add() equals one histogram of all values. */
class HistogramMergeTest {

    @RepeatedTest(20)
    void mergeOfEncodedIntervals_equalsHistogramOfAllValues(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(info.getCurrentRepetition());
        int workers = 1 + r.nextInt(8);
        int intervals = 1 + r.nextInt(30);
        Histogram all = Histograms.create();
        List<byte[]> wire = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            for (int i = 0; i < intervals; i++) {
                Histogram h = Histograms.create();
                int n = r.nextInt(500);
                for (int k = 0; k < n; k++) {
                    // log-uniform from 1 µs to ~1 h: every magnitude a TTFT or ITL can take
                    long v = Histograms.clamp((long) Math.exp(r.nextDouble() * Math.log(Histograms.HIGHEST_TRACKABLE)));
                    h.recordValue(v);
                    all.recordValue(v);
                }
                wire.add(Histograms.encode(h));
            }
        }
        Histogram merged = Histograms.create();
        for (byte[] bytes : wire) merged.add(Histograms.decode(bytes));

        assertThat(merged.getTotalCount()).isEqualTo(all.getTotalCount());
        assertThat(merged.getMaxValue()).isEqualTo(all.getMaxValue());
        for (double p : new double[] {0, 1, 25, 50, 90, 95, 99, 99.9, 100}) {
            assertThat(merged.getValueAtPercentile(p)).as("p%s", p).isEqualTo(all.getValueAtPercentile(p));
        }
        assertThat(merged).isEqualTo(all);
    }
}
