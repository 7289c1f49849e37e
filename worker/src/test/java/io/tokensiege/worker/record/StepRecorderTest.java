package io.tokensiege.worker.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lanes record alone; an interval merges them exactly, and the totals are the exact sum of every interval. */
class StepRecorderTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void intervalsMergeEveryLane_exactly_whileLanesWriteFromTheirOwnThreads() throws Exception {
        StepRecorder step = new StepRecorder();
        LaneRecorder a = step.newLane();
        LaneRecorder b = step.newLane();
        Histogram expected = Histograms.create();
        CountDownLatch done = new CountDownLatch(2);
        Thread ta = new Thread(() -> {
            for (int i = 1; i <= 100_000; i++) {
                a.recordItlMicros(i % 5_000 + 1);
                a.tokenEvent();
            }
            done.countDown();
        });
        Thread tb = new Thread(() -> {
            for (int i = 1; i <= 100_000; i++) {
                b.recordItlMicros(i % 7_000 + 1);
                b.tokenEvent();
            }
            done.countDown();
        });
        for (int i = 1; i <= 100_000; i++) {
            expected.recordValue(i % 5_000 + 1);
            expected.recordValue(i % 7_000 + 1);
        }
        ta.start();
        tb.start();
        Histogram fromIntervals = Histograms.create();
        long tokens = 0;
        while (done.getCount() > 0) { // intervals taken while the lanes write, as the snapshot timer does
            StepRecorder.Interval iv = step.takeInterval();
            if (iv.histograms().containsKey("itl")) fromIntervals.add(Histograms.decode(iv.histograms().get("itl")));
            tokens += iv.tokenEvents();
            done.await(5, TimeUnit.MILLISECONDS);
        }
        StepRecorder.Interval last = step.takeInterval();
        if (last.histograms().containsKey("itl")) fromIntervals.add(Histograms.decode(last.histograms().get("itl")));
        tokens += last.tokenEvents();

        assertThat(fromIntervals).isEqualTo(expected);
        assertThat(Histograms.decode(step.encodedTotals().get(Metric.ITL_MICROS.key()))).isEqualTo(expected);
        assertThat(tokens).isEqualTo(200_000);
        assertThat(step.takeInterval().histograms()).isEmpty(); // nothing new: an empty interval
    }

    @Test
    void theLiveTokensPerEvent_comeFromTheUsageOfEndedRequests_oneUntilAnyReportedIt() {
        StepRecorder step = new StepRecorder();
        LaneRecorder a = step.newLane();
        LaneRecorder b = step.newLane();
        assertThat(step.takeInterval().tokensPerEvent()).isEqualTo(1.0);
        a.anyRequestEnded(ended(TokenSource.COUNTED, 50, 50)); // no usage: says nothing about what an event carried
        assertThat(step.takeInterval().tokensPerEvent()).isEqualTo(1.0);
        a.anyRequestEnded(ended(TokenSource.USAGE, 200, 50)); // a server that sends 4 tokens per event
        b.anyRequestEnded(ended(TokenSource.USAGE, 100, 50)); // and one that sends 2
        assertThat(step.takeInterval().tokensPerEvent()).isEqualTo(3.0);
    }

    private static RequestRecord ended(TokenSource source, int tokens, int events) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null), false,
                new RequestRecord.Times(0, null, 1000L, 1000L, 1000L, 1000L, 5000L, 10L, 50.0),
                new RequestRecord.Tokens(tokens, source, events, null, 0, events, 0, null, null, source == TokenSource.USAGE ? tokens : null),
                new RequestRecord.Outcome("stop", null, null, null, 200, false), new RequestRecord.Answer("id", 10, "x"), null, null, null);
    }
}
