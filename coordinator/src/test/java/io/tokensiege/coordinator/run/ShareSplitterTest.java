package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Streams split exactly over workers: never one lost or added, shares within one of the ideal. */
class ShareSplitterTest {
    @Test
    void evenSplit_givesTheLeftoversToTheFirstWorkers() {
        assertThat(ShareSplitter.split(16, 3)).containsExactly(6, 5, 5);
        assertThat(ShareSplitter.split(2, 3)).containsExactly(1, 1, 0);
        assertThat(ShareSplitter.split(0, 2)).containsExactly(0, 0);
    }

    @Test
    void capacitiesShareInProportion_largestRemaindersFirst() {
        assertThat(ShareSplitter.split(10, new int[] {3, 1})).containsExactly(8, 2); // 7.5 and 2.5: the tie goes to the first
        assertThat(ShareSplitter.split(7, new int[] {1, 2, 4})).containsExactly(1, 2, 4);
        assertThat(ShareSplitter.split(5, new int[] {0, 1})).containsExactly(0, 5);
    }

    @Test
    void anySplit_sumsToTheTotal_andStaysWithinOneOfTheIdealShare() {
        SplittableRandom r = new SplittableRandom(42);
        for (int trial = 0; trial < 2_000; trial++) {
            int workers = 1 + r.nextInt(12);
            int[] weights = new int[workers];
            for (int i = 0; i < workers; i++) weights[i] = 1 + r.nextInt(8);
            int total = r.nextInt(5_000);
            int[] shares = ShareSplitter.split(total, weights);
            assertThat(Arrays.stream(shares).sum()).isEqualTo(total);
            double sum = Arrays.stream(weights).sum();
            for (int i = 0; i < workers; i++) assertThat(Math.abs(shares[i] - total * weights[i] / sum)).isLessThan(1.0);
        }
    }

    @Test
    void noCapacity_isRefused() {
        assertThatThrownBy(() -> ShareSplitter.split(4, new int[] {0, 0})).hasMessageContaining("no worker capacity");
    }

    @Test
    void aWorkerWithoutCapacity_getsNoStream_evenWhenLeftoversRemain() {
        assertThat(ShareSplitter.split(1, new int[] {0, 1, 1})).containsExactly(0, 1, 0);
        assertThat(ShareSplitter.split(3, new int[] {0, 2, 0, 1})).containsExactly(0, 2, 0, 1);
    }

    @Test
    void oneWorker_takesEveryStream() {
        assertThat(ShareSplitter.split(5, 1)).containsExactly(5);
        assertThat(ShareSplitter.split(5, new int[] {7})).containsExactly(5);
    }
}
