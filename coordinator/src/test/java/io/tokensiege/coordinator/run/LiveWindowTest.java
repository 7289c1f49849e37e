package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.RunListener;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rolling live figures merged over workers by second, from first tokens and every stream's tokens, never NaN. */
class LiveWindowTest {
    private static final long START = 1_000_000L;

    private static StepSpec step(double speed) {
        Target t = speed == 1 ? new Target("t", "http://h:1/v1", "m", null, Map.of(), Map.of(), null)
                : new Target("t", null, "m", null, Map.of(), Map.of(), new Target.Simulated("dense-26b", speed, Map.of()));
        return new StepSpec("s", 0, StepKind.CLOSED, t, "c", 8, 1, 0, 30_000, 2_000, 0, 100, 0, 64, true, 0, List.of(), Timeouts.DEFAULT, 1, "n",
                null, null, null);
    }

    private static IntervalSnapshot snap(String worker, int second, long tokens, long... ttftMicros) {
        byte[] ttft = null;
        if (ttftMicros.length > 0) {
            var h = Histograms.create();
            for (long t : ttftMicros) h.recordValue(t);
            ttft = Histograms.encode(h);
        }
        return new IntervalSnapshot("r", "s", worker, START + (second - 1) * 1000L, START + second * 1000L, Map.of(), tokens, 0, 0, 4, ttft, 1, 0);
    }

    @Test
    void longRequestsShowFiguresBeforeAnyEnds_mergedOverWorkersAndRolledOverFiveSeconds() {
        LiveWindow w = new LiveWindow(step(1), START);
        RunListener.LiveStats first = w.add(snap("w1", 1, 50, 400_000, 600_000));
        assertThat(first.ttftP50Ms()).isCloseTo(400, within(1.0));
        assertThat(first.outputTokS()).isCloseTo(50, within(0.01));
        assertThat(first.completed()).isZero(); // nothing finished, and the figures are there anyway
        RunListener.LiveStats merged = w.add(snap("w2", 1, 30));
        assertThat(merged.outputTokS()).isCloseTo(80, within(0.01));
        assertThat(merged.inFlight()).isEqualTo(8);
        assertThat(merged.awaitingFirstToken()).isEqualTo(2);
        for (int s = 2; s <= 7; s++) w.add(snap("w1", s, 100));
        RunListener.LiveStats later = w.add(snap("w2", 7, 100));
        // Seconds 3..7: w1 gave 100 each, w2 only at 7; the first tokens of second 1 have rolled out of the window.
        assertThat(later.outputTokS()).isCloseTo((5 * 100 + 100) / 5.0, within(0.01));
        assertThat(later.ttftP50Ms()).isNull();
        assertThat(later.elapsedMillis()).isEqualTo(7_000);
        assertThat(later.expectedMillis()).isEqualTo(32_000);
        assertThat(w.history()).hasSize(9);
    }

    @Test
    void aServerThatSendsSeveralTokensPerEvent_isShownInTokens_asTheStepsFigureWeighsThem() {
        LiveWindow w = new LiveWindow(step(1), START);
        // 40 events a second, and the requests that ended so far reported 4 tokens for every event (a stream interval of 4).
        RunListener.LiveStats s = w.add(new IntervalSnapshot("r", "s", "w1", START, START + 1000, Map.of(), 40, 0, 0, 4, null, 0, 0, 4.0));
        assertThat(s.outputTokS()).isCloseTo(160, within(0.01));
        assertThat(new IntervalSnapshot("r", "s", "w1", 0, 1, Map.of(), 40, 0, 0, 4, null, 0, 0, 0.0).outputTokens()).isEqualTo(40.0); // none known: 1
    }

    @Test
    void aSimulatedTargetsFiguresAreInItsOwnTime() {
        LiveWindow w = new LiveWindow(step(20), START);
        RunListener.LiveStats s = w.add(snap("w1", 1, 200, 10_000));
        assertThat(s.ttftP50Ms()).isCloseTo(200, within(0.5)); // 10 ms of wall time at speed 20
        assertThat(s.outputTokS()).isCloseTo(10, within(0.01));
    }

    @Test
    void gapsBetweenTokens_ofTheRequestsThatEndedInTheWindow_giveTheLiveItlQuantiles() {
        LiveWindow w = new LiveWindow(step(1), START);
        assertThat(w.add(snap("w1", 1, 10)).itlP50Ms()).isNull(); // nothing ended yet: no gaps to show
        var gaps = Histograms.create();
        for (int i = 1; i <= 100; i++) gaps.recordValue(i * 1000L); // 1..100 ms
        IntervalSnapshot ended = new IntervalSnapshot("r", "s", "w2", START + 1000, START + 2000, Map.of("itl", Histograms.encode(gaps)), 10, 1, 0, 4, null, 0, 0);
        RunListener.LiveStats s = w.add(ended);
        assertThat(s.itlP50Ms()).isCloseTo(50, within(0.1));
        assertThat(s.itlP95Ms()).isCloseTo(95, within(0.1));
        assertThat(s.itlP99Ms()).isCloseTo(99, within(0.1));
        assertThat(s.ttftP99Ms()).isNull();
    }
}
