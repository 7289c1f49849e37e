package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Slo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A step's SLO breaches in words, why a step cannot be judged, and goodput per request. */
class SloCheckTest {
    private static final Slo ALL = new Slo(500L, 1_000L, 20.0, 0.01);

    @Test
    void aStepWithinEveryThreshold_breaksNothing_andAThresholdMetExactlyIsMet() {
        assertThat(SloCheck.breaches(step(10, 400, 900, 25, 0.0, false, null), ALL)).isEmpty();
        assertThat(SloCheck.breaches(step(10, 500, 1_000, 20, 0.01, false, null), ALL)).isEmpty();
    }

    @Test
    void eachThresholdBroken_isNamedWithBothValues_inOrder() {
        assertThat(SloCheck.breaches(step(10, 650, 2_400, 12.34, 0.052, false, null), ALL)).containsExactly(
                "TTFT p50 650 ms > 500 ms", "TTFT p95 2.4 s > 1.0 s", "decode p50 12.3 < 20 tok/s", "errors 5.2% > 1.0%");
    }

    @Test
    void aValueJustPastItsThreshold_neverReadsAsTheThresholdItself() {
        assertThat(SloCheck.breaches(step(10, 500.4, 1_000.2, 19.96, 0.0, false, null), ALL)).containsExactly(
                "TTFT p50 500.4 ms > 500 ms", "TTFT p95 1.0002 s > 1.0 s", "decode p50 19.96 < 20 tok/s");
        assertThat(SloCheck.breaches(step(10, 100, 100, 20.44, 0.0, false, null), new Slo(null, null, 20.5, null)))
                .containsExactly("decode p50 20.4 < 20.5 tok/s");
    }

    @Test
    void anOpenLoop_isJudgedOnTTFTFromTheIntendedStart_andSaysSo() {
        Percentiles intended = new Percentiles(10, 800, 800, 800, 800, 800, 800);
        OpenLoopStats open = new OpenLoopStats(4, 4, 40, 0, 0, 0, intended, 4000);
        // Its TTFT from send (100 ms) meets the SLO; from the intended start (800 ms) it does not.
        assertThat(SloCheck.breaches(step(10, 100, 100, 25, 0, false, open), new Slo(500L, null, null, null)))
                .containsExactly("TTFT p50 800 ms > 500 ms (from intended start)");
    }

    @Test
    void aMissingPercentile_breaksItsThreshold_andReadsNA() {
        assertThat(SloCheck.breaches(step(10, Double.NaN, Double.NaN, Double.NaN, 0, false, null), new Slo(500L, null, 20.0, null)))
                .containsExactly("TTFT p50 n/a > 500 ms", "decode p50 n/a < 20 tok/s");
    }

    @Test
    void withoutAnSlo_nothingIsBroken_evenANothingMeasuredStep() {
        assertThat(SloCheck.breaches(step(0, 100, 100, 25, 1.0, false, null), null)).isEmpty();
        assertThat(SloCheck.breaches(step(0, 100, 100, 25, 1.0, false, null), Slo.NONE)).isEmpty();
    }

    @Test
    void aStepWithoutSuccess_orPartial_isUnjudged_andBreaksForThatReasonAlone() {
        StepResult failed = step(0, 100, 100, 25, 1.0, false, null);
        assertThat(SloCheck.unjudged(failed)).contains("no successful requests (failed: 10/10 {timeout=10})");
        assertThat(SloCheck.breaches(failed, ALL)).containsExactly("no successful requests (failed: 10/10 {timeout=10})");
        StepResult partial = step(10, 650, 2_400, 12, 0.5, true, null);
        assertThat(SloCheck.unjudged(partial)).contains("partial step (lost worker w1)");
        assertThat(SloCheck.breaches(partial, ALL)).containsExactly("partial step (lost worker w1)");
        assertThat(SloCheck.unjudged(step(10, 100, 100, 25, 0, false, null))).isEmpty();
    }

    @Test
    void goodput_isTheShareOfSentRequestsMeetingEveryPerRequestThreshold() {
        Slo slo = new Slo(null, 1_000L, 20.0, null);
        List<RequestRecord> records = List.of(
                record(900_000L, 25.0, null, false),   // good
                record(1_000_000L, 20.0, null, false), // good: both exactly at the threshold
                record(1_100_000L, 25.0, null, false), // TTFT too slow
                record(900_000L, 19.9, null, false),   // decode too slow
                record(900_000L, null, null, false),   // 100 tokens and no rate (all in one read, a buffering proxy): a miss
                oneToken(900_000L),                    // good: one token, no decode phase to judge (n/a, as in the decode p50)
                record(900_000L, 25.0, "timeout", false), // an error is a miss
                record(900_000L, 25.0, null, true));   // cancelled at the end: not counted at all
        assertThat(SloCheck.goodput(records, slo, 1.0)).isEqualTo(3.0 / 7);
    }

    @Test
    void goodput_prefersTheP95TTFTLimit_andFallsBackToP50() {
        List<RequestRecord> records = List.of(record(700_000L, 25.0, null, false));
        assertThat(SloCheck.goodput(records, new Slo(500L, 1_000L, null, null), 1.0)).isEqualTo(1.0);
        assertThat(SloCheck.goodput(records, new Slo(500L, null, null, null), 1.0)).isEqualTo(0.0);
    }

    @Test
    void goodput_isInTheTargetsOwnTime() {
        // A simulator 10x faster: 90 ms measured is 900 ms of target time, 250 tok/s measured is 25 tok/s.
        List<RequestRecord> records = List.of(record(90_000L, 250.0, null, false));
        assertThat(SloCheck.goodput(records, new Slo(null, 1_000L, 20.0, null), 10)).isEqualTo(1.0);
        assertThat(SloCheck.goodput(records, new Slo(null, 800L, null, null), 10)).isEqualTo(0.0);
        assertThat(SloCheck.goodput(records, new Slo(null, null, 30.0, null), 10)).isEqualTo(0.0);
    }

    @Test
    void goodput_isNull_withoutAnSloOrWithoutARequestToCount() {
        List<RequestRecord> one = List.of(record(900_000L, 25.0, null, false));
        assertThat(SloCheck.goodput(one, null, 1.0)).isNull();
        assertThat(SloCheck.goodput(one, Slo.NONE, 1.0)).isNull();
        assertThat(SloCheck.goodput(List.of(), ALL, 1.0)).isNull();
        assertThat(SloCheck.goodput(List.of(record(900_000L, 25.0, null, true)), ALL, 1.0)).isNull();
        // An error-rate-only SLO has no per-request threshold: every successful request is good.
        assertThat(SloCheck.goodput(List.of(record(900_000L, 25.0, null, false), record(900_000L, 25.0, "http_5xx", false)),
                new Slo(null, null, null, 0.01), 1.0)).isEqualTo(0.5);
    }

    @Test
    void durationsAndRates_readAsWords_neverNaN() {
        assertThat(SloCheck.ms(850)).isEqualTo("850 ms");
        assertThat(SloCheck.ms(999.4)).isEqualTo("999 ms");
        assertThat(SloCheck.ms(1_000)).isEqualTo("1.0 s");
        assertThat(SloCheck.ms(2_449)).isEqualTo("2.4 s");
        assertThat(SloCheck.ms(Double.NaN)).isEqualTo("n/a");
        assertThat(SloCheck.ms(Double.POSITIVE_INFINITY)).isEqualTo("n/a");
        assertThat(SloCheck.tokS(12.345)).isEqualTo("12.3");
        assertThat(SloCheck.tokS(Double.NaN)).isEqualTo("n/a");
    }

    private static StepResult step(int ok, double ttftP50, double ttftP95, double decodeP50, double errorRate, boolean partial, OpenLoopStats open) {
        Percentiles ttft = new Percentiles(ok, ttftP50, ttftP95, ttftP95, ttftP95, ttftP95, ttftP50);
        Percentiles decode = new Percentiles(ok, decodeP50, decodeP50, decodeP50, decodeP50, decodeP50, decodeP50);
        Percentiles e2e = new Percentiles(ok, 4000, 4000, 4000, 4000, 4000, 4000);
        return new StepResult(new StepResult.Identity("s1", "t / s @4", "t", "s", open != null ? "OPEN" : "CLOSED", 4, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(10, ok, ok == 0 ? Map.of("timeout", 10) : Map.of(), 0, errorRate, List.of()),
                new StepResult.Distributions(ttft, ttft, ttft, e2e, Percentiles.EMPTY, Percentiles.EMPTY, decode, Percentiles.EMPTY),
                new StepResult.Throughput(100, 1, 15, null),
                new StepResult.WarmTurns(null, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), List.of(), partial, partial ? "lost worker w1" : null),
                open, null, null, null, null, null, Map.of());
    }

    private static RequestRecord oneToken(long ttftMicros) {
        RequestRecord r = record(ttftMicros, null, null, false);
        return new RequestRecord(r.origin(), true, r.times(), new RequestRecord.Tokens(1, TokenSource.USAGE, 1, null, 0, 1, 0, 10, 0, 1), r.outcome(),
                r.answer(), null, null, null);
    }

    private static RequestRecord record(Long ttftIntendedMicros, Double decodeTokS, String error, boolean cancelled) {
        return new RequestRecord(new RequestRecord.Origin("s1", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, ttftIntendedMicros, ttftIntendedMicros, ttftIntendedMicros, 100L, 4_000_000L, 10L, decodeTokS),
                new RequestRecord.Tokens(100, TokenSource.USAGE, 100, null, 0, 100, 0, 10, 0, 100),
                new RequestRecord.Outcome("stop", error, null, null, 200, cancelled),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
    }
}
